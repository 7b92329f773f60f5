"""SQLite state store (one machine): the seen-store (WAL mode so readers do not block the crawl) and the run
locks, in one database file."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipelines.state.base import (
    DEFAULT_TTL,
    HealthEntry,
    LockHolder,
    NearDupEntry,
    PendingCommit,
    SeenEntry,
    StateError,
    pid_alive,
)

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
CREATE TABLE IF NOT EXISTS pending_commits (
    commit_name TEXT PRIMARY KEY,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS near_dup_docs (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    canonical_url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    site TEXT NOT NULL,
    size INTEGER NOT NULL,
    cluster TEXT,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS near_dup_bands (
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (key, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS health (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    run TEXT NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS health_site ON health (site, seq);
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

_ALIAS = (
    "INSERT INTO aliases (url, canonical_url) VALUES (?, ?)"
    " ON CONFLICT (url) DO UPDATE SET canonical_url = excluded.canonical_url"
)

# a revised article keeps its doc number; band keys of its older text stay (they only add candidates,
# which are verified against the current signature)
_NEAR_DUP_UPSERT = """
INSERT INTO near_dup_docs (id, canonical_url, content_hash, site, size, cluster, signature)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    canonical_url = excluded.canonical_url,
    content_hash = excluded.content_hash,
    site = excluded.site,
    size = excluded.size,
    cluster = COALESCE(excluded.cluster, near_dup_docs.cluster),
    signature = excluded.signature
