"""The shared queue's serialiser: requests as JSON, never pickle (``SCHEDULER_SERIALIZER``).

scrapy-redis pickles queued requests by default, so anyone who can write to Redis could run code in every worker.
Here a queued request is a JSON object, the dict of Scrapy's ``Request.to_dict`` made JSON-safe (docs/DEPLOY.md):

    {"v": 1, "url": "https://...", "method": "GET", "callback": "parse_article", "errback": "fetch_failed",
     "headers": {"If-None-Match": ["\\"abc\\""]}, "body": "<base64>", "cookies": {}, "meta": {...},
     "cb_kwargs": {...}, "encoding": "utf-8", "priority": 0, "dont_filter": false, "flags": []}

Header names and values are latin-1 text, the body is base64. Nothing in an entry chooses code: no ``_class``
(Scrapy would import the class it names), callbacks only ``parse*`` and errbacks only ``*_failed`` methods of
the spider. An entry that does not decode raises :class:`QueueEntryError`; the queue drops and counts it
(``newsarchive/rejected/queue_entry``) without running anything.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

VERSION = 1
_CALLBACK = re.compile(r"^parse\w*$")
_ERRBACK = re.compile(r"^\w+_failed$")
_FIELDS = {
    "url": str,
    "method": str,
    "encoding": str,
    "priority": int,
    "dont_filter": bool,
    "meta": dict,
    "cb_kwargs": dict,
    "flags": list,
}


class QueueEntryError(ValueError):
    """A queue entry that is not a request this project queued."""


def _json_default(value: object) -> Any:
    raise TypeError(
        f"a request with a {type(value).__name__} in its meta or cb_kwargs cannot be queued as JSON"
    )


def dumps(obj: dict[str, Any]) -> bytes:
    """``Request.to_dict()`` -> JSON bytes."""
    if obj.get("_class"):
        raise TypeError(f"only scrapy.Request can be queued, not {obj['_class']}")
    doc = {k: v for k, v in obj.items() if k not in ("body", "headers", "_class")}
    doc["v"] = VERSION
    doc["body"] = base64.b64encode(obj.get("body") or b"").decode("ascii")
    headers = obj.get("headers") or {}
    doc["headers"] = {
        _text(name): [_text(v) for v in (values if isinstance(values, list) else [values])]
        for name, values in headers.items()
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, default=_json_default).encode("utf-8")


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def loads(data: bytes | str) -> dict[str, Any]:
    """JSON bytes -> the dict ``request_from_dict`` takes; QueueEntryError for anything else."""
    if isinstance(data, bytes) and data[:1] != b"{":
        raise QueueEntryError("not a JSON request (a pickle or other binary data?)")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise QueueEntryError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("v") != VERSION:
        raise QueueEntryError(f"not a version {VERSION} request entry")
    for name, kind in _FIELDS.items():
        if name in doc and not isinstance(doc[name], kind):
            raise QueueEntryError(f"{name}: not a {kind.__name__}")
    if not doc.get("url"):
        raise QueueEntryError("no url")
    for name, pattern in (("callback", _CALLBACK), ("errback", _ERRBACK)):
        value = doc.get(name)
        if value is not None and not (isinstance(value, str) and pattern.match(value)):
            raise QueueEntryError(f"{name} {value!r} is not allowed")
    headers = doc.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(vs, list) and all(isinstance(v, str) for v in vs) for vs in headers.values()
    ):
        raise QueueEntryError("headers: not a map of lists of strings")
    try:
        body = base64.b64decode(str(doc.get("body") or ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise QueueEntryError(f"body: not base64: {exc}") from exc
    out = {k: v for k, v in doc.items() if k not in ("v", "_class")}
    out["body"] = body
    try:
        out["headers"] = {
            name.encode("latin-1"): [v.encode("latin-1") for v in values] for name, values in headers.items()
        }
    except UnicodeEncodeError as exc:
        raise QueueEntryError(f"headers: not latin-1: {exc}") from exc
    return out
