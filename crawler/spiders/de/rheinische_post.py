from crawler.spiders.platforms import RpSpider


class RheinischePostSpider(RpSpider):
    name = "rheinische_post"
    publisher = "Rheinische Post"
    region = "Nordrhein-Westfalen: Düsseldorf, Niederrhein"
    domains = ["rp-online.de"]
    feeds = ["https://rp-online.de/feed.rss"]
    news_sitemaps = ["https://rp-online.de/sitemap-news.xml"]
    sitemaps = ["https://rp-online.de/sitemap.xml"]
    article_url = r"_aid-\d+/?$"
