"""Per-site run locks in the state store: two overlapping runs of one site never crawl at once.

A lock has an owner (host, pid, run token) and an expiry that the holder extends while it runs (heartbeat).
A lock whose holder died expires: at once when the holder was a process on this host that no longer exists,
otherwise when its expiry passes. The SQLite lock lives in the seen-store's database file, in its own table.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from pipelines.redact import redact_url
from pipelines.state.base import StateError

DEFAULT_TTL = 600.0


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a site's lock."""

    site: str
    host: str
    pid: int
    token: str
    acquired_at: float
    expires_at: float

    def describe(self) -> str:
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.acquired_at))
        return f"pid {self.pid} on {self.host} since {since}"


class LockStore(Protocol):
    def acquire(self, site: str, ttl: float = DEFAULT_TTL) -> LockHolder | None:
        """Take the site's lock and return None, or return the live holder that has it."""
        ...

    def refresh(self, site: str, ttl: float = DEFAULT_TTL) -> bool:
        """Extend our lock; False when it was lost (expired and taken by another run)."""
        ...

    def release(self, site: str) -> None: ...

    def begin_run(self, site: str) -> bool:
        """Record that a run of the site starts; True when the run before it finished cleanly (or there was none).

        Incremental crawls stop reading a feed early at known articles only after a clean run: a run that was
        killed or stopped early may have left unarchived articles among known ones."""
        ...

    def end_run(self, site: str, clean: bool) -> None:
        """Record how the run ended (clean: every article it found was handled)."""
        ...

    def close(self) -> None: ...


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        return holder.host == self.host and holder.pid != self.pid and not _pid_alive(holder.pid)

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


def open_locks(uri: str) -> LockStore:
    """The lock store beside the seen-store at ``uri`` (same URI forms as open_state)."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        return SqliteLockStore(unquote(parts.path))
    if len(scheme) <= 1:
        return SqliteLockStore(uri)
    if scheme in ("redis", "rediss"):
        from pipelines.state.redis_locks import RedisLockStore

        return RedisLockStore(uri)
    raise StateError(f"no run locks for state URI {redact_url(uri)!r}")
