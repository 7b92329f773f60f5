from crawler.spiders.base import NewsSpider


class WdrSpider(NewsSpider):
    name = "wdr"
    publisher = "Westdeutscher Rundfunk (WDR)"
    region = "Nordrhein-Westfalen"
    domains = ["www1.wdr.de"]
    feeds = ["https://www1.wdr.de/uebersicht-100.feed"]
    article_url = r"www1\.wdr\.de/.+-\d+\.html$"
    skip = [r"/mediathek/"]
