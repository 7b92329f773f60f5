from crawler.spiders.base import NewsSpider

CITIES = ("braunschweig", "wolfsburg", "salzgitter", "peine", "goslar", "helmstedt", "wolfenbuettel")


class RegionalheuteSpider(NewsSpider):
    name = "regionalheute"
    publisher = "regionalHeute.de"
    region = "Niedersachsen: Braunschweig, Wolfsburg, Salzgitter, Peine, Goslar, Helmstedt, Wolfenbüttel"
    domains = ["regionalheute.de"]
    sections = [f"https://regionalheute.de/{city}/" for city in CITIES]
    # /<city>/<slug>-<city>-<unix timestamp>/
    article_url = r"regionalheute\.de/[a-z-]+/[a-z0-9-]+-\d{9,11}/$"