RETURNING doc
"""


def _entry(row: tuple[object, ...] | None) -> SeenEntry | None:
    if row is None:
        return None
    return SeenEntry(*row)  # type: ignore[arg-type]


def _row(e: SeenEntry) -> tuple[object, ...]:
    return (
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


def _near_dup_json(entry: NearDupEntry) -> dict[str, object]:
    data = asdict(entry)
    data["signature"] = entry.signature.hex()
    data["bands"] = list(entry.bands)
    return data


def _near_dup_entry(data: dict[str, Any]) -> NearDupEntry:
    return NearDupEntry(
        **{**data, "signature": bytes.fromhex(str(data["signature"])), "bands": tuple(data["bands"])}
    )


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
        self._staged: dict[tuple[str, str], NearDupEntry] = {}

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

    def mark_archived(
        self,
        entries: Sequence[SeenEntry],
        aliases: Sequence[tuple[str, str]] = (),
        commit: str | None = None,
    ) -> None:
        rows = [_row(e) for e in entries]
        alias_rows = [(url, target) for url, target in aliases if url != target]
        with self._lock:
            staged = [
                s for e in entries if (s := self._staged.get((e.canonical_url, e.content_hash))) is not None
            ]
            if commit is not None and not staged:  # a recovered commit: its entries as prepared
                staged = self._prepared_near_dups(commit)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(_UPSERT, rows)
                self._db.executemany(_ALIAS, alias_rows)
                self._write_near_dups(staged)
                if commit is not None:
                    self._db.execute("DELETE FROM pending_commits WHERE commit_name = ?", (commit,))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            for s in staged:
                self._staged.pop((s.canonical_url, s.content_hash), None)

    def touch(
        self, canonical_url: str, fetched_at: str, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE seen SET last_fetched = ?, etag = COALESCE(?, etag),"
                " last_modified = COALESCE(?, last_modified) WHERE canonical_url = ?",
                (fetched_at, etag, last_modified, canonical_url),
            )

    def add_alias(self, url: str, canonical_url: str) -> None:
        if url == canonical_url:
            return
        with self._lock:
            self._db.execute(_ALIAS, (url, canonical_url))

    def resolve_alias(self, url: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT canonical_url FROM aliases WHERE url = ?", (url,)).fetchone()
        return None if row is None else str(row[0])

    # --- crash recovery ---
    def prepare_commit(
        self, commit: str, entries: Sequence[SeenEntry], aliases: Sequence[tuple[str, str]] = ()
    ) -> None:
        with self._lock:
            staged = [
                _near_dup_json(s)
                for e in entries
                if (s := self._staged.get((e.canonical_url, e.content_hash))) is not None
            ]
        payload = json.dumps(
            {
                "entries": [asdict(e) for e in entries],
                "aliases": [list(a) for a in aliases],
                "near_dups": staged,  # so that a recovered commit enters the near-duplicate index too
            }
        )
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO pending_commits (commit_name, payload) VALUES (?, ?)",
                (commit, payload),
            )

    def _prepared_near_dups(self, commit: str) -> list[NearDupEntry]:
        row = self._db.execute(
            "SELECT payload FROM pending_commits WHERE commit_name = ?", (commit,)
        ).fetchone()
        if row is None:
            return []
        return [_near_dup_entry(d) for d in json.loads(row[0]).get("near_dups", [])]

    def pending_commits(self) -> list[PendingCommit]:
        with self._lock:
            rows = self._db.execute(
                "SELECT commit_name, payload FROM pending_commits ORDER BY commit_name"
            ).fetchall()
        out = []
        for name, payload in rows:
            data = json.loads(payload)
            out.append(
                PendingCommit(
                    str(name),
                    tuple(SeenEntry(**e) for e in data["entries"]),
                    tuple((str(a), str(b)) for a, b in data["aliases"]),
                )
            )
        return out

    def discard_commit(self, commit: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM pending_commits WHERE commit_name = ?", (commit,))

    # --- near-duplicate index ---
    def stage_near_dup(self, entry: NearDupEntry) -> None:
        with self._lock:
            self._staged[(entry.canonical_url, entry.content_hash)] = entry

    def _write_near_dups(self, entries: Sequence[NearDupEntry]) -> None:
        bands: list[tuple[int, int]] = []
        for entry in entries:
            doc = self._db.execute(
                _NEAR_DUP_UPSERT,
                (
                    entry.id,
                    entry.canonical_url,
                    entry.content_hash,
                    entry.site,
                    entry.size,
                    entry.cluster,
                    entry.signature,
                ),
            ).fetchone()[0]
            bands.extend((key, doc) for key in entry.bands)
        # in key order: each page of the band index is visited once per batch
        bands.sort()
        self._db.executemany("INSERT OR IGNORE INTO near_dup_bands (key, doc) VALUES (?, ?)", bands)

    def add_near_dups(self, entries: Sequence[NearDupEntry]) -> None:
        """Write index entries directly, in one transaction (bulk loads and benchmarks)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._write_near_dups(entries)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def near_dup_candidates(self, bands: Sequence[int], limit: int = 50) -> list[NearDupEntry]:
        if not bands:
            return []
        marks = ",".join("?" * len(bands))
        with self._lock:
            rows = self._db.execute(
                "SELECT d.id, d.canonical_url, d.content_hash, d.site, d.size, d.signature, d.cluster"
                " FROM (SELECT doc, COUNT(*) AS shared FROM near_dup_bands"
                f" WHERE key IN ({marks}) GROUP BY doc ORDER BY shared DESC LIMIT ?) AS c"
                " JOIN near_dup_docs AS d ON d.doc = c.doc ORDER BY c.shared DESC",
                (*bands, limit),
            ).fetchall()
        return [
            NearDupEntry(
                id=str(r[0]),
                canonical_url=str(r[1]),
                content_hash=str(r[2]),
                site=str(r[3]),
                size=int(r[4]),
                signature=bytes(r[5]),
                cluster=None if r[6] is None else str(r[6]),
            )
            for r in rows
        ]

    def near_dup_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM near_dup_docs").fetchone()[0])

    # --- extraction health history ---
    def add_health(self, entry: HealthEntry, keep: int = 50) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO health (site, run, at, payload) VALUES (?, ?, ?, ?)",
                    (entry.site, entry.run, entry.at, json.dumps(entry.health, sort_keys=True)),
                )
                self._db.execute(
                    "DELETE FROM health WHERE site = ? AND seq NOT IN"
                    " (SELECT seq FROM health WHERE site = ? ORDER BY seq DESC LIMIT ?)",
                    (entry.site, entry.site, max(keep, 1)),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def is_empty(self) -> bool:
        with self._lock:
            return all(
                self._db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None
                for table in ("seen", "aliases", "pending_commits")
            )

    def health_history(self, site: str | None = None, limit: int = 50) -> list[HealthEntry]:
        with self._lock:
            sites = (
                [site]
                if site is not None
                else [str(r[0]) for r in self._db.execute("SELECT DISTINCT site FROM health ORDER BY site")]
            )
            rows = [
                row
                for name in sites
                for row in reversed(
                    self._db.execute(
                        "SELECT site, run, at, payload FROM health WHERE site = ? ORDER BY seq DESC LIMIT ?",
                        (name, max(limit, 0)),
                    ).fetchall()
                )
            ]
        return [HealthEntry(str(r[0]), str(r[1]), str(r[2]), json.loads(r[3])) for r in rows]

    # --- discovered entry points of sites given by URL (DiscoveryCache) ---
    _DISCOVERY = "CREATE TABLE IF NOT EXISTS discovery (site TEXT PRIMARY KEY, expires REAL NOT NULL, payload TEXT NOT NULL)"

    def get_discovery(self, site: str) -> dict[str, Any] | None:
        with self._lock:
            self._db.execute(self._DISCOVERY)
            row = self._db.execute(
                "SELECT payload FROM discovery WHERE site = ? AND expires > ?", (site, time.time())
            ).fetchone()
        found = json.loads(row[0]) if row else None
        return found if isinstance(found, dict) else None

    def put_discovery(self, site: str, found: dict[str, Any], ttl: float) -> None:
        with self._lock:
            self._db.execute(self._DISCOVERY)
            self._db.execute(
                "INSERT INTO discovery (site, expires, payload) VALUES (?, ?, ?)"
                " ON CONFLICT (site) DO UPDATE SET expires = excluded.expires, payload = excluded.payload",
                (site, time.time() + ttl, json.dumps(found, sort_keys=True)),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class SqliteLockStore:
    """Locks in a ``locks`` table of the SQLite state file (one transaction per operation)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.token = uuid.uuid4().hex
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS locks (site TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,"
                " token TEXT NOT NULL, acquired_at REAL NOT NULL, expires_at REAL NOT NULL)"
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS runs (site TEXT PRIMARY KEY, started_at REAL NOT NULL, clean INTEGER)"
            )
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot open the lock table in {self.path}: {exc}") from exc

    def _holder(self, site: str) -> LockHolder | None:
        row = self.db.execute(
            "SELECT site, host, pid, token, acquired_at, expires_at FROM locks WHERE site = ?", (site,)
        ).fetchone()
        return LockHolder(*row) if row else None

    def _stale(self, holder: LockHolder, now: float) -> bool:
        if holder.expires_at < now:
            return True
        return holder.host == self.host and holder.pid != self.pid and not pid_alive(holder.pid)

    def acquire(self, site: str, ttl: float = DEFAULT_TTL) -> LockHolder | None:
        now = time.time()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            holder = self._holder(site)
            if holder is not None and holder.token != self.token and not self._stale(holder, now):
                self.db.execute("ROLLBACK")
                return holder
            self.db.execute(
                "INSERT OR REPLACE INTO locks (site, host, pid, token, acquired_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (site, self.host, self.pid, self.token, now, now + ttl),
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return None

    def refresh(self, site: str, ttl: float = DEFAULT_TTL) -> bool:
        cur = self.db.execute(
            "UPDATE locks SET expires_at = ? WHERE site = ? AND token = ?",
            (time.time() + ttl, site, self.token),
        )
        return cur.rowcount == 1

    def release(self, site: str) -> None:
        self.db.execute("DELETE FROM locks WHERE site = ? AND token = ?", (site, self.token))

    def begin_run(self, site: str) -> bool:
        row = self.db.execute("SELECT clean FROM runs WHERE site = ?", (site,)).fetchone()
        self.db.execute(
            "INSERT OR REPLACE INTO runs (site, started_at, clean) VALUES (?, ?, NULL)", (site, time.time())
        )
        return row is None or bool(row[0])

    def end_run(self, site: str, clean: bool) -> None:
        self.db.execute("UPDATE runs SET clean = ? WHERE site = ?", (int(clean), site))

    def close(self) -> None:
        self.db.close()
