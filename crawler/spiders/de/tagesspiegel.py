from crawler.spiders.base import NewsSpider


class TagesspiegelSpider(NewsSpider):
    name = "tagesspiegel"
    publisher = "Der Tagesspiegel"
    region = "Berlin"
    domains = ["www.tagesspiegel.de"]
    news_sitemaps = ["https://www.tagesspiegel.de/news.xml"]
    # yearly archive indexes; the backfill reads the year of every month in its range
    archive_sitemap = "https://www.tagesspiegel.de/contentexport/static/sitemap-index_{year}.xml"
    archive_since = "1996-01"
    article_url = r"tagesspiegel\.de/.+-\d{6,}\.html$"
