from crawler.spiders.base import NewsSpider


class BrSpider(NewsSpider):
    name = "br"
    publisher = "Bayerischer Rundfunk (BR)"
    region = "Bayern"
    domains = ["www.br.de"]
    news_sitemaps = ["https://www.br.de/nachrichten/sitemaps/news.xml"]
    sitemaps = ["https://web.master.br24-web.br-master.de/nachrichten/sitemaps/article-recent.xml"]
    # /nachrichten/<ressort>/<slug>,<id>
    article_url = r"br\.de/nachrichten/.+,[A-Za-z0-9]{5,}$"
    skip = [r"br-fernsehen/sendungen", r"index\.html$"]
