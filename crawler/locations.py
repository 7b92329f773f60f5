"""Default locations of the archive and the seen-store (the seen-store's default lives in pipelines/state)."""

from __future__ import annotations

from pipelines.state import default_state_uri

DEFAULT_ARCHIVE_URI = "archive"

__all__ = ["DEFAULT_ARCHIVE_URI", "default_state_uri"]
