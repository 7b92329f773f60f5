from crawler.spiders.platforms import FunkeSpider


class HamburgerAbendblattSpider(FunkeSpider):
    name = "hamburger_abendblatt"
    publisher = "Hamburger Abendblatt (Funke)"
    region = "Hamburg"
    base_url = "https://www.abendblatt.de"
    archive_since = "2000-04"
