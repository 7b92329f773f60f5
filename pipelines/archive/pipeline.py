"""ArchivePipeline: batch records into parts, commit parts with a manifest, then mark them seen."""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

import scrapy
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.defer import DeferredLock
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from pipelines.archive.layout import SCHEMA_VERSION, commit_name, manifest_key, new_run_id
from pipelines.archive.part import OpenPart, PartObject
from pipelines.archive.record import build_record
from pipelines.archive.warc import ExchangeRecords
from pipelines.precompute import FIELD, matching_warc
from pipelines.state import SeenStore, state_for
from pipelines.storage import Storage, StorageError, open_storage
from pipelines.storage.spool import SpooledStorage, with_spool

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFAULT_ARCHIVE_URI = "archive"
DEFAULT_PART_MAX_RECORDS = 500
DEFAULT_PART_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_PART_MAX_AGE = 300.0
SOFTWARE = "newsarchive (pipelines.archive, format v1)"
#: seconds after which a pending commit without a manifest is dropped from the seen-store
PENDING_COMMIT_TTL = 3600.0
#: signal sent (with ``pipeline=``) at spider close before the last commit, to fill ``run_info``
archive_closing = object()


def reactor_now() -> Any:
    """The installed reactor (imported late: importing it early would install the default one)."""
    from twisted.internet import reactor

    return reactor


def _take_exchange(adapter: ItemAdapter) -> tuple[Mapping[str, Any] | None, ExchangeRecords | None]:
    """Pop the transient raw_response and precomputed fields: the exchange, and its WARC records if they were
    built already for this exchange (pipelines.precompute)."""
    raw = adapter.pop("raw_response", None)
    raw = raw if isinstance(raw, Mapping) else None
    warc = matching_warc(adapter, raw) if raw is not None else None
    adapter.pop(FIELD, None)
    return raw, warc


class SharedWriter:
    """The archive writer thread, one per process and shared by the pipelines of every crawler in it.

    One thread keeps each pipeline's writes in order (a FIFO queue) as a thread per crawler did, without a thread
    (and a malloc arena) per site when one process crawls hundreds of sites. It stops with its last user.
    """

    pool: ThreadPool | None = None
    users = 0

    @classmethod
    def acquire(cls) -> ThreadPool:
        if cls.pool is None:
            cls.pool = ThreadPool(1, 1, name="archive-writer")
            cls.pool.start()
        cls.users += 1
        return cls.pool

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users <= 0 and cls.pool is not None:
            cls.pool.stop()
            cls.pool, cls.users = None, 0

    @classmethod
    def stop(cls) -> None:
        """Stop the thread whatever its users (after the reactor: a crawler that never closed keeps none)."""
        if cls.pool is not None:
            cls.pool.stop()
            cls.pool, cls.users = None, 0


