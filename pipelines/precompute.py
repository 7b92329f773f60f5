"""Per-article work done once, next to the parse (in an extraction worker), for the pipelines to take.

A crawl's extraction workers (crawler/offthread.py) call :func:`precompute` on the fields they extracted and the
HTTP exchange, and the item carries the result in its transient ``precomputed`` field: the content hash and the
MinHash signature of the normalised text, and the compressed WARC records of the exchange. The pipelines take
these values only when they still match the item (:func:`matching`: the same normalised title and body, the same
exchange), and compute them themselves otherwise, e.g. for an item of a plain Scrapy spider, or one a site hook
changed after extraction. Nothing here imports the crawler.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.archive.warc import ExchangeRecords, body_bytes, exchange_records
from pipelines.cluster import Signature, signature
from pipelines.text import clean_body, clean_text, content_hash

#: the item field that carries a :class:`Precomputed` (transient: never written to the archive)
FIELD = "precomputed"


@dataclass(frozen=True, slots=True)
class Precomputed:
    """Values computed from an extracted title and body (``source_title``, ``source_body``) and one exchange."""

    source_title: object
    source_body: object
    #: the normalised title and body (pipelines.text.clean_text, clean_body), as NormalisePipeline makes them
    title: str | None
    body: str
    content_hash: str
    signature: Signature | None
    warc: ExchangeRecords | None
    #: the length of the response body the WARC records hold
    body_length: int = 0


def precompute(fields: Mapping[str, Any], raw: Mapping[str, Any] | None) -> Precomputed:
    """Hash, signature and WARC records of extracted ``fields`` and the exchange ``raw`` (a raw_response)."""
    source_title, source_body = fields.get("title"), fields.get("body")
    title, body = clean_text(source_title), clean_body(source_body)
    warc = exchange_records(raw) if raw else None
    length = len(body_bytes(raw)) if raw else 0
    return Precomputed(
        source_title, source_body, title, body, content_hash(title, body), signature(body), warc, length
    )


def matching(item: Mapping[str, Any] | Any) -> Precomputed | None:
    """The item's precomputed values if they were computed from its title and body as they are now (before
    normalisation): an item whose text a hook changed after extraction gets None."""
    pre = item.get(FIELD) if hasattr(item, "get") else None
    if not isinstance(pre, Precomputed):
        return None
    if item.get("title") != pre.source_title or item.get("body") != pre.source_body:
        return None
    return pre


def matching_warc(item: Mapping[str, Any] | Any, raw: Mapping[str, Any]) -> ExchangeRecords | None:
    """The item's precomputed WARC records if they hold the exchange ``raw`` (same URL, same body length)."""
    pre = item.get(FIELD) if hasattr(item, "get") else None
    if not isinstance(pre, Precomputed) or pre.warc is None:
        return None
    url = raw.get("url")
    if url and str(url) != pre.warc.url:
        return None
    if len(body_bytes(raw)) != pre.body_length:
        return None
    return pre.warc
