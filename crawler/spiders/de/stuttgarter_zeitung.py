from crawler.spiders.platforms import SwmhSpider


class StuttgarterZeitungSpider(SwmhSpider):
    name = "stuttgarter_zeitung"
    publisher = "Stuttgarter Zeitung"
    region = "Baden-Württemberg: Stuttgart"
    domains = ["www.stuttgarter-zeitung.de"]
    news_sitemaps = ["https://www.stuttgarter-zeitung.de/sitemap-news.xml"]
    sitemaps = ["https://www.stuttgarter-zeitung.de/sitemap.xml"]
    # /<ressort>/<slug>-<id>.html or .<uuid>.html
    article_url = r"stuttgarter-zeitung\.de/.+([-.]\d{6,}|\.[0-9a-f-]{36})\.html$"
