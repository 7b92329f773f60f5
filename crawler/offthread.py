"""Article extraction off the crawl thread: a process pool shared by the spiders of one process.

Scrapy runs its callbacks on one thread, so a crawl uses one core. ``EXTRACT_WORKERS`` worker processes take
all the per-page work of each article in one pass over one parse (:func:`process_page`): decode + parse +
extraction, then the content hash and MinHash signature of the normalised text and the compressed WARC records of
the exchange (pipelines.precompute), so that the crawl thread only fetches and keeps the books. The response body
goes to the worker once; the fields, the hash, the signature and the (compressed) records come back.
0 workers does the same work inline, on the crawl thread. The pool starts with the first article and stops when
the last spider using it closes. The handoff uses no thread: each worker's pipe is watched by the reactor
(:class:`ExtractPool`). A page whose worker fails or dies is extracted inline; a dead worker is replaced.
The pickles on the pipes are written by this process and its own workers only.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import signal
from collections import deque
from collections.abc import Sequence
from concurrent.futures import CancelledError
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReadDescriptor
from zope.interface import implementer

from crawler import defaults
from crawler.extract import SiteSelectors, decode_html, extract
from crawler.extract.recognise import rejection
from pipelines.precompute import Precomputed, precompute

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def extract_page(
    body: bytes,
    charset: str | None,
    url: str,
    selectors: SiteSelectors | None,
    coverage: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Decode and extract one page (``coverage``: the site's districts or Land, for its places)."""
    if not body.startswith((b"\xff\xfe", b"\xfe\xff")) and _is_utf8(body):
        # the parser takes UTF-8 bytes as they are: no decoding to str and encoding back
        return extract(body, url, selectors, coverage)
    return extract(decode_html(body, charset), url, selectors, coverage)


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
    body: bytes,
    charset: str | None,
    url: str,
    selectors: SiteSelectors | None,
    exchange: dict[str, Any],
    coverage: Sequence[str] | None = None,
) -> PageResult:
    """All per-page work of an article (what a worker runs; also the inline path): extract the fields and
    places, then the content hash, signature and WARC records of the exchange (``exchange``: a raw_response
    without its body, which is ``body``)."""
    fields = extract_page(body, charset, url, selectors, coverage)
    if rejection(fields):
        return fields, None
    return fields, precompute(fields, {**exchange, "body": body})


class WorkerLost(RuntimeError):
    """An extraction worker died or its pipe broke before it answered (the caller extracts inline)."""


class WorkerError(RuntimeError):
    """:func:`process_page` raised in a worker (its type and message)."""


