from crawler.spiders.base import NewsSpider

SECTIONS = ("politik", "panorama", "wirtschaft", "kultur", "sport", "brandenburg", "berlin")


class Rbb24Spider(NewsSpider):
    name = "rbb24"
    publisher = "rbb24 (Rundfunk Berlin-Brandenburg)"
    region = "Berlin, Brandenburg"
    domains = ["www.rbb24.de"]
    # no feed or sitemap known: the section pages the site links from every article
    sections = [f"https://www.rbb24.de/{section}/" for section in SECTIONS]
    article_url = r"rbb24\.de/[a-z]+/beitrag/\d{4}/\d{2}/.+\.html$"
