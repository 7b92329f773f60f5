"""Scrapy extensions of newsarchive."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor, task

from crawler import defaults
from crawler.spiders.base import NewsSpider
from pipelines.state import LockStore, open_locks, state_uri

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.internet.interfaces import IReactorTime

log = logging.getLogger(__name__)


class SiteLock:
    """One run per site at a time: take the site's lock in the state store or close the spider at once.

    While the run goes on the lock is refreshed every RUN_LOCK_TTL / 4 seconds; a run killed without releasing
    it leaves a lock that expires after RUN_LOCK_TTL seconds (at once when the dead process was on this host).
    """

    def __init__(self, crawler: Crawler, store: LockStore, ttl: float) -> None:
        self.crawler = crawler
        self.store = store
        self.ttl = ttl
        self.site = ""
        self.held = False
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteLock:
        if not crawler.settings.getbool("RUN_LOCK_ENABLED", defaults.RUN_LOCK_ENABLED):
            raise NotConfigured
        ext = cls(
            crawler,
            open_locks(state_uri(crawler.settings)),
            crawler.settings.getfloat("RUN_LOCK_TTL", defaults.RUN_LOCK_TTL),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.site = spider.name
        holder = self.store.acquire(self.site, self.ttl)
        if holder is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("newsarchive/locked_by", holder.describe())
            log.error(
                "site %s is being crawled by another run (%s): not starting", self.site, holder.describe()
            )
            # the spider starts nothing (NewsSpider.start checks this) and closes as soon as the engine runs
            if isinstance(spider, NewsSpider):
                spider.locked_out = True
            engine = self.crawler.engine
            assert engine is not None
            task.deferLater(
                cast("IReactorTime", reactor),
                0,
                lambda: deferred_from_coro(engine.close_spider_async(reason="locked")),
            )
            return
        self.held = True
        # early stops at known articles are safe only after a clean run (see LockStore.begin_run)
        clean = self.store.begin_run(self.site)
        if isinstance(spider, NewsSpider):
            spider.previous_run_clean = clean
        self.loop = task.LoopingCall(self._refresh)
        self.loop.start(self.ttl / 4, now=False)

    def _refresh(self) -> None:
        if not self.store.refresh(self.site, self.ttl):
            log.error("lost the run lock of site %s (expired and taken by another run)", self.site)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.held:
            self.store.end_run(self.site, clean=reason == "finished")
            self.store.release(self.site)
        self.store.close()


class StatsFile:
    """With NEWSARCHIVE_STATS_FILE set, each site's final Scrapy stats go into that JSON file ({site: stats}),
    for monitoring and for schedulers that want more than the exit code."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NEWSARCHIVE_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler, str(path))
        # after the stats collector has its finish_reason and the pipelines have closed
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        import json
        from pathlib import Path

        spider = self.crawler.spider
        stats = self.crawler.stats
        if spider is None or stats is None:
            return
        target = Path(self.path)
        try:
            existing = json.loads(target.read_text()) if target.exists() else {}
        except (OSError, ValueError):
            existing = {}
        existing[spider.name] = stats.get_stats()
        target.write_text(json.dumps(existing, indent=1, sort_keys=True, default=str))
