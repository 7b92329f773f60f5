"""Storage backends by URI scheme (like Scrapy's FEED_STORAGES)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pipelines.storage.base import RangeStorage, Storage, StorageError, check_key
from pipelines.storage.fs import FileStorage
from pipelines.storage.s3 import S3Storage  # boto3 is imported only when an s3:// URI is opened

__all__ = [
    "STORAGES",
    "FileStorage",
    "RangeStorage",
    "S3Storage",
    "Storage",
    "StorageError",
    "check_key",
    "open_storage",
]

#: URI scheme -> backend class. A plain path (no scheme) uses "file".
STORAGES: dict[str, type[Storage]] = {
    "file": FileStorage,
    "s3": S3Storage,
}


def _scheme(uri: str) -> str:
    scheme = urlsplit(uri).scheme.lower()
    # "C:\\archive" parses with scheme "c"; a one-letter scheme is a drive letter, i.e. a plain path
    return "file" if len(scheme) <= 1 else scheme


def open_storage(uri: str, settings: Mapping[str, Any] | None = None, *, writable: bool = True) -> Storage:
    """Open the storage at ``uri``; raise StorageError with a one-line message when it cannot be used.

    With ``writable=False`` (readers) a missing local root is an error instead of being created.
    """
    if not uri:
        raise StorageError("no archive URI given (set ARCHIVE_URI)")
    scheme = _scheme(uri)
    cls = STORAGES.get(scheme)
    if cls is None:
        known = ", ".join(sorted(STORAGES))
        raise StorageError(f"unknown storage scheme {scheme!r} in {uri!r} (known: {known}, or a plain path)")
    return cls.from_uri(uri, settings or {}, writable=writable)
