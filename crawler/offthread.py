"""Article extraction off the crawl thread: a process pool shared by the spiders of one process.

Scrapy runs its callbacks on one thread, so a crawl uses one core. ``EXTRACT_WORKERS`` worker processes take
the decode + parse + extraction of each page (the largest CPU cost after the fetch itself) so that a second
core works while the crawl thread fetches. 0 extracts inline, on the crawl thread. The pool starts with the
first article and stops when the last spider using it closes; a failed worker falls back to inline extraction.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler import defaults
from crawler.extract import SiteSelectors, decode_html, extract

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.interfaces import IReactorFromThreads

logger = logging.getLogger(__name__)


def extract_page(
    body: bytes, charset: str | None, url: str, selectors: SiteSelectors | None
) -> dict[str, Any]:
    """Decode and extract one page (what a worker runs; also the inline path)."""
    return extract(decode_html(body, charset), url, selectors)


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: leave when the crawl process is gone (a SIGKILLed crawl cannot stop its pool)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class ExtractPool:
    """A ProcessPoolExecutor shared by the crawlers of this process, reference-counted by crawler."""

    _shared: ExtractPool | None = None

    def __init__(self, workers: int) -> None:
        # spawn: never fork a process that runs a reactor and threads
        self.executor = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        self.workers = workers
        self.users = 0

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> ExtractPool | None:
        """The shared pool (started on first use), or None when ``EXTRACT_WORKERS`` is 0."""
        workers = crawler.settings.getint("EXTRACT_WORKERS", defaults.extract_workers())
        if workers <= 0:
            return None
        if cls._shared is None:
            cls._shared = cls(workers)
        pool = cls._shared
        pool.users += 1
        crawler.signals.connect(pool.release, signal=signals.spider_closed, weak=False)
        return pool

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            if ExtractPool._shared is self:
                ExtractPool._shared = None
            self.executor.shutdown(wait=True, cancel_futures=True)

    async def extract(
        self, body: bytes, charset: str | None, url: str, selectors: SiteSelectors | None
    ) -> dict[str, Any]:
        """The page's fields, extracted in a worker process; the crawl thread serves other requests meanwhile."""
        # imported here: the installed reactor (an import at module level would install the default one)
        from twisted.internet import reactor

        future = self.executor.submit(extract_page, body, charset, url, selectors)
        deferred: Deferred[dict[str, Any]] = Deferred()
        from_threads: IReactorFromThreads = reactor  # type: ignore[assignment]

        def done(f: Future[dict[str, Any]]) -> None:
            # called in the executor's management thread: hand the result to the reactor thread
            error = CancelledError() if f.cancelled() else f.exception()
            if error is not None:
                from_threads.callFromThread(deferred.errback, error)
            else:
                from_threads.callFromThread(deferred.callback, f.result())

        future.add_done_callback(done)
        return await maybe_deferred_to_future(deferred)
