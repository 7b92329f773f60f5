"""The state store's interfaces: the seen-store (what has been archived, keyed by canonical URL), the
optional capability of claiming work across workers, and the per-site run locks.

Each backend module (sqlite.py, redis.py) implements all of them; pipelines/state/__init__.py opens them by URI.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

#: seconds a run lock lasts without a refresh (the RUN_LOCK_TTL setting overrides it)
DEFAULT_TTL = 600.0


class StateError(Exception):
    """A seen-store cannot be opened; the message is one line meant for the user."""


@dataclass(frozen=True, slots=True)
class SeenEntry:
    """One archived article as the seen-store remembers it (timestamps are ISO 8601 strings)."""

    canonical_url: str
    id: str
    site: str
    content_hash: str
    revision: int = 1
    first_seen: str | None = None
    last_fetched: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class NearDupEntry:
    """An archived article in the near-duplicate index (see pipelines/cluster.py).

    ``signature`` is the packed MinHash signature, ``size`` the number of distinct shingles, ``bands`` the
    LSH band keys (signed 64-bit), ``cluster`` the cluster id given to the article (None: none yet).
    """

    id: str
    canonical_url: str
    content_hash: str
    site: str
    size: int
    signature: bytes
    bands: tuple[int, ...] = ()
    cluster: str | None = None


@dataclass(frozen=True, slots=True)
class PendingCommit:
    """A commit whose manifest may or may not have been written (see ``prepare_commit``)."""

    commit: str
    entries: tuple[SeenEntry, ...]
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class HealthEntry:
    """One run's extraction health of one site (see crawler/health.py and docs/HEALTH.md).

    ``at`` is the ISO 8601 time the run ended, ``run`` the archive run id, ``health`` plain JSON.
    """

    site: str
    run: str
    at: str
    health: dict[str, Any]


class SeenStore(Protocol):
    """Archived articles, written only after their archive part is committed.

    Commit protocol of the archive pipeline: ``prepare_commit`` (intent, before the manifest is written),
    then ``mark_archived(..., commit=name)`` once the manifest exists (clears the intent). A run that dies
    in between leaves a pending commit; the next run resolves it with ``pending_commits`` against the
    archive (manifest present: ``mark_archived``, absent: ``discard_commit``).
    """

    def get(self, canonical_url: str) -> SeenEntry | None: ...

    def find_by_hash(self, site: str, content_hash: str) -> SeenEntry | None: ...

    def mark_archived(
        self,
        entries: Sequence[SeenEntry],
        aliases: Sequence[tuple[str, str]] = (),
        commit: str | None = None,
    ) -> None:
        """Insert or update ``entries`` and ``aliases`` (url, canonical_url) in one transaction
        (``first_seen`` of a known URL is kept), with the near-duplicate entries staged for them, and
        clear the pending ``commit``."""
        ...

    def touch(
        self, canonical_url: str, fetched_at: str, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        """Record a refetch that archived nothing (304 or unchanged): last_fetched and validators."""
        ...

    def add_alias(self, url: str, canonical_url: str) -> None: ...

    def resolve_alias(self, url: str) -> str | None: ...

    # --- crash recovery ---
    def prepare_commit(
        self, commit: str, entries: Sequence[SeenEntry], aliases: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Remember, durably, the entries of ``commit`` before its manifest is written."""
        ...

    def pending_commits(self) -> list[PendingCommit]: ...

    def discard_commit(self, commit: str) -> None: ...

    # --- near-duplicate index ---
    def stage_near_dup(self, entry: NearDupEntry) -> None:
        """Keep ``entry`` in memory; ``mark_archived`` writes it with the seen entry of the same
        (canonical_url, content_hash), so the index holds only committed articles."""
        ...

    def near_dup_candidates(self, bands: Sequence[int], limit: int = 50) -> list[NearDupEntry]:
        """Indexed articles sharing at least one band key (without their ``bands``)."""
        ...

    def near_dup_count(self) -> int: ...

    # --- extraction health history ---
    def add_health(self, entry: HealthEntry, keep: int = 50) -> None:
        """Append a run's health to its site's history and keep only the site's newest ``keep`` runs."""
        ...

    def health_history(self, site: str | None = None, limit: int = 50) -> list[HealthEntry]:
        """The newest ``limit`` runs of ``site`` (of every site when None), oldest first, sites sorted."""
        ...

    # --- the archive this store belongs to (pipelines/archive/identity.py) ---
    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def is_empty(self) -> bool:
        """True when the store remembers no article, alias or pending commit."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class ClaimingStore(Protocol):
    """A seen-store shared by the workers of a distributed crawl (pipelines/state/redis.py): a worker claims an
    article before archiving it, so two workers never archive the same one."""

    #: seconds a claim's holder counts as alive after its last sign of life
    owner_ttl: float

    def claim(self, canonical_url: str, site: str, content_hash: str) -> str | None:
        """None: claimed, go on; else the canonical URL another live worker is archiving with this URL or text."""
        ...


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
    """Per-site run locks: two overlapping runs of one site never crawl at once.

    A lock has an owner (host, pid, run token) and an expiry that the holder extends while it runs (heartbeat).
    A lock whose holder died expires: at once when the holder was a process on this host that no longer
    exists, otherwise when its expiry passes.
    """

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


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (a lock held by a dead local process is stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DiscoveryCache(Protocol):
    """Entry points discovered for a site given by URL, kept for a time-to-live (crawler/spiders/discover.py).

    ``found`` is plain JSON: ``{"feeds": [...], "news_sitemaps": [...], "sitemaps": [...], "sections": [...]}``.
    Both backends implement it (SQLite table ``discovery``, Redis key ``<prefix>:discovery:<site>``).
    """

    def get_discovery(self, site: str) -> dict[str, Any] | None:
        """What was found for ``site``, or None when nothing was or it expired."""
        ...

    def put_discovery(self, site: str, found: dict[str, Any], ttl: float) -> None:
        """Keep ``found`` for ``ttl`` seconds."""
        ...
