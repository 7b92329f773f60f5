from crawler.spiders.base import NewsSpider


class HessenschauSpider(NewsSpider):
    name = "hessenschau"
    publisher = "Hessenschau (Hessischer Rundfunk)"
    region = "Hessen"
    domains = ["www.hessenschau.de"]
    feeds = ["https://www.hessenschau.de/index.rss"]
    sitemaps = ["https://www.hessenschau.de/indexsitemap.nc.xml", "https://www.hessenschau.de/sitemap.nc.xml"]
    article_url = r"hessenschau\.de/.+,[a-z0-9-]+-\d+\.html$"
