"""The storage protocol: a flat namespace of immutable objects addressed by '/'-separated keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self, runtime_checkable


class StorageError(Exception):
    """A storage cannot be opened or used; the message is one line meant for the user."""


@runtime_checkable
class Storage(Protocol):
    """Write-once object storage.

    ``put`` is atomic (an object is invisible until complete) and never overwrites: it raises
    ``FileExistsError`` when the key exists. ``get`` and ``size`` raise ``FileNotFoundError``
    for a missing key. ``list`` returns the sorted keys starting with ``prefix``.
    """

    uri: str

    @classmethod
    def from_uri(cls, uri: str, settings: Mapping[str, Any], *, writable: bool = True) -> Self: ...

    def check_writable(self) -> None:
        """Raise StorageError (one line) unless objects can be written here."""
        ...

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def list(self, prefix: str) -> list[str]: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def size(self, key: str) -> int: ...


@runtime_checkable
class RangeStorage(Storage, Protocol):
    """A storage that can read a byte range without fetching the whole object."""

    def get_range(self, key: str, offset: int, length: int) -> bytes: ...


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative '/'-separated key, else raise ValueError."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"invalid storage key {key!r}: empty")
    if "\\" in key or "\x00" in key:
        raise ValueError(f"invalid storage key {key!r}: backslash or NUL")
    if key.startswith("/") or (len(key) > 1 and key[1] == ":"):
        raise ValueError(f"invalid storage key {key!r}: absolute path")
    for segment in key.split("/"):
        if not segment:
            raise ValueError(f"invalid storage key {key!r}: empty segment")
        if segment in (".", ".."):
            raise ValueError(f"invalid storage key {key!r}: '.' or '..' segment")
        if segment.startswith("."):
            raise ValueError(f"invalid storage key {key!r}: hidden segment (reserved for temporary files)")
    return key
