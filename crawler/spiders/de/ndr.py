from crawler.spiders.base import NewsSpider

_SITEMAP = "https://www.ndr.de/index~sitemap_f-sitemap--ndr--{}--100.xml"
PARTS = ["info", "niedersachsen", "schleswig--holstein", "mecklenburg--vorpommern", "hamburg"]
PARTS += ["sport", "kultur", "geschichte"]


class NdrSpider(NewsSpider):
    name = "ndr"
    publisher = "Norddeutscher Rundfunk (NDR)"
    region = "Norddeutschland: Niedersachsen, Hamburg, Schleswig-Holstein, Mecklenburg-Vorpommern"
    domains = ["www.ndr.de"]
    news_sitemaps = ["https://www.ndr.de/news-102~news.xml"]
    sitemaps = [_SITEMAP.format(part) for part in PARTS]
    article_url = r"ndr\.de/.+,[a-z0-9]+-\d+\.html$"
    skip = [r"podcast[0-9]{4}", r"/index\.html$"]
