from crawler.spiders.base import NewsSpider


class BerlinerZeitungSpider(NewsSpider):
    name = "berliner_zeitung"
    publisher = "Berliner Zeitung"
    region = "Berlin"
    domains = ["www.berliner-zeitung.de"]
    feeds = ["https://www.berliner-zeitung.de/feed.xml"]
    news_sitemaps = ["https://www.berliner-zeitung.de/news-sitemap.xml"]
    sitemaps = ["https://www.berliner-zeitung.de/sitemap.xml"]
    # /<ressort>/<slug>-<id> or .../<slug>-li.<id>
    article_url = r"berliner-zeitung\.de/.+[-.]\d{5,}/?$"
    skip = [r"berliner-zeitung\.de/news/"]
