"""Scrapy extensions of newsarchive."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor, task
from twisted.internet.defer import CancelledError

from crawler import defaults
from crawler.spiders.base import NewsSpider
from pipelines.state import LockStore, open_locks, state_uri

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IReactorTime
    from twisted.python.failure import Failure

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


def _cancelled(failure: Failure) -> None:
    failure.trap(CancelledError)  # type: ignore[no-untyped-call]


class SiteBudget:
    """A wall-clock budget per site and run (SITE_TIME_BUDGET seconds; 0: none): once it is spent the site stops
    scheduling, finishes the requests in flight and its pipelines commit what they have. The requests left in
    its queue are counted as newsarchive/capped/time_budget; the next run finds them again."""

    REASON = "site_time_budget"

    def __init__(self, crawler: Crawler, seconds: float) -> None:
        self.crawler = crawler
        self.seconds = seconds
        self.call: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBudget:
        seconds = crawler.settings.getfloat("SITE_TIME_BUDGET", defaults.SITE_TIME_BUDGET)
        if seconds <= 0:
            raise NotConfigured
        ext = cls(crawler, seconds)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.call = task.deferLater(cast("IReactorTime", reactor), self.seconds, self.spent, spider)
        self.call.addErrback(_cancelled)

    def spent(self, spider: Spider) -> None:
        self.call = None
        engine = self.crawler.engine
        assert engine is not None and self.crawler.stats is not None
        if getattr(getattr(engine, "_slot", None), "closing", None):
            return  # the site is finishing already
        scheduler = engine.scheduler if hasattr(engine, "scheduler") else None
        left = len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0
        self.crawler.stats.set_value("newsarchive/capped/time_budget", left)
        log.warning(
            "site %s: its time budget of %.0f s is spent (SITE_TIME_BUDGET): %d queued request(s) left for the "
            "next run; finishing the requests in flight",
            spider.name,
            self.seconds,
            left,
        )
        deferred_from_coro(engine.close_spider_async(reason=self.REASON))

    def spider_closed(self, spider: Spider) -> None:
        call, self.call = self.call, None
        if call is not None:
            call.cancel()


class ItemErrors:
    """A page that fails in a pipeline (an exception, not a DropItem) is counted as newsarchive/item_errors: the
    crawl summary names it and the run exits 1 (crawler/runner.py)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemErrors:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def item_error(self, item: object, response: object, spider: Spider, failure: object) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newsarchive/item_errors")
