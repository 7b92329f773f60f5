"""Article extraction off the crawl thread: a process pool shared by the spiders of one process.

Scrapy runs its callbacks on one thread, so a crawl uses one core. ``EXTRACT_WORKERS`` worker processes take
all the per-page work of each article in one pass over one parse (:func:`process_page`): decode + parse +
extraction, then the content hash and MinHash signature of the normalised text and the compressed WARC records of
the exchange (pipelines.precompute), so that the crawl thread only fetches and keeps the books. The response body
goes to the worker once; the fields, the hash, the signature and the (compressed) records come back.
0 workers does the same work inline, on the crawl thread. The pool starts with the first article and stops when
the last spider using it closes; a failed worker falls back to inline work.
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
from crawler.extract.recognise import rejection
from pipelines.precompute import Precomputed, precompute

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.interfaces import IReactorFromThreads

logger = logging.getLogger(__name__)


def extract_page(
    body: bytes, charset: str | None, url: str, selectors: SiteSelectors | None
) -> dict[str, Any]:
    """Decode and extract one page."""
    if not body.startswith((b"\xff\xfe", b"\xfe\xff")) and _is_utf8(body):
        # the parser takes UTF-8 bytes as they are: no decoding to str and encoding back
        return extract(body, url, selectors)
    return extract(decode_html(body, charset), url, selectors)


def _is_utf8(body: bytes) -> bool:
    if body.isascii():
        return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


#: what a worker returns: the extracted fields and the values computed from them and the exchange (None for a
#: page its verdict rejects: the spider drops it, so nothing is hashed, signed or written as WARC for it)
PageResult = tuple[dict[str, Any], Precomputed | None]


def process_page(
    body: bytes, charset: str | None, url: str, selectors: SiteSelectors | None, exchange: dict[str, Any]
) -> PageResult:
    """All per-page work of an article (what a worker runs; also the inline path): extract the fields, then
    the content hash, signature and WARC records of the exchange (``exchange``: a raw_response without its
    body, which is ``body``)."""
    fields = extract_page(body, charset, url, selectors)
    if rejection(fields):
        return fields, None
    return fields, precompute(fields, {**exchange, "body": body})


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: leave when the crawl process is gone (a SIGKILLed crawl cannot stop its pool).

    Ctrl-C on a terminal reaches every process of the group: a worker ignores it and lets the crawl process
    decide (crawler/shutdown.py); it ends with the pool or with its parent."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)

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
        self.pending: set[Future[PageResult]] = set()

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

    @classmethod
    def cancel_waiting(cls) -> int:
        """Cancel the pages waiting for a worker (not yet started): their spiders extract them inline, so an
        interrupted crawl does not wait for workers (which may still be starting); the number cancelled."""
        pool = cls._shared
        if pool is None:
            return 0
        return sum(1 for future in list(pool.pending) if future.cancel())

    @classmethod
    def stop_shared(cls) -> None:
        """Stop the shared pool whatever its users, without waiting for work in hand (after the reactor)."""
        pool, cls._shared = cls._shared, None
        if pool is not None:
            pool.executor.shutdown(wait=False, cancel_futures=True)

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            if ExtractPool._shared is self:
                ExtractPool._shared = None
            self.executor.shutdown(wait=True, cancel_futures=True)

    async def process(
        self,
        body: bytes,
        charset: str | None,
        url: str,
        selectors: SiteSelectors | None,
        exchange: dict[str, Any],
    ) -> PageResult:
        """:func:`process_page` in a worker process; the crawl thread serves other requests meanwhile."""
        # imported here: the installed reactor (an import at module level would install the default one)
        from twisted.internet import reactor

        future = self.executor.submit(process_page, body, charset, url, selectors, exchange)
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)
        deferred: Deferred[PageResult] = Deferred()
        from_threads: IReactorFromThreads = reactor  # type: ignore[assignment]

        def done(f: Future[PageResult]) -> None:
            # called in the executor's management thread: hand the result to the reactor thread
            error = CancelledError() if f.cancelled() else f.exception()
            if error is not None:
                from_threads.callFromThread(deferred.errback, error)
            else:
                from_threads.callFromThread(deferred.callback, f.result())

        future.add_done_callback(done)
        return await maybe_deferred_to_future(deferred)
