"""Read committed records of a v1 archive, in commit order, with a cursor."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from pipelines.archive.layout import MANIFESTS, commit_of, manifest_key
from pipelines.storage import RangeStorage, Storage, StorageError, open_storage


class ArchiveError(StorageError):
    """The archive is inconsistent (a committed part is missing or does not match its manifest)."""


class ArchiveReader:
    """Reads only parts listed in committed manifests; ``cursor`` is the last commit fully read."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.cursor: str | None = None

    def manifests(self, after: str | None = None) -> list[str]:
        """Commit names after ``after`` (exclusive), in commit order."""
        names = [name for key in self.storage.list(f"{MANIFESTS}/") if (name := commit_of(key)) is not None]
        return sorted(name for name in names if after is None or name > after)

    def manifest(self, commit: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.storage.get(manifest_key(commit)))
        return data

    def records(self, site: str | None = None, after: str | None = None) -> Iterator[dict[str, Any]]:
        """Records of the commits after ``after`` (optionally of one site); updates ``cursor`` per commit."""
        self.cursor = after
        for commit in self.manifests(after):
            for part in self.manifest(commit).get("parts", []):
                if part.get("kind") != "articles" or (site is not None and part.get("site") != site):
                    continue
                yield from self._part_records(part)
            self.cursor = commit

    def _part_records(self, part: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        key = str(part["key"])
        try:
            data = self.storage.get(key)
        except FileNotFoundError as exc:
            raise ArchiveError(f"committed part {key!r} is missing from {self.storage.uri}") from exc
        if hashlib.sha256(data).hexdigest() != part.get("sha256"):
            raise ArchiveError(f"committed part {key!r} does not match the sha256 of its manifest")
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)

    def read_raw(self, record: Mapping[str, Any]) -> bytes:
        """The gzipped WARC response record of ``record`` (a complete one-record WARC.gz file)."""
        raw = record.get("raw")
        if not raw:
            raise KeyError(f"record {record.get('id')!r} has no raw response")
        key, offset, length = str(raw["warc"]), int(raw["offset"]), int(raw["length"])
        if isinstance(self.storage, RangeStorage):
            return self.storage.get_range(key, offset, length)
        return self.storage.get(key)[offset : offset + length]

    def read_payload(self, record: Mapping[str, Any]) -> bytes:
        """The HTTP response body of ``record`` as fetched (decoded transfer encoding)."""
        for warc_record in ArchiveIterator(io.BytesIO(self.read_raw(record))):
            if warc_record.rec_type == "response":
                payload: bytes = warc_record.content_stream().read()
                return payload
        raise ArchiveError(f"no WARC response record at {record.get('raw')!r}")


def open_archive(uri: str, settings: Mapping[str, Any] | None = None) -> ArchiveReader:
    """A reader of the archive at ``uri`` (raises StorageError if it cannot be opened)."""
    return ArchiveReader(open_storage(uri, settings, writable=False))
