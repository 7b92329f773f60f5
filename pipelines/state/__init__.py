"""The state store: seen-store, run locks and health history, one backend module each (sqlite.py, redis.py).

Interfaces live in base.py; this module opens them by URI (one parser for both) and keeps the crawler's
seen-store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from scrapy import signals

from pipelines.redact import redact_url
from pipelines.state.base import (
    DEFAULT_TTL,
    ClaimingStore,
    HealthEntry,
    LockHolder,
    LockStore,
    NearDupEntry,
    PendingCommit,
    SeenEntry,
    SeenStore,
    StateError,
)
from pipelines.state.sqlite import SqliteLockStore, SqliteSeenStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = [
    "DEFAULT_STATE_URI",
    "DEFAULT_TTL",
    "ClaimingStore",
    "HealthEntry",
    "LockHolder",
    "LockStore",
    "NearDupEntry",
    "PendingCommit",
    "SeenEntry",
    "SeenStore",
    "SqliteLockStore",
    "SqliteSeenStore",
    "StateError",
    "StateLocation",
    "default_state_uri",
    "open_locks",
    "open_state",
    "parse_state_uri",
    "state_for",
    "state_uri",
]

#: the seen-store of the default archive (./archive)
DEFAULT_STATE_URI = "archive.state.sqlite"


def default_state_uri(archive_uri: str) -> str:
    """The seen-store beside a local archive (``archive`` -> ``archive.state.sqlite``).

    For a remote archive (``s3://bucket/prefix``) the store is a local file named after bucket and prefix.
    """
    if "://" in archive_uri and not archive_uri.startswith("file://"):
        scheme, rest = archive_uri.split("://", 1)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", rest).strip("-.") or scheme
        return f"{scheme}-{slug}.state.sqlite"
    path = archive_uri.removeprefix("file://").rstrip("/") or "."
    return f"{path}.state.sqlite"


def state_uri(settings: Any) -> str:
    """STATE_URI, else the seen-store of ARCHIVE_URI however that was given (environment, -s, --archive)."""
    return str(settings.get("STATE_URI") or default_state_uri(str(settings.get("ARCHIVE_URI") or "archive")))


_ATTR = "_newsarchive_state"
_SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


@dataclass(frozen=True, slots=True)
class StateLocation:
    """A parsed state URI: the backend and what it opens (a file path for sqlite, the URI for redis)."""

    backend: Literal["sqlite", "redis"]
    target: str


def parse_state_uri(uri: str) -> StateLocation:
    """Parse ``sqlite:///abs/path``, ``sqlite:relative/path``, a plain ``*.sqlite`` / ``*.db`` path or
    ``redis://host:port/db``; a StateError (one line) for anything else."""
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
        return StateLocation("sqlite", path)
    if scheme in ("redis", "rediss"):
        return StateLocation("redis", uri)
    if len(scheme) <= 1 and Path(uri).suffix.lower() in _SQLITE_SUFFIXES:
        return StateLocation("sqlite", uri)
    raise StateError(
        f"unknown seen-store URI {redact_url(uri)!r}"
        " (use sqlite:///abs/path, sqlite:relative/path, a *.sqlite / *.db path or redis://host:port/db)"
    )


def open_state(uri: str) -> SeenStore:
    """The seen-store at ``uri`` (see parse_state_uri)."""
    where = parse_state_uri(uri)
    if where.backend == "redis":
        from pipelines.state.redis import RedisSeenStore

        return RedisSeenStore(where.target)
    return SqliteSeenStore(where.target)


def open_locks(uri: str) -> LockStore:
    """The run locks beside the seen-store at ``uri`` (same URIs as open_state)."""
    where = parse_state_uri(uri)
    if where.backend == "redis":
        from pipelines.state.redis import RedisLockStore

        return RedisLockStore(where.target)
    return SqliteLockStore(where.target)


def state_for(crawler: Crawler) -> SeenStore:
    """The crawler's seen-store from the STATE_URI setting: opened once, closed on spider_closed."""
    store: SeenStore | None = getattr(crawler, _ATTR, None)
    if store is not None:
        return store
    opened = open_state(state_uri(crawler.settings))
    setattr(crawler, _ATTR, opened)

    def _close() -> None:
        if getattr(crawler, _ATTR, None) is opened:
            delattr(crawler, _ATTR)
        opened.close()

    crawler.signals.connect(_close, signal=signals.spider_closed, weak=False)
    return opened
