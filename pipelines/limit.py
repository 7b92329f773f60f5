"""ArticleLimitPipeline: at most MAX_ARTICLES articles of a crawler go on to the archive (0: no limit)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: sent (no arguments) when the MAX_ARTICLES-th article went on: the crawl stops scheduling (crawler/shutdown.py)
article_limit_reached = object()


class ArticleLimitPipeline:
    """Runs just before the archive: the first MAX_ARTICLES new or revised articles go on, later ones are dropped
    unseen (``newsarchive/over_limit``; the next run fetches them), and the crawl is told to stop."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint("MAX_ARTICLES", 0)
        if limit <= 0:
            raise NotConfigured
        return cls(crawler, limit)

    def process_item(self, item: Any) -> Any:
        if self.count >= self.limit:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newsarchive/over_limit")
            adapter = ItemAdapter(item)
            adapter.pop("raw_response", None)
            adapter.pop("precomputed", None)
            raise DropItem(f"MAX_ARTICLES ({self.limit}) reached", log_level="DEBUG")
        self.count += 1
        if self.count == self.limit:
            self.crawler.signals.send_catch_log(signal=article_limit_reached)
        return item
