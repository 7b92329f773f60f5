"""DedupPipeline: new, unchanged, revised or duplicate, against the seen-store and this run."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from pipelines.state import ClaimingStore, SeenStore, state_for
from pipelines.text import utc_now_iso

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def _header(headers: object, name: str) -> str | None:
    """First value of header ``name`` in a raw_response ``[[name, value], ...]`` list."""
    if not isinstance(headers, list | tuple):
        return None
    for pair in headers:
        if isinstance(pair, list | tuple) and len(pair) == 2 and str(pair[0]).lower() == name:
            return str(pair[1])
    return None


def _drop(adapter: ItemAdapter, message: str, log_level: str) -> DropItem:
    # the dropped item is logged whole: leave out the raw HTTP body and what was computed from it
    adapter.pop("raw_response", None)
    adapter.pop("precomputed", None)
    return DropItem(message, log_level=log_level)


class DedupPipeline:
    """Decide per item, in this order (runs after NormalisePipeline):

    - canonical URL already handled in this run -> drop, ``newsarchive/duplicate``;
    - archived before with the same content_hash -> drop, ``newsarchive/unchanged``; the store's
      last_fetched and validators (ETag, Last-Modified) are updated, so the revisit policy waits again;
    - archived before with another hash -> keep as revision n+1, ``newsarchive/revised``;
    - same (site, content_hash) archived or handled under another canonical URL -> drop,
      ``newsarchive/duplicate``, and record the URL as an alias of that article;
    - otherwise keep, ``newsarchive/new``.
    """

    def __init__(self, store: SeenStore, stats: StatsCollector) -> None:
        self.store = store
        self.stats = stats
        self.pending: dict[str, str] = {}  # canonical_url -> content_hash, handled in this run
        self.pending_hashes: dict[tuple[str, str], str] = {}  # (site, content_hash) -> canonical_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(state_for(crawler), crawler.stats)

    def _touch(self, adapter: ItemAdapter, canonical_url: str) -> None:
        raw = adapter.get("raw_response")
        headers = raw.get("headers") if isinstance(raw, Mapping) else None
        fetched = raw.get("fetched_at") if isinstance(raw, Mapping) else None
        self.store.touch(
            canonical_url,
            str(fetched or adapter.get("crawled_at") or utc_now_iso()),
            etag=_header(headers, "etag"),
            last_modified=_header(headers, "last-modified"),
        )

    def _claim(self, adapter: ItemAdapter, canonical_url: str, site: str, digest: str) -> None:
        """Workers of a distributed crawl share the store but not ``pending``: a store with ``claim``
        (pipelines/state/redis.py) reserves the article, or names the article another live worker is
        archiving with this canonical URL or this text, and the item is a duplicate of it."""
        if not isinstance(self.store, ClaimingStore):
            return
        holder = self.store.claim(canonical_url, site, digest)
        if holder is None:
            return
        self.stats.inc_value("newsarchive/duplicate")
        if holder != canonical_url:
            self.store.add_alias(canonical_url, holder)
        raise _drop(adapter, f"Being archived by another worker: {holder} ({canonical_url})", "DEBUG")

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        canonical_url = adapter.get("canonical_url")
        digest = adapter.get("content_hash")
        site = str(adapter.get("site") or "")
        if not canonical_url or not digest:
            self.stats.inc_value("newsarchive/invalid")
            raise _drop(
                adapter, "Article without canonical_url or content_hash (is NormalisePipeline on?)", "ERROR"
            )
        if canonical_url in self.pending:
            self.stats.inc_value("newsarchive/duplicate")
            raise _drop(adapter, f"Duplicate in this run: {canonical_url}", "DEBUG")
        old = self.store.get(canonical_url)
        if old is not None:
            if old.content_hash == digest:
                self.stats.inc_value("newsarchive/unchanged")
                self._touch(adapter, canonical_url)
                raise _drop(adapter, f"Unchanged since revision {old.revision}: {canonical_url}", "DEBUG")
            self._claim(adapter, canonical_url, site, digest)
            adapter["revision"] = old.revision + 1
            adapter["previous_hash"] = old.content_hash
            self.stats.inc_value("newsarchive/revised")
            logger.debug("Revision %d of %s", old.revision + 1, canonical_url)
        else:
            original = self.pending_hashes.get((site, digest))
            if original is None:
                found = self.store.find_by_hash(site, digest)
                original = found.canonical_url if found is not None else None
            if original is not None and original != canonical_url:
                self.stats.inc_value("newsarchive/duplicate")
                self.store.add_alias(canonical_url, original)
                raise _drop(adapter, f"Duplicate of {original}: {canonical_url}", "INFO")
            self._claim(adapter, canonical_url, site, digest)
            adapter["revision"] = 1
            adapter["previous_hash"] = None
            self.stats.inc_value("newsarchive/new")
        self.pending[canonical_url] = digest
        self.pending_hashes.setdefault((site, digest), canonical_url)
        return item