def _serve(conn: Connection, gc_threshold: int) -> None:
    """An extraction worker: answer each page of ``conn`` with :func:`process_page`'s result until the pipe
    closes, which it does when the crawl process stops the pool or dies (even by SIGKILL: no thread watches)."""
    # Ctrl-C reaches the whole process group: the crawl process decides when its workers stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm_up()
    if gc_threshold > 0:
        from crawler.gctune import tune

        tune(gc_threshold)
    loads, dumps = pickle.loads, pickle.dumps
    while True:
        try:
            head = conn.recv_bytes()
            body = conn.recv_bytes()
        except (EOFError, OSError):
            return
        charset, url, selectors, exchange, coverage = loads(head)
        try:
            answer: tuple[bool, Any] = (True, process_page(body, charset, url, selectors, exchange, coverage))
            data = dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # one bad page: the crawl process hears why, the worker goes on
            data = dumps((False, f"{type(exc).__name__}: {exc}"), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            conn.send_bytes(data)
        except OSError:
            return


def _warm_up() -> None:
    """Import and initialise what the first page would (the parser, the MinHash permutations), so that the
    objects are alive before the worker's garbage collection freezes them."""
    from crawler.places.tagger import load_index
    from pipelines.cluster import signature

    load_index()

    process_page(
        b"<html><head><title>x</title></head><body><p>warm up</p></body></html>",
        "utf-8",
        "https://example.org/",
        None,
        {"url": "https://example.org/", "status": 200, "headers": []},
    )
    signature(" ".join(f"w{i}" for i in range(40)))


@implementer(IReadDescriptor)
class _Worker:
    """One worker process and the crawl process's end of its pipe, watched by the reactor (no threads): a page
    goes out with two writes, the answer is read when the reactor says the pipe is readable."""

    def __init__(self, pool: ExtractPool, process: BaseProcess, conn: Connection) -> None:
        self.pool = pool
        self.process = process
        self.conn = conn
        self.waiting: Deferred[PageResult] | None = None  # the page in work

    # IReadDescriptor
    def fileno(self) -> int:
        return self.conn.fileno() if not self.conn.closed else -1

    def doRead(self) -> None:
        # pickle is safe here and only here: the pipe is an anonymous socket pair between this process and a
        # worker it spawned, and what comes back is process_page's result built by our own code; a page's
        # content travels inside it as strings and bytes, never as pickle opcodes. Nothing from a page, a
        # sitemap or a shared store (Redis, the archive) is ever unpickled (distributed queue: JSON).
        try:
            ok, value = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self.pool.lost(self, exc)
            return
        waiting, self.waiting = self.waiting, None
        self.pool.dispatch()
        if waiting is not None:
            if ok:
                waiting.callback(value)
            else:
                waiting.errback(WorkerError(value))

    def connectionLost(self, reason: object) -> None:
        self.pool.lost(self, WorkerLost("pipe closed"))

    def logPrefix(self) -> str:
        return "extract-worker"

    def send(
        self,
        args: tuple[bytes, str | None, str, SiteSelectors | None, dict[str, Any], Sequence[str] | None],
    ) -> None:
        body, charset, url, selectors, exchange, coverage = args
        self.conn.send_bytes(
            pickle.dumps((charset, url, selectors, exchange, coverage), protocol=pickle.HIGHEST_PROTOCOL)
        )
        self.conn.send_bytes(
            body
        )  # the worker is idle and reads at once; the body is not copied into a pickle

    def stop(self) -> None:
        self.conn.close()  # the worker reads EOF and leaves


class ExtractPool:
    """Extraction worker processes shared by the crawlers of this process, reference-counted by crawler.

    Each worker has a pipe of its own, watched by the reactor: a page goes to an idle worker (the others wait in
    a queue here), its answer is read on the reactor thread when it arrives. No thread is involved, so nothing
    keeps the process from exiting, and the workers leave when their pipe closes. A worker that dies fails its
    page (the spider extracts it inline) and is replaced, up to ``workers`` times in all.
    """

    _shared: ExtractPool | None = None

    def __init__(self, workers: int, gc_threshold: int = 0) -> None:
        self.workers = workers
        self.gc_threshold = gc_threshold
        self.users = 0
        self.restarts = workers
        self.closed = False
        self.pool: list[_Worker] = []
        self.queue: deque[tuple[tuple[Any, ...], Deferred[PageResult]]] = deque()
        for _ in range(workers):
            self.start_worker()

    def start_worker(self) -> None:
        ours, theirs = multiprocessing.Pipe(duplex=True)
        # spawn: never fork a process that runs a reactor and threads; daemon: ended at exit if still running
        process = _SPAWN.Process(
            target=_serve, args=(theirs, self.gc_threshold), name="newsarchive-extract", daemon=True
        )
        process.start()
        theirs.close()
        worker = _Worker(self, process, ours)
        self.pool.append(worker)
        _reactor().addReader(worker)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self.pool if w.process.pid is not None]

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> ExtractPool | None:
        """The shared pool (started on first use), or None when ``EXTRACT_WORKERS`` is 0."""
        workers = crawler.settings.getint("EXTRACT_WORKERS", defaults.extract_workers())
        if workers <= 0:
            return None
        if cls._shared is None:
            tuned = crawler.settings.getbool("GC_TUNE", defaults.GC_TUNE)
            threshold = crawler.settings.getint("GC_THRESHOLD", defaults.GC_THRESHOLD) if tuned else 0
            cls._shared = cls(workers, threshold)
        pool = cls._shared
        pool.users += 1
        crawler.signals.connect(pool.release, signal=signals.spider_closed, weak=False)
        return pool

    @classmethod
    def cancel_waiting(cls) -> int:
        """Fail the pages waiting for a worker (none has them yet): their spiders extract them inline, so an
        interrupted crawl does not wait for workers (which may still be starting); the number cancelled."""
        pool = cls._shared
        if pool is None:
            return 0
        waiting = len(pool.queue)
        pool.fail_queue(CancelledError())
        return waiting

    @classmethod
    def stop_shared(cls) -> None:
        """Stop the shared pool whatever its users, without waiting for work in hand (after the reactor)."""
        pool, cls._shared = cls._shared, None
        if pool is not None:
            pool.closed = True
            workers, pool.pool = pool.pool, []
            for worker in workers:
                worker.stop()
                if worker.process.is_alive():
                    worker.process.kill()

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            self.close()

    def close(self) -> None:
        """Stop the workers (each reads EOF and leaves) and fail the pages still waiting."""
        if ExtractPool._shared is self:
            ExtractPool._shared = None
        self.closed = True
        for worker in self.pool:
            _reactor().removeReader(worker)
            worker.stop()
        for worker in self.pool:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
        pool, self.pool = self.pool, []
        for worker in pool:
            if worker.waiting is not None:
                worker.waiting.errback(CancelledError())
        self.fail_queue(CancelledError())

    def fail_queue(self, error: BaseException) -> None:
        while self.queue:
            _, deferred = self.queue.popleft()
            deferred.errback(error)

    def lost(self, worker: _Worker, error: BaseException) -> None:
        """``worker`` died or its pipe broke: fail its page, end it, start another while restarts are left."""
        if worker not in self.pool:
            return
        self.pool.remove(worker)
        _reactor().removeReader(worker)
        worker.stop()
        worker.process.join(timeout=1)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        logger.warning(
            "extraction worker %s ended (%s, exit code %s)",
            worker.process.pid,
            error,
            worker.process.exitcode,
        )
        waiting, worker.waiting = worker.waiting, None
        if not self.closed and self.restarts > 0:
            self.restarts -= 1
            self.start_worker()
        if waiting is not None:
            waiting.errback(WorkerLost(f"extraction worker ended: {error}"))
        if not self.pool:
            self.fail_queue(WorkerLost("no extraction worker left"))
        else:
            self.dispatch()

    def dispatch(self) -> None:
        """Give waiting pages to idle workers."""
        for worker in list(self.pool):
            if not self.queue:
                return
            if worker.waiting is not None:
                continue
            args, deferred = self.queue.popleft()
            worker.waiting = deferred
            try:
                worker.send(args)
            except OSError as exc:  # it died since its last answer
                self.lost(worker, exc)
                return

    async def process(
        self,
        body: bytes,
        charset: str | None,
        url: str,
        selectors: SiteSelectors | None,
        exchange: dict[str, Any],
        coverage: Sequence[str] | None = None,
    ) -> PageResult:
        """:func:`process_page` in a worker process; the crawl thread serves other requests meanwhile."""
        if not self.pool:
            raise WorkerLost("no extraction worker left")
        deferred: Deferred[PageResult] = Deferred()
        self.queue.append(((body, charset, url, selectors, exchange, coverage), deferred))
        self.dispatch()
        return await maybe_deferred_to_future(deferred)


_SPAWN = multiprocessing.get_context("spawn")


def _reactor() -> Any:
    """The installed reactor (an import at module level would install the default one), as an IReactorFDSet."""
    from twisted.internet import reactor

    return reactor
