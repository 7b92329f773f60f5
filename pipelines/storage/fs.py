"""Local filesystem storage: one file per object under a root directory."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self
from urllib.parse import unquote, urlsplit

from pipelines.storage.base import StorageError, check_key

_TMP_PREFIX = ".tmp-"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not supported on every platform / filesystem
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def path_from_uri(uri: str) -> Path:
    """Map ``file:///abs``, ``file:rel`` or a plain path to a Path."""
    if uri.startswith("file:"):
        parts = urlsplit(uri)
        if parts.netloc not in ("", "localhost"):
            raise StorageError(f"unsupported file URI {uri!r}: only local paths (file:///path) are supported")
        return Path(unquote(parts.path))
    return Path(uri)


class FileStorage:
    """Objects are files below ``root``; keys are '/'-separated relative paths.

    ``put`` writes a hidden temporary file in the target directory, fsyncs it and hard-links it to
    its final name (``os.link`` fails if the name exists), so an object appears complete or not at all
    and is never overwritten.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()
        self.uri = self.root.as_uri()

    @classmethod
    def from_uri(cls, uri: str, settings: Mapping[str, Any], *, writable: bool = True) -> Self:
        root = path_from_uri(uri)
        if root.exists() and not root.is_dir():
            raise StorageError(f"archive root {str(root)!r} exists and is not a directory")
        if writable:
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create archive root {str(root)!r}: {exc.strerror or exc}"
                ) from exc
        elif not root.is_dir():
            raise StorageError(f"archive root {str(root)!r} does not exist")
        if not os.access(root, os.R_OK | os.X_OK):
            raise StorageError(f"archive root {str(root)!r} is not readable")
        storage = cls(root)
        if writable:
            storage.check_writable()
        return storage

    def __repr__(self) -> str:
        return f"FileStorage({str(self.root)!r})"

    def check_writable(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StorageError(
                f"archive root {str(self.root)!r} is not writable: {exc.strerror or exc}"
            ) from exc

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.exists():
            raise FileExistsError(errno.EEXIST, "object exists", key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, path)  # atomic, and raises FileExistsError instead of overwriting
        finally:
            os.unlink(tmp)
        _fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        with self._path(key).open("rb") as fh:
            fh.seek(offset)
            return fh.read(length)

    def list(self, prefix: str = "") -> list[str]:
        if "\\" in prefix or "\x00" in prefix or prefix.startswith("/") or ".." in prefix.split("/"):
            raise ValueError(f"invalid storage prefix {prefix!r}")
        base = prefix.rpartition("/")[0]
        start = self.root.joinpath(*base.split("/")) if base else self.root
        if not start.is_dir():
            return []
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                if name.startswith("."):
                    continue
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink()

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size
