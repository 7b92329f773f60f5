from crawler.spiders.base import NewsSpider

FEEDS = ["chemnitz", "erzgebirge", "mittelsachsen", "vogtland", "zwickau", "politik", "wirtschaft", "kultur"]
FEEDS += ["sport", "sachsen", "regional"]


class FreiePresseSpider(NewsSpider):
    name = "freie_presse"
    publisher = "Freie Presse"
    region = "Sachsen: Chemnitz, Erzgebirge, Mittelsachsen, Vogtland, Zwickau"
    domains = ["www.freiepresse.de"]
    feeds = [f"https://www.freiepresse.de/rss/rss_{feed}.php" for feed in FEEDS]
    sitemaps = ["https://www.freiepresse.de/sitemaps/articles_last2years.xml"]
    article_url = r"freiepresse\.de/.+-artikel\d+/?$"
