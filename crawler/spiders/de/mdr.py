from crawler.spiders.base import NewsSpider


class MdrSpider(NewsSpider):
    name = "mdr"
    publisher = "Mitteldeutscher Rundfunk (MDR)"
    region = "Sachsen, Sachsen-Anhalt, Thüringen"
    domains = ["www.mdr.de"]
    feeds = ["https://www.mdr.de/nachrichten/index-rss.xml"]
    news_sitemaps = ["https://www.mdr.de/news-sitemap.xml"]
    sitemaps = ["https://www.mdr.de/sitemap-index-100.xml"]
    article_url = r"mdr\.de/.+-\d+\.html$"
    skip = [r"/video/", r"video-[0-9]+\.html", r"sportschau\.de"]
