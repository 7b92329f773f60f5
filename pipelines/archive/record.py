"""The archive record: the item's fields as JSON, minus the transient raw_response and precomputed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import orjson

#: record fields in their documented order (docs/ARCHIVE.md, schema.json); all are always present
FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "canonical_url",
    "site",
    "publisher",
    "region",
    "language",
    "title",
    "kicker",
    "lead",
    "body",
    "authors",
    "published",
    "modified",
    "section",
    "keywords",
    "image",
    "paywalled",
    "crawled_at",
    "revision",
    "previous_hash",
    "content_hash",
    "aliases",
    "cluster",
    "near_duplicate_of",
    "raw",
    "extractor",
    "schema_version",
)
_LISTS = frozenset({"authors", "keywords", "aliases"})
#: optional fields written even when null (place: None says "no main place", not "not tagged")
_NULLABLE_EXTRAS = frozenset({"place"})
#: item fields never written to the JSON record
TRANSIENT = frozenset({"raw_response", "precomputed"})


def build_record(item: Mapping[str, Any]) -> dict[str, Any]:
    """All FIELDS (missing ones as null / []), then any extra fields of the item, minus TRANSIENT."""
    record: dict[str, Any] = {name: ([] if name in _LISTS else None) for name in FIELDS}
    for name, value in item.items():
        if name not in TRANSIENT and (value is not None or name in _NULLABLE_EXTRAS):
            record[name] = value
    if record["paywalled"] is None:
        record["paywalled"] = False
    return record


def _default(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


#: orjson's output is the standard library's for records (tests/test_archive_record.py): dates and datetimes go
#: through _default as there; what orjson refuses (non-str keys, integers beyond 64 bits) goes to the json module.
#: (A float would be written in orjson's shortest form, 1e-7 where json writes 1e-07: no record field is a float.)
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_APPEND_NEWLINE


def dumps(record: Mapping[str, Any]) -> bytes:
    """One JSON line (UTF-8, no ASCII escaping, trailing newline): orjson, byte for byte what
    ``json.dumps(record, ensure_ascii=False, separators=(",", ":"))`` writes, in a thirtieth of the time; a lone
    surrogate (which orjson refuses) goes to the json module and is replaced."""
    try:
        return orjson.dumps(record, default=_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return dumps_json(record)


def dumps_json(record: Mapping[str, Any]) -> bytes:
    """:func:`dumps` with the standard library's json module (the reference output, and the fallback)."""
    text = json.dumps(record, ensure_ascii=False, default=_default, separators=(",", ":")) + "\n"
    return text.encode("utf-8", "replace") if _has_surrogate(text) else text.encode()


def _has_surrogate(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False
