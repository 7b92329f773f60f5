from crawler.spiders.platforms import FunkeSpider


class BraunschweigerZeitungSpider(FunkeSpider):
    name = "braunschweiger_zeitung"
    publisher = "Braunschweiger Zeitung (Funke)"
    region = "Niedersachsen: Braunschweig"
    base_url = "https://www.braunschweiger-zeitung.de"
    archive_since = "2005-12"
