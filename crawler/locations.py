"""Default locations of the archive and the seen-store."""

from __future__ import annotations

import re

DEFAULT_ARCHIVE_URI = "archive"


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
