"""Object names of archive format v1 (see docs/ARCHIVE.md); pure functions."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

VERSION = "v1"
SCHEMA_VERSION = 1
#: minor version of the record format within v1, new optional fields only: 1 adds kicker, places and place
#: (docs/ARCHIVE.md); a record without it is minor 0
SCHEMA_MINOR = 1
ARTICLES = f"{VERSION}/articles"
RAW = f"{VERSION}/raw"
MANIFESTS = f"{VERSION}/manifests"

_SITE_UNSAFE = re.compile(r"[^a-z0-9_-]+")
COMMIT_RE = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-\d{8}T\d{6}Z-[0-9a-f]{8}-\d{5,}$")


def sanitise_site(site: object) -> str:
    """Site name safe for a partition value: [a-z0-9_-] only, never empty."""
    text = _SITE_UNSAFE.sub("_", str(site or "").lower()).strip("_")
    return text or "unknown"


def new_run_id(now: datetime | None = None) -> str:
    """``<UTC YYYYmmddTHHMMSSZ>-<8 hex>``."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def commit_name(run: str, seq: int, now: datetime | None = None) -> str:
    """``<UTC YYYYmmddTHHMMSS.ffffffZ>-<run>-<seq:05d>``: names sort in commit order."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{run}-{seq:05d}"


def part_name(run: str, part: int) -> str:
    return f"{run}-{part:05d}"


def articles_key(site: str, day: str, run: str, part: int) -> str:
    return f"{ARTICLES}/site={sanitise_site(site)}/date={day}/{part_name(run, part)}.jsonl.gz"


def raw_key(site: str, day: str, run: str, part: int) -> str:
    return f"{RAW}/site={sanitise_site(site)}/date={day}/{part_name(run, part)}.warc.gz"


def manifest_key(commit: str) -> str:
    return f"{MANIFESTS}/{commit}.json"


def commit_of(manifest: str) -> str | None:
    """The commit name of a manifest key, or None if the key is not a manifest."""
    prefix = f"{MANIFESTS}/"
    if not manifest.startswith(prefix) or not manifest.endswith(".json"):
        return None
    name = manifest[len(prefix) : -len(".json")]
    return name if COMMIT_RE.match(name) else None


def check_cursor(cursor: str) -> str:
    """``cursor`` if it is a commit name (what readers hand out as the cursor), else ValueError: a corrupted
    cursor must not silently read as "nothing after it"."""
    if not COMMIT_RE.match(cursor):
        raise ValueError(
            f"not a cursor: {cursor!r} (a commit name such as 20240101T120000.000000Z-20240101T115900Z-0123abcd-00001)"
        )
    return cursor
