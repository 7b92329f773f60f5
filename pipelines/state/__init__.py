"""Seen-store backends and the per-crawler shared store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from scrapy import signals

from pipelines.redact import redact_url
from pipelines.state.base import HealthEntry, NearDupEntry, PendingCommit, SeenEntry, SeenStore, StateError
from pipelines.state.sqlite import SqliteSeenStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = [
    "DEFAULT_STATE_URI",
    "HealthEntry",
    "NearDupEntry",
    "PendingCommit",
    "SeenEntry",
    "SeenStore",
    "SqliteSeenStore",
    "StateError",
    "open_state",
    "state_for",
]

#: used when the STATE_URI setting is empty
DEFAULT_STATE_URI = "archive.state.sqlite"

_ATTR = "_newsarchive_state"


def open_state(uri: str) -> SeenStore:
    """Open ``sqlite:///abs/path``, ``sqlite:relative/path`` or a plain ``*.sqlite`` / ``*.db`` path."""
    if not uri:
        raise StateError("no seen-store URI given (set STATE_URI)")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc:
            raise StateError(
                f"invalid seen-store URI {redact_url(uri)!r}: use sqlite:///abs/path or sqlite:relative/path"
            )
        path = unquote(parts.path)
        if not path:
            raise StateError(f"invalid seen-store URI {redact_url(uri)!r}: no database path")
        return SqliteSeenStore(path)
    if scheme in ("redis", "rediss"):
        from pipelines.state.redis import RedisSeenStore

        return RedisSeenStore(uri)
    if len(scheme) <= 1 and Path(uri).suffix.lower() in (".sqlite", ".sqlite3", ".db"):
        return SqliteSeenStore(uri)
    raise StateError(
        f"unknown seen-store URI {redact_url(uri)!r}"
        " (use sqlite:///abs/path, sqlite:relative/path or a *.sqlite / *.db path)"
    )


def state_for(crawler: Crawler) -> SeenStore:
    """The crawler's seen-store from the STATE_URI setting: opened once, closed on spider_closed."""
    store: SeenStore | None = getattr(crawler, _ATTR, None)
    if store is not None:
        return store
    opened = open_state(crawler.settings.get("STATE_URI") or DEFAULT_STATE_URI)
    setattr(crawler, _ATTR, opened)

    def _close() -> None:
        if getattr(crawler, _ATTR, None) is opened:
            delattr(crawler, _ATTR)
        opened.close()

    crawler.signals.connect(_close, signal=signals.spider_closed, weak=False)
    return opened
