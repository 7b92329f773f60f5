"""Check an archive against its manifests: every committed part present, of the recorded size and sha256;
and list orphans (parts uploaded by a commit that never wrote its manifest)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pipelines.archive.layout import ARTICLES, RAW
from pipelines.archive.reader import ArchiveReader

_RUN_TIME = re.compile(r"/(\d{8}T\d{6}Z)-[0-9a-f]{8}-\d{5,}\.(?:jsonl|warc)\.gz$")


@dataclass
class VerifyResult:
    commits: int = 0
    parts: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)  # committed parts missing or not as recorded
    orphans: list[str] = field(default_factory=list)  # parts no manifest lists (old enough to be sure)
    recent: list[str] = field(default_factory=list)  # unlisted parts of runs that may still be committing

    @property
    def ok(self) -> bool:
        return not self.problems


def orphan_age(key: str, now: datetime) -> timedelta | None:
    """How long ago the run that wrote ``key`` started (from the run id in its name)."""
    match = _RUN_TIME.search(key)
    if match is None:
        return None
    started = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return now - started


def verify(reader: ArchiveReader, min_orphan_age: timedelta = timedelta(hours=6)) -> VerifyResult:
    """Check every committed part; unlisted parts younger than ``min_orphan_age`` are only "recent"."""
    storage = reader.storage
    result = VerifyResult()
    listed: set[str] = set()
    for commit, manifest in reader.commits():
        result.commits += 1
        for part in manifest.get("parts", []):
            key = str(part.get("key"))
            listed.add(key)
            result.parts += 1
            try:
                data = storage.get(key)
            except FileNotFoundError:
                result.problems.append(f"{key}: missing (commit {commit})")
                continue
            except ValueError as exc:  # a key with "..", an absolute path, ...: never read
                result.problems.append(f"{key!r}: not a valid object key (commit {commit}): {exc}")
                continue
            result.bytes += len(data)
            if part.get("bytes") is not None and len(data) != int(part["bytes"]):
                result.problems.append(f"{key}: {len(data)} bytes, the manifest says {part['bytes']}")
            elif part.get("sha256") and hashlib.sha256(data).hexdigest() != part["sha256"]:
                result.problems.append(f"{key}: sha256 differs from the manifest's")
    now = datetime.now(UTC)
    for key in _part_keys(reader):
        if key in listed:
            continue
        age = orphan_age(key, now)
        (result.orphans if age is not None and age >= min_orphan_age else result.recent).append(key)
    return result


def _part_keys(reader: ArchiveReader) -> Iterator[str]:
    for prefix in (ARTICLES + "/", RAW + "/"):
        yield from reader.storage.list(prefix)
