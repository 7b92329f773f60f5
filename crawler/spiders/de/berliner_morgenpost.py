from crawler.spiders.platforms import FunkeSpider


class BerlinerMorgenpostSpider(FunkeSpider):
    name = "berliner_morgenpost"
    publisher = "Berliner Morgenpost (Funke)"
    region = "Berlin"
    base_url = "https://www.morgenpost.de"
    has_rss = False
    archive_since = "2003-02"
