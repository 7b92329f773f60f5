from crawler.spiders.base import NewsSpider


class MitteldeutscheZeitungSpider(NewsSpider):
    name = "mitteldeutsche_zeitung"
    publisher = "Mitteldeutsche Zeitung"
    region = "Sachsen-Anhalt: Halle"
    domains = ["www.mz.de"]
    news_sitemaps = ["https://www.mz.de/sitemaps/newssitemap-index.xml"]
    sitemaps = ["https://www.mz.de/sitemaps/sitemap-ressort-index.xml"]
    article_url = r"mz\.de/.+-\d{6,}/?$"
