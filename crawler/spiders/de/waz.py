from crawler.spiders.platforms import FunkeSpider


class WazSpider(FunkeSpider):
    name = "waz"
    publisher = "Westdeutsche Allgemeine Zeitung (WAZ, Funke)"
    region = "Nordrhein-Westfalen: Ruhrgebiet"
    base_url = "https://www.waz.de"
    has_rss = False
    has_archive = False
