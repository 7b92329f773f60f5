"""SQLite seen-store (one machine; WAL mode so readers do not block the crawl)."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from pipelines.state.base import SeenEntry, StateError

_COLUMNS = (
    "canonical_url, id, site, content_hash, revision, "
    "first_seen, last_fetched, etag, last_modified, published"
)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS seen (
    canonical_url TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    site TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    first_seen TEXT,
    last_fetched TEXT,
    etag TEXT,
    last_modified TEXT,
    published TEXT
);
CREATE INDEX IF NOT EXISTS seen_site_hash ON seen (site, content_hash);
CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    canonical_url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
SELECT {_COLUMNS} FROM seen LIMIT 0;
"""

_UPSERT = f"""
INSERT INTO seen ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (canonical_url) DO UPDATE SET
    id = excluded.id,
    site = excluded.site,
    content_hash = excluded.content_hash,
    revision = excluded.revision,
    first_seen = COALESCE(seen.first_seen, excluded.first_seen),
    last_fetched = excluded.last_fetched,
    etag = excluded.etag,
    last_modified = excluded.last_modified,
    published = excluded.published
"""


def _entry(row: tuple[object, ...] | None) -> SeenEntry | None:
    if row is None:
        return None
    return SeenEntry(*row)  # type: ignore[arg-type]


class SqliteSeenStore:
    """Seen-store in one SQLite file; safe to call from several threads (one lock)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot open seen-store {str(self.path)!r}: {exc}") from exc
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqliteSeenStore({str(self.path)!r})"

    def get(self, canonical_url: str) -> SeenEntry | None:
        with self._lock:
            cur = self._db.execute(f"SELECT {_COLUMNS} FROM seen WHERE canonical_url = ?", (canonical_url,))
            return _entry(cur.fetchone())

    def find_by_hash(self, site: str, content_hash: str) -> SeenEntry | None:
        with self._lock:
            cur = self._db.execute(
                f"SELECT {_COLUMNS} FROM seen WHERE site = ? AND content_hash = ?"
                " ORDER BY first_seen LIMIT 1",
                (site, content_hash),
            )
            return _entry(cur.fetchone())

    def mark_archived(self, entries: Sequence[SeenEntry]) -> None:
        rows = [
            (
                e.canonical_url,
                e.id,
                e.site,
                e.content_hash,
                e.revision,
                e.first_seen,
                e.last_fetched,
                e.etag,
                e.last_modified,
                e.published,
            )
            for e in entries
        ]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(_UPSERT, rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_alias(self, url: str, canonical_url: str) -> None:
        if url == canonical_url:
            return
        with self._lock:
            self._db.execute(
                "INSERT INTO aliases (url, canonical_url) VALUES (?, ?)"
                " ON CONFLICT (url) DO UPDATE SET canonical_url = excluded.canonical_url",
                (url, canonical_url),
            )

    def resolve_alias(self, url: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT canonical_url FROM aliases WHERE url = ?", (url,)).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
