from crawler.spiders.platforms import IppenSpider


class MuenchnerMerkurSpider(IppenSpider):
    name = "muenchner_merkur"
    publisher = "Münchner Merkur"
    region = "Bayern: München, Oberbayern"
    domains = ["www.merkur.de"]
    feeds = ["https://www.merkur.de/welt/rssfeed.rdf"]
    news_sitemaps = ["https://www.merkur.de/news.xml"]
    sitemaps = ["https://www.merkur.de/sitemap-index.xml"]
    article_url = r"merkur\.de/.+-\d{6,}\.html$"
