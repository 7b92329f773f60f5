"""The seen-store protocol: what has been archived, keyed by canonical URL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


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


class SeenStore(Protocol):
    """Archived articles, written only after their archive part is committed."""

    def get(self, canonical_url: str) -> SeenEntry | None: ...

    def find_by_hash(self, site: str, content_hash: str) -> SeenEntry | None: ...

    def mark_archived(self, entries: Sequence[SeenEntry]) -> None:
        """Insert or update ``entries`` in one transaction (``first_seen`` of a known URL is kept)."""
        ...

    def add_alias(self, url: str, canonical_url: str) -> None: ...

    def resolve_alias(self, url: str) -> str | None: ...

    def close(self) -> None: ...
