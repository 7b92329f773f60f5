from crawler.spiders.base import NewsSpider


class RuhrNachrichtenSpider(NewsSpider):
    name = "ruhr_nachrichten"
    publisher = "Ruhr Nachrichten"
    region = "Nordrhein-Westfalen: Dortmund, Ruhrgebiet"
    domains = ["www.ruhrnachrichten.de"]
    feeds = ["https://www.ruhrnachrichten.de/service/feed/"]
    news_sitemaps = ["https://www.ruhrnachrichten.de/news-sitemap.xml"]
    sitemaps = ["https://www.ruhrnachrichten.de/sitemap_index.xml"]
    article_url = r"ruhrnachrichten\.de/.+-w\d+-\d+/?$"
    skip = [r"post-sitemap"]
