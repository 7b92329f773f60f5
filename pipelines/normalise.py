"""NormalisePipeline: clean text, dates and URLs, then compute id and content_hash."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urljoin, urlsplit

from itemadapter import ItemAdapter

from pipelines.archive.layout import SCHEMA_MINOR
from pipelines.precompute import matching
from pipelines.text import (
    article_id,
    canonical,
    clean_body,
    clean_list,
    clean_text,
    content_hash,
    iso_date,
    pick_canonical,
    utc_now_iso,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_TEXT_FIELDS = ("title", "kicker", "lead", "section", "publisher", "region")
_LIST_FIELDS = ("authors", "keywords")
_DATE_FIELDS = ("published", "modified")


class NormalisePipeline:
    """Normalise an article item in place (any item type, through itemadapter).

    Items without a body are kept (so they can be re-extracted from the raw WARC later) and counted
    as ``newsarchive/empty_body``.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        # title, body and hash computed next to the parse, when the item carries them for its very text
        pre = matching(adapter)
        for name in _TEXT_FIELDS:
            if name in adapter:
                adapter[name] = (
                    pre.title if pre is not None and name == "title" else clean_text(adapter[name])
                )
        for name in _LIST_FIELDS:
            if name in adapter:
                adapter[name] = clean_list(adapter[name])
        adapter["body"] = pre.body if pre is not None else clean_body(adapter.get("body"))
        if not adapter["body"]:
            self.stats.inc_value("newsarchive/empty_body")
        for name in _DATE_FIELDS:
            if adapter.get(name):
                value = iso_date(adapter[name])
                if value is None:
                    self.stats.inc_value("newsarchive/invalid_date")
                    logger.debug("Unparseable %s %r in %s", name, adapter[name], adapter.get("url"))
                adapter[name] = value
        adapter["crawled_at"] = iso_date(adapter.get("crawled_at")) or utc_now_iso()

        url = str(adapter.get("url") or "")
        if url:
            declared = adapter.get("canonical_url")
            canonical_url, used = pick_canonical(url, declared)
            if declared and not used:
                self.stats.inc_value("newsarchive/canonical_ignored")
                if isinstance(declared, str) and not _is_http(urljoin(url, declared.strip())):
                    # file:, javascript:, data: ... in a canonical tag: dropped like such links anywhere
                    self.stats.inc_value("newsarchive/rejected/scheme")
            adapter["canonical_url"] = canonical_url
            declared_aliases = [a for a in adapter.get("aliases") or [] if isinstance(a, str) and a]
            aliases = [canonical(a) for a in declared_aliases if _is_http(urljoin(url, a))]
            if len(aliases) < len(declared_aliases):
                self.stats.inc_value("newsarchive/rejected/scheme", len(declared_aliases) - len(aliases))
            fetched = canonical(url)
            if fetched != canonical_url:
                aliases.insert(0, fetched)
            adapter["aliases"] = list(dict.fromkeys(a for a in aliases if a != canonical_url))
            adapter["id"] = article_id(canonical_url)
        else:
            adapter.setdefault("aliases", [])
        adapter["content_hash"] = (
            pre.content_hash if pre is not None else content_hash(adapter.get("title"), adapter["body"])
        )
        adapter["schema_version"] = SCHEMA_VERSION
        with suppress(KeyError):  # an item type of a hook without the field stays at the minor version 0
            adapter["schema_minor"] = SCHEMA_MINOR
        if not adapter.get("revision"):
            adapter["revision"] = 1
        return item


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")
