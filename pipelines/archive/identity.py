"""One archive, one seen-store: the archive's identity and the seen-store that records it (docs/ARCHIVE.md).

An archive carries an identity, ``v1/identity.json`` (written once, with the storage's create-if-absent ``put``,
so two first runs racing agree on one). Its seen-store records that identity on first use (``archive_id`` in the
store's meta). Before a crawl writes anything, :func:`bind` checks that the pair belongs together:

- a store recording another archive's identity is refused;
- a new, empty store beside an archive that holds articles is refused (every article would be archived again);
- a store that remembers articles beside an empty archive is refused (they belong to another archive, and this
  one would miss them);
- a pair from before identities (an archive without one, a store without one, both holding articles) is adopted
  when the store knows the archive's newest articles, else refused.

Each refusal is a :class:`BindingError` with one line naming the fix: the archive's own seen-store (``--state``)
or ``newsarchive state rebuild``, which builds a seen-store from the archive's committed records.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pipelines.archive.layout import MANIFESTS, VERSION
from pipelines.redact import redact_url
from pipelines.state.base import StateError

if TYPE_CHECKING:
    from pipelines.state.base import SeenStore
    from pipelines.storage.base import Storage

IDENTITY_KEY = f"{VERSION}/identity.json"
#: the seen-store's meta key holding the identity of its archive
META_KEY = "archive_id"


class BindingError(StateError):
    """The seen-store does not belong to the archive; the message is one line with the fix."""


def identity_doc(storage: Storage) -> dict[str, Any] | None:
    """The archive's ``identity.json``, or None when it has none (new, or from before identities)."""
    try:
        data = json.loads(storage.get(IDENTITY_KEY))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise BindingError(f"the archive's {IDENTITY_KEY} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise BindingError(f"the archive's {IDENTITY_KEY} has no id")
    return data


def read_identity(storage: Storage) -> str | None:
    """The archive's identity, or None when it has none (new, or from before identities)."""
    doc = identity_doc(storage)
    return None if doc is None else str(doc["id"])


def ensure_identity(storage: Storage, *, demo: bool = False) -> str:
    """The archive's identity, written first if it has none (create-if-absent: a racing writer's wins);
    ``demo``: the archive is the demo's (``newsarchive demo`` writes only to such an archive)."""
    found = read_identity(storage)
    if found is not None:
        return found
    body: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": VERSION,
    }
    if demo:
        body["demo"] = True
    try:
        storage.put(IDENTITY_KEY, json.dumps(body, sort_keys=True).encode() + b"\n")
    except FileExistsError:
        pass
    found = read_identity(storage)
    if found is None:  # pragma: no cover - a storage that loses what it just wrote
        raise BindingError("the archive's identity could not be written")
    return found


def has_articles(storage: Storage) -> bool:
    """Whether the archive holds a committed manifest."""
    return bool(storage.list(f"{MANIFESTS}/"))


def _fix(archive: str, state: str) -> str:
    return (
        f"use this archive's own seen-store (--state), or rebuild one from the archive: "
        f"newsarchive state rebuild --archive {archive} --state {state}"
    )


def _knows_newest(storage: Storage, store: SeenStore) -> bool:
    """Whether the store knows an article of the archive's newest commit (adopting a pair from before
    identities)."""
    from pipelines.archive.reader import ArchiveReader

    reader = ArchiveReader(storage)
    commits = reader.manifests()
    for commit in reversed(commits[-3:]):
        for part in reader.manifest(commit).get("parts", []):
            if not str(part.get("key", "")).endswith(".jsonl.gz"):
                continue
            for record in reader.part_records(part):
                canonical = str(record.get("canonical_url") or record.get("url") or "")
                if canonical and store.get(canonical) is not None:
                    return True
    return False


def bind(
    storage: Storage | None,
    store: SeenStore,
    archive_uri: str,
    state_uri: str,
    writable: Callable[[], Storage] | None = None,
) -> str:
    """Check that ``store`` is the seen-store of the archive in ``storage`` (None: an archive not yet created),
    give the archive an identity (``writable`` opens it for writing; default: ``storage``) and record it in the
    store; the identity. BindingError (one line, with the fix) when they do not belong together; nothing is
    created then."""
    archive, state = redact_url(archive_uri), redact_url(state_uri)
    archive_id = read_identity(storage) if storage is not None else None
    store_id = store.get_meta(META_KEY)
    full = has_articles(storage) if storage is not None else False
    empty_store = store.is_empty()
    if store_id is not None and store_id != archive_id and empty_store and not full:
        store_id = None  # a store that never remembered an article, beside an archive without one: nothing to lose
    if store_id is not None and store_id != archive_id:
        if not full:
            raise BindingError(
                f"the seen-store {state} belongs to archive {store_id}, not to {archive} (an empty archive): "
                "give the archive it belongs to with --archive, or a new seen-store for this one with --state"
            )
        raise BindingError(
            f"the seen-store {state} belongs to archive {store_id}, not to {archive} "
            f"({f'archive {archive_id}' if archive_id else 'an archive from before identities'}): "
            f"{_fix(archive, 'NEW.sqlite')}"
        )
    if store_id is not None:
        return store_id
    if full and empty_store:
        raise BindingError(
            f"the seen-store {state} is empty but the archive {archive} already holds articles "
            f"(every one would be archived again): {_fix(archive, state)}"
        )
    if not full and not empty_store:
        raise BindingError(
            f"the seen-store {state} remembers articles but the archive {archive} has none: the store belongs "
            f"to another archive (its articles would be missing here); give that archive with --archive, or a new "
            f"seen-store for this one with --state"
        )
    if storage is not None and full and (archive_id is not None or not _knows_newest(storage, store)):
        raise BindingError(
            f"the seen-store {state} does not belong to the archive {archive} (it knows none of the archive's "
            f"newest articles): {_fix(archive, 'NEW.sqlite')}"
        )
    target = writable() if writable is not None else storage
    if target is None:
        raise BindingError(f"the archive {archive} cannot be written")
    archive_id = ensure_identity(target)
    store.set_meta(META_KEY, archive_id)
    return archive_id
