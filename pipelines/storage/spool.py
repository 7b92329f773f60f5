"""A local spool in front of a remote storage: writes survive an outage of the store.

``SpooledStorage.put`` writes to the store (with the store's own retries). When the store stays down, it
writes the object to a local spool directory instead and returns; ``flush()`` uploads the spooled objects
later, in the order they were put, and removes each one once the store has it.

Why a commit's manifest still arrives last
    Objects reach the store in exactly the order ``put`` accepted them: while anything is spooled, a new
    ``put`` goes behind it into the spool (never straight to the store), and ``flush`` uploads in that order
    and stops at the first failure. The archive pipeline puts a commit's parts before its manifest, so the
    store never holds a manifest before the parts it lists.

Why nothing is lost and nothing is stored twice
    ``put`` returns only when the object is in the store or durably in the spool (written to a hidden
    temporary file, fsynced, hard-linked to its final name, directory fsynced), so an accepted commit
    survives a crash. A spooled entry is deleted only after the store has accepted it. If a crash comes
    between the upload and the deletion, the next flush finds the key taken (the store never overwrites),
    compares the stored bytes with the spooled ones and, when they match, only deletes the entry. Different
    bytes under the same key stop the flush with an ERROR for a human: nothing is overwritten or dropped.
    The spool must live on persistent disk: objects in it count as written (their articles are marked seen).

One process per spool directory: it is locked (``flock``) while a SpooledStorage uses it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, Self

from pipelines.storage.base import RangeStorage, Storage, StorageError, check_key

logger = logging.getLogger(__name__)

DEFAULT_RETRY_INTERVAL = 60.0
_ENTRY_RE = re.compile(r"(\d{16})\.spool")
_TMP_PREFIX = ".tmp-"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _lock(path: Path) -> IO[bytes]:
    """Hold an exclusive lock on ``path`` for as long as the returned file stays open."""
    handle = path.open("ab")
    try:
        import fcntl
    except ImportError:  # not POSIX: no inter-process lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StorageError(
            f"spool directory {str(path.parent)!r} is in use by another process; give each crawl its own "
            "ARCHIVE_SPOOL_DIR"
        ) from None
    return handle


class SpooledStorage:
    """``inner`` with a spool in ``spool_dir`` for objects the store cannot take right now.

    After a failed write the store is left alone for ``retry_interval`` seconds (puts go straight to the
    spool, so a crawl does not wait for the store's retries on every write); the next ``put`` after that, or
    an explicit ``flush()``, tries again.
    """

    def __init__(
        self,
        inner: Storage,
        spool_dir: str | os.PathLike[str],
        *,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.uri = inner.uri
        self.spool_dir = Path(spool_dir).absolute()
        self.retry_interval = retry_interval
        self.clock = clock
        self.spooled = 0  # objects written to the spool by this instance
        self.uploaded = 0  # spooled objects (of any run) uploaded by this instance
        self._mutex = threading.RLock()
        self._retry_at = 0.0
        self._lockfile: IO[bytes] | None = None
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            self._lockfile = _lock(self.spool_dir / ".lock")
            for stale in self.spool_dir.glob(f"{_TMP_PREFIX}*"):  # a put that crashed before it returned
                stale.unlink()
        except OSError as exc:
            self.close()
            raise StorageError(
                f"spool directory {str(self.spool_dir)!r} is not usable: {exc.strerror or exc}"
            ) from exc
        self._pending: dict[int, str] = {}  # sequence number -> key, in put order
        try:
            for path in sorted(self.spool_dir.iterdir()):
                match = _ENTRY_RE.fullmatch(path.name)
                if match:
                    self._pending[int(match.group(1))] = self._read_key(path)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_uri(cls, uri: str, settings: Mapping[str, Any], *, writable: bool = True) -> Self:
        """Open ``uri`` with the storage of its scheme, spooled in ARCHIVE_SPOOL_DIR (required)."""
        from pipelines.storage import open_storage  # the registry imports the backends; import it late

        spool_dir = settings.get("ARCHIVE_SPOOL_DIR")
        if not spool_dir:
            raise StorageError("no spool directory given (set ARCHIVE_SPOOL_DIR)")
        interval = settings.get("ARCHIVE_SPOOL_RETRY_INTERVAL")
        return cls(
            open_storage(uri, settings, writable=writable),
            str(spool_dir),
            retry_interval=DEFAULT_RETRY_INTERVAL if interval in (None, "") else float(interval),
        )

    def __repr__(self) -> str:
        return f"SpooledStorage({self.inner!r}, spool={str(self.spool_dir)!r})"

    # ------------------------------------------------------------------------------------------ spool
    @property
    def pending(self) -> list[str]:
        """Keys waiting in the spool, in upload order."""
        with self._mutex:
            return list(self._pending.values())

    def _path(self, seq: int) -> Path:
        return self.spool_dir / f"{seq:016d}.spool"

    @staticmethod
    def _read_key(path: Path) -> str:
        """The key of a spool entry, from its header line."""
        try:
            with path.open("rb") as fh:
                return check_key(json.loads(fh.readline())["key"])
        except (OSError, ValueError, KeyError, TypeError):
            raise StorageError(f"damaged spool entry {str(path)!r}: move it away to continue") from None

    @staticmethod
    def _read(path: Path) -> tuple[str, bytes]:
        """(key, data) of a spool entry; StorageError if it is damaged."""
        raw = path.read_bytes()
        header, sep, data = raw.partition(b"\n")
        try:
            meta = json.loads(header)
            key = check_key(meta["key"])
            ok = sep == b"\n" and hashlib.sha256(data).hexdigest() == meta["sha256"]
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise StorageError(f"damaged spool entry {str(path)!r}: move it away to continue")
        return key, data

    def _spool(self, key: str, data: bytes) -> None:
        header = json.dumps({"key": key, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        seq = max(self._pending, default=0) + 1
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=self.spool_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header.encode() + b"\n")
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            while True:
                try:
                    os.link(tmp, self._path(seq))  # never replaces an entry
                    break
                except FileExistsError:
                    seq += 1
        except OSError as exc:
            raise StorageError(
                f"cannot spool {key!r} to {str(self.spool_dir)!r}: {exc.strerror or exc}"
            ) from exc
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _fsync_dir(self.spool_dir)
        self._pending[seq] = key
        self.spooled += 1

    def _store_down(self, exc: BaseException, key: str) -> None:
        self._retry_at = self.clock() + self.retry_interval
        logger.warning(
            "Storage %s unavailable writing %s (%s: %s); spooling to %s, next try in %.0fs",
            self.uri,
            key,
            type(exc).__name__,
            exc,
            self.spool_dir,
            self.retry_interval,
        )

    def flush(self) -> int:
        """Upload spooled objects in put order, deleting each once stored; return how many are left.

        Stops at the first object the store does not take (it is retried later, so order is kept).
        """
        with self._mutex:
            for seq, key in list(self._pending.items()):
                path = self._path(seq)
                try:
                    _, data = self._read(path)
                except (StorageError, OSError) as exc:
                    logger.error("%s; flushing stops here", exc)
                    break
                try:
                    try:
                        self.inner.put(key, data)
                    except FileExistsError:
                        if self.inner.get(key) != data:
                            logger.error(
                                "Spooled object %s (%s) differs from the object stored under that key "
                                "in %s; flushing stops here until it is resolved by hand",
                                key,
                                path,
                                self.uri,
                            )
                            break
                        logger.debug("Spooled object %s was already stored (earlier flush interrupted)", key)
                except (StorageError, OSError) as exc:
                    self._store_down(exc, key)
                    break
                path.unlink()
                _fsync_dir(self.spool_dir)
                del self._pending[seq]
                self.uploaded += 1
                self._retry_at = 0.0
            if self._pending:
                logger.info(
                    "%d object(s) wait in spool %s for %s", len(self._pending), self.spool_dir, self.uri
                )
            return len(self._pending)

    def close(self) -> None:
        """Release the spool directory (objects still spooled stay for the next run)."""
        with self._mutex:
            if self._lockfile is not None:
                self._lockfile.close()
                self._lockfile = None

    # --------------------------------------------------------------------------------------- protocol
    def check_writable(self) -> None:
        try:
            fd, probe = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=self.spool_dir)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StorageError(
                f"spool directory {str(self.spool_dir)!r} is not writable: {exc.strerror or exc}"
            ) from exc
        self.inner.check_writable()

    def put(self, key: str, data: bytes) -> None:
        check_key(key)
        with self._mutex:
            if key in self._pending.values():
                raise FileExistsError(errno.EEXIST, "object exists (spooled)", key)
            if self._pending and self.clock() >= self._retry_at:
                self.flush()
            if not self._pending and self.clock() >= self._retry_at:
                try:
                    self.inner.put(key, data)
                    return
                except FileExistsError:
                    raise
                except (StorageError, OSError) as exc:
                    self._store_down(exc, key)
            self._spool(key, data)

    def _seq(self, key: str) -> int | None:
        for seq, pending in self._pending.items():
            if pending == key:
                return seq
        return None

    def get(self, key: str) -> bytes:
        with self._mutex:
            seq = self._seq(check_key(key))
            if seq is not None:
                return self._read(self._path(seq))[1]
        return self.inner.get(key)

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        with self._mutex:
            seq = self._seq(check_key(key))
            if seq is not None:
                return self._read(self._path(seq))[1][offset : offset + length]
        if isinstance(self.inner, RangeStorage):
            return self.inner.get_range(key, offset, length)
        return self.inner.get(key)[offset : offset + length]

    def list(self, prefix: str = "") -> list[str]:
        with self._mutex:
            spooled = {key for key in self._pending.values() if key.startswith(prefix)}
        return sorted(spooled.union(self.inner.list(prefix)))

    def exists(self, key: str) -> bool:
        with self._mutex:
            if self._seq(check_key(key)) is not None:
                return True
        return self.inner.exists(key)

    def delete(self, key: str) -> None:
        with self._mutex:
            seq = self._seq(check_key(key))
            if seq is not None:
                self._path(seq).unlink()
                del self._pending[seq]
                return
        self.inner.delete(key)

    def size(self, key: str) -> int:
        with self._mutex:
            seq = self._seq(check_key(key))
            if seq is not None:
                return len(self._read(self._path(seq))[1])
        return self.inner.size(key)


def with_spool(storage: Storage, settings: Mapping[str, Any], name: str = "") -> Storage:
    """``storage`` behind a SpooledStorage when the ARCHIVE_SPOOL_DIR setting is set, else ``storage``.

    ``name`` (e.g. the spider's) selects a subdirectory, so crawls running side by side never share a spool.
    """
    spool_dir = settings.get("ARCHIVE_SPOOL_DIR")
    if not spool_dir:
        return storage
    if name and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}", name):
        raise ValueError(f"invalid spool name {name!r}")
    interval = settings.get("ARCHIVE_SPOOL_RETRY_INTERVAL")
    return SpooledStorage(
        storage,
        Path(str(spool_dir), name) if name else str(spool_dir),
        retry_interval=DEFAULT_RETRY_INTERVAL if interval in (None, "") else float(interval),
    )