class ArchivePipeline:
    """Write records to ``ARCHIVE_URI`` in the v1 layout (docs/ARCHIVE.md).

    Records are buffered per (site, UTC date) in an open part. A part is committed when it holds
    ARCHIVE_PART_MAX_RECORDS records or ARCHIVE_PART_MAX_BYTES bytes, when it is older than
    ARCHIVE_PART_MAX_AGE seconds as an item arrives, and at spider close. A commit puts the parts, then
    the manifest, and only then marks the records archived in the seen-store. A failed commit is logged
    as an ERROR and counted in ``newsarchive/archive_errors``; its articles stay unseen.
    """

    def __init__(
        self,
        storage: Storage,
        store: SeenStore,
        stats: StatsCollector,
        *,
        max_records: int = DEFAULT_PART_MAX_RECORDS,
        max_bytes: int = DEFAULT_PART_MAX_BYTES,
        max_age: float = DEFAULT_PART_MAX_AGE,
        crawler_info: dict[str, Any] | None = None,
    ) -> None:
        self.storage = storage
        self.store = store
        self.stats = stats
        self.max_records = max_records
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.crawler_info: dict[str, Any] = dict(crawler_info or {})
        self.run = new_run_id()
        self.parts: dict[tuple[str, str], OpenPart] = {}
        self._next_part = 0
        self._next_commit = 0
        self.crawler: Crawler | None = None
        #: the archive writer thread (ARCHIVE_WRITER_THREAD), or None: parts are written on the crawl thread
        self.writer: ThreadPool | None = None
        self._writing = DeferredLock()
        #: ARCHIVE_COMMIT_HOOK: called with each point of the commit protocol it passes: "after-part" (a part
        #: object written, its manifest not yet), "in-manifest" (intent recorded, manifest being written),
        #: "after-manifest" (manifest written, seen-store not yet updated); the crash tests kill the process there
        self.commit_hook: Callable[[str], None] | None = None
        #: extra manifest keys of this run (e.g. ``health``, filled by crawler.health before the last commit)
        self.run_info: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        try:
            storage = open_storage(settings.get("ARCHIVE_URI") or DEFAULT_ARCHIVE_URI, settings)
        except NotConfigured as exc:  # e.g. boto3 missing: fail, rather than let Scrapy drop the pipeline
            raise StorageError(str(exc)) from exc
        # with ARCHIVE_SPOOL_DIR set, objects the store does not take wait in a local spool (per site)
        storage = with_spool(storage, settings, name=getattr(crawler.spidercls, "name", "") or "")
        info = {"software": SOFTWARE, "scrapy": scrapy.__version__, "bot": settings.get("BOT_NAME")}
        pipeline = cls(
            storage,
            state_for(crawler),
            crawler.stats,
            max_records=settings.getint("ARCHIVE_PART_MAX_RECORDS", DEFAULT_PART_MAX_RECORDS),
            max_bytes=settings.getint("ARCHIVE_PART_MAX_BYTES", DEFAULT_PART_MAX_BYTES),
            max_age=settings.getfloat("ARCHIVE_PART_MAX_AGE", DEFAULT_PART_MAX_AGE),
            crawler_info=info,
        )
        pipeline.crawler = crawler
        if hook := settings.get("ARCHIVE_COMMIT_HOOK"):
            pipeline.commit_hook = load_object(hook)
        if settings.getbool("ARCHIVE_WRITER_THREAD", False):
            pipeline.writer = SharedWriter.acquire()
            crawler.signals.connect(SharedWriter.release, signal=signals.spider_closed, weak=False)
        return pipeline

    def open_spider(self) -> None:
        if self.crawler is not None and self.crawler.spider is not None:
            self.crawler_info["spider"] = self.crawler.spider.name
        logger.info("Archiving to %s (run %s)", self.storage.uri, self.run)
        if isinstance(self.storage, SpooledStorage):
            self.storage.flush()  # what an earlier run left in the spool goes first
        self.recover()

    def recover(self) -> None:
        """Resolve commits a killed run left pending: seen if the manifest exists, else dropped when old.

        A pending commit without a manifest may belong to a crawler that is still writing it (several
        crawlers can share a seen-store), so it is dropped only after PENDING_COMMIT_TTL seconds.
        """
        now = datetime.now(UTC)
        for pending in self.store.pending_commits():
            if self.storage.exists(manifest_key(pending.commit)):
                self.store.mark_archived(pending.entries, pending.aliases, commit=pending.commit)
                self.stats.inc_value("newsarchive/recovered_commits")
                logger.warning("Commit %s was written but not marked seen: marked now", pending.commit)
                continue
            try:
                created = datetime.strptime(pending.commit[:23], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
            except ValueError:
                created = now - timedelta(seconds=PENDING_COMMIT_TTL)
            if (now - created).total_seconds() >= PENDING_COMMIT_TTL:
                self.store.discard_commit(pending.commit)

    def process_item(self, item: Any) -> Any:
        if self.writer is not None:
            return self._process_in_writer(item)
        adapter = ItemAdapter(item)
        raw, warc = _take_exchange(adapter)
        record = build_record(adapter.asdict())
        self._part_for(record).add(record, raw, warc)
        return self._added(adapter, record)

    def _part_for(self, record: dict[str, Any]) -> OpenPart:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        partition = (str(record.get("site") or ""), day)
        part = self.parts.get(partition)
        if part is None:
            part = OpenPart(partition[0], day, self.run, self._next_part, SOFTWARE)
            self._next_part += 1
            self.parts[partition] = part
        return part

    def _added(self, adapter: ItemAdapter, record: dict[str, Any]) -> Any:
        """After a record went into its part: point the item at its raw record, commit the parts due."""
        if record.get("raw") is not None:
            adapter["raw"] = record["raw"]
        due = [
            key
            for key, p in self.parts.items()
            if p.records >= self.max_records or p.nbytes >= self.max_bytes or p.age() >= self.max_age
        ]
        if due:
            self.commit([self.parts.pop(key) for key in due])
        return adapter.item

    async def _process_in_writer(self, item: Any) -> Any:
        """process_item with the part's WARC + gzip work (zlib and hashlib release the GIL) in the writer
        thread, so the crawl thread goes on meanwhile. One item at a time, in arrival order: no part is
        written to while it is committed, and commits stay on the crawl thread (seen-store, storage)."""
        assert self.writer is not None
        await maybe_deferred_to_future(self._writing.acquire())
        try:
            adapter = ItemAdapter(item)
            raw, warc = _take_exchange(adapter)
            record = build_record(adapter.asdict())
            part = self._part_for(record)
            if warc is not None or raw is None:
                part.add(record, raw, warc)  # the WARC records were built in the extraction worker
            else:
                await maybe_deferred_to_future(
                    deferToThreadPool(reactor_now(), self.writer, part.add, record, raw)
                )
            return self._added(adapter, record)
        finally:
            self._writing.release()

    def close_spider(self) -> None:
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(signal=archive_closing, pipeline=self)
        parts, self.parts = list(self.parts.values()), {}
        if parts:
            self.commit(parts)
        elif self.run_info:
            self.commit_info()
        inner = self.storage.inner if isinstance(self.storage, SpooledStorage) else self.storage
        if hasattr(inner, "requests"):
            self.stats.set_value("newsarchive/s3_requests", int(inner.requests))
        if isinstance(self.storage, SpooledStorage):
            left = self.storage.flush()
            self.stats.set_value("newsarchive/spooled", self.storage.spooled)
            self.stats.set_value("newsarchive/spool_uploaded", self.storage.uploaded)
            if left:
                logger.warning(
                    "%d object(s) wait in the spool %s: the next run uploads them", left, self.storage.spool_dir
                )
            self.storage.close()

    def commit(self, parts: list[OpenPart]) -> bool:
        """Put the parts, then the manifest; then mark their records seen. False if nothing was committed."""
        commit = commit_name(self.run, self._next_commit)
        self._next_commit += 1
        records = sum(p.records for p in parts)
        objects: list[PartObject] = []
        key = ""
        try:
            for part in parts:
                for obj in part.finish():
                    key = obj.key
                    self.storage.put(obj.key, obj.data)
                    objects.append(obj)
                    if self.commit_hook is not None:
                        self.commit_hook("after-part")
            entries = [entry for part in parts for entry in part.entries]
            aliases = [alias for part in parts for alias in part.aliases]
            self.store.prepare_commit(commit, entries, aliases)
            key = manifest_key(commit)
            if self.commit_hook is not None:
                self.commit_hook("in-manifest")
            self.storage.put(key, self._manifest(commit, objects, records))
            if self.commit_hook is not None:
                self.commit_hook("after-manifest")
        except Exception as exc:
            self.stats.inc_value("newsarchive/archive_errors")
            logger.error(
                "Archive commit %s failed: cannot write %s to %s (%s: %s); its %d article(s) are not marked "
                "seen and will be archived by the next run",
                commit,
                key,
                self.storage.uri,
                type(exc).__name__,
                exc,
                records,
            )
            return False
        self.stats.inc_value("newsarchive/commits")
        self.stats.inc_value("newsarchive/parts", len(objects))
        self.stats.inc_value("newsarchive/archived", records)
        try:
            self.store.mark_archived(entries, aliases, commit=commit)
        except Exception as exc:
            self.stats.inc_value("newsarchive/state_errors")
            logger.error(
                "Commit %s is in the archive but the seen-store could not be updated (%s: %s); "
                "the next run may archive its %d article(s) again",
                commit,
                type(exc).__name__,
                exc,
                records,
            )
        logger.debug("Committed %s: %d records in %d objects", commit, records, len(objects))
        return True

    def commit_info(self) -> bool:
        """A manifest without parts that carries ``run_info`` (nothing to mark seen)."""
        commit = commit_name(self.run, self._next_commit)
        self._next_commit += 1
        try:
            self.storage.put(manifest_key(commit), self._manifest(commit, [], 0))
        except Exception as exc:
            self.stats.inc_value("newsarchive/archive_errors")
            logger.error("Archive commit %s (no parts) failed: %s: %s", commit, type(exc).__name__, exc)
            return False
        return True

    def _manifest(self, commit: str, objects: list[PartObject], records: int) -> bytes:
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "commit": commit,
            "run": self.run,
            "created": datetime.now(UTC).isoformat(timespec="microseconds"),
            "parts": [obj.manifest_entry() for obj in objects],
            "records": records,
            "crawler": self.crawler_info,
        }
        for key, value in self.run_info.items():
            manifest.setdefault(key, value)
        return json.dumps(manifest, ensure_ascii=False, indent=1, default=str).encode() + b"\n"
