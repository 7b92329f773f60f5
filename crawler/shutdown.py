"""Stopping a crawl early on purpose: an operator's interrupt (SIGINT, SIGTERM) and ``--max-articles``.

A crawler that stops schedules nothing more: its spider closes, the requests waiting in the downloader's queues
(behind DOWNLOAD_DELAY or AutoThrottle) are dropped at once, and only the transfers under way finish; the
pipelines then commit what was archived. An interrupt does this for every crawler of the process; a second
interrupt, or SHUTDOWN_TIMEOUT seconds without the first one finishing, ends the process at once
(``os._exit``): committed parts stay, a commit cut short is resolved by the next run exactly as after a
SIGKILL (docs/RELIABILITY.md). No thread can keep the process alive past that bound.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler import defaults
from pipelines.limit import article_limit_reached

if TYPE_CHECKING:
    from types import FrameType

    from scrapy import Request
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

#: exit code of a run ended by an interrupt (documented in README.md; precedence 1, 6, 3, 5, 4)
EXIT_INTERRUPTED = 6
#: seconds the first interrupt waits for pages in flight before the process ends at once
SHUTDOWN_TIMEOUT = defaults.SHUTDOWN_TIMEOUT

_stopping: weakref.WeakKeyDictionary[Crawler, str] = weakref.WeakKeyDictionary()


class Stopping(IgnoreRequest):
    """A request dropped because its crawl is stopping: neither an error nor a failed entry point."""


def stopping(crawler: Crawler) -> bool:
    """True once ``stop`` was called for this crawler."""
    return crawler in _stopping


def stopping_reason(crawler: Crawler) -> str:
    """Why ``stop`` was called for this crawler (``shutdown``: an interrupt; ``max_articles``), else ""."""
    return _stopping.get(crawler, "")


def drain(crawler: Crawler) -> int:
    """Drop the requests waiting in the crawler's downloader queues (not yet sent); the number dropped."""
    engine = crawler.engine
    if engine is None:
        return 0
    dropped = 0
    # the downloader's slots are Scrapy internals (2.19): without them the transfers only take longer to drain
    for slot in list(getattr(engine.downloader, "slots", {}).values()):
        slot.delay = 0.0
        while getattr(slot, "queue", None):
            _request, waiting = slot.queue.popleft()
            dropped += 1
            with contextlib.suppress(Exception):
                waiting.errback(Stopping("the crawl is stopping"))
    return dropped


def stop(crawler: Crawler, reason: str) -> None:
    """Stop the crawler: schedule nothing more, drop queued requests, close the spider (its pipelines commit)."""
    if crawler in _stopping:
        return
    _stopping[crawler] = reason
    engine = crawler.engine
    if engine is None or not engine.running or crawler.spider is None:
        return
    dropped = drain(crawler)
    if crawler.stats is not None and dropped:
        crawler.stats.inc_value("newsarchive/dropped_on_stop", dropped)
    deferred_from_coro(engine.close_spider_async(reason=reason))


class StopGuard:
    """Downloader middleware: a request of a stopping crawler goes no further (see ``stop``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.crawler in _stopping:
            raise Stopping("the crawl is stopping")


class MaxArticles:
    """MAX_ARTICLES (``crawl --max-articles N``): when the N-th article goes on to the archive
    (pipelines/limit.py, which drops any later one) the crawler stops (``stop``): at most N are archived."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MaxArticles:
        limit = crawler.settings.getint("MAX_ARTICLES", 0)
        if limit <= 0:
            raise NotConfigured
        ext = cls(crawler, limit)
        crawler.signals.connect(ext.reached, signal=article_limit_reached)
        return ext

    def reached(self) -> None:
        if not stopping(self.crawler):
            name = self.crawler.spider.name if self.crawler.spider else "?"
            log.info("%s: %d articles archived (MAX_ARTICLES): stopping", name, self.limit)
            stop(self.crawler, "max_articles")


def _say(line: str) -> None:
    """One line on stderr, safe inside a signal handler (no Python-level stream locks)."""
    with contextlib.suppress(OSError):
        os.write(2, line.encode("utf-8", "replace") + b"\n")


def exit_now(code: int = EXIT_INTERRUPTED) -> None:
    """End the process at once after flushing what can be flushed; threads are not waited for."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


class Interrupts:
    """SIGINT/SIGTERM handling of a crawl process.

    The first signal calls ``on_first`` in the reactor thread (which stops every crawler) and arms a watchdog:
    if the process has not ended ``timeout`` seconds later, it ends at once. A second signal ends it at once.
    """

    def __init__(self, timeout: float, on_first: Callable[[], None]) -> None:
        self.timeout = timeout
        self.on_first = on_first
        self.signal_name = ""
        self.count = 0
        self._previous: dict[int, Any] = {}

    @property
    def interrupted(self) -> bool:
        return self.count > 0

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        """Put back the previous handlers, unless the run was interrupted: then a further signal, even while the
        summary is printed or helpers stop, ends the process at once."""
        if self.count:
            return
        for signum, handler in self._previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signum, handler)
        self._previous.clear()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.count += 1
        name = signal.Signals(signum).name
        if self.count > 1:
            _say(
                f"newsarchive: {name} again: stopping at once (committed articles stay; the next run goes on)"
            )
            exit_now(EXIT_INTERRUPTED)
            return
        self.signal_name = name
        _say(
            f"newsarchive: {name}: shutting down: no new pages; pages in flight get up to {self.timeout:g} s "
            "(SHUTDOWN_TIMEOUT), then what was archived is committed; interrupt again to stop at once"
        )
        threading.Thread(target=self._watchdog, name="shutdown-watchdog", daemon=True).start()
        from twisted.internet import reactor

        reactor.callFromThread(self.on_first)  # type: ignore[attr-defined]

    def _watchdog(self) -> None:
        threading.Event().wait(self.timeout)
        _say(
            f"newsarchive: not finished {self.timeout:g} s after the interrupt (SHUTDOWN_TIMEOUT): stopping at "
            "once; pages in flight are abandoned, committed articles stay"
        )
        exit_now(EXIT_INTERRUPTED)
