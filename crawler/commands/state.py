"""``newsarchive state rebuild``: a seen-store rebuilt from the archive's committed records."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.commands import add_locations, archive_uri
from crawler.runner import EXIT_OK, UsageError

BATCH = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "state",
        help="the seen-store of an archive: rebuild it from the archive",
        description="The seen-store remembers what the archive holds, so that nothing is archived twice; it "
        "belongs to one archive (docs/ARCHIVE.md, 'One archive, one seen-store'). `state rebuild` builds a new "
        "one from the archive's committed records: every article's id, canonical URL, content hash, latest "
        "revision, first and last fetch, and its aliases. The target must be new or empty.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    rebuild = actions.add_parser(
        "rebuild",
        help="build a seen-store from the archive's committed records",
        description="Build the seen-store named by --state (default: the one beside the archive) from the "
        "committed records of the archive named by --archive (default: $ARCHIVE_URI, else ./archive). The "
        "store must be new or empty; the archive is only read (it gets its identity if it has none).",
    )
    add_locations(rebuild)
    rebuild.set_defaults(func=run)


def entries_of(records: Any) -> tuple[dict[str, Any], dict[str, str], int]:
    """(canonical URL -> SeenEntry of its latest revision, alias URL -> canonical URL, records read)."""
    from pipelines.state import SeenEntry

    latest: dict[str, SeenEntry] = {}
    first: dict[str, str] = {}
    aliases: dict[str, str] = {}
    count = 0
    for record in records:
        count += 1
        canonical = str(record.get("canonical_url") or record.get("url") or "")
        if not canonical or not record.get("id") or not record.get("content_hash"):
            continue
        crawled = str(record.get("crawled_at") or "") or None
        if crawled and (canonical not in first or crawled < first[canonical]):
            first[canonical] = crawled
        revision = int(record.get("revision") or 1)
        known = latest.get(canonical)
        if known is None or revision >= known.revision:
            latest[canonical] = SeenEntry(
                canonical_url=canonical,
                id=str(record["id"]),
                site=str(record.get("site") or ""),
                content_hash=str(record["content_hash"]),
                revision=revision,
                first_seen=None,
                last_fetched=crawled,
                published=str(record.get("published") or "") or None,
            )
        for alias in [record.get("url"), *(record.get("aliases") or [])]:
            if isinstance(alias, str) and alias and alias != canonical:
                aliases[alias] = canonical
    from dataclasses import replace

    done = {url: replace(e, first_seen=first.get(url, e.last_fetched)) for url, e in latest.items()}
    return done, aliases, count


def run(args: argparse.Namespace) -> int:
    from pipelines.archive.identity import META_KEY, ensure_identity, has_articles
    from pipelines.archive.reader import ArchiveError, ArchiveReader
    from pipelines.redact import redact_url
    from pipelines.state import StateError, default_state_uri, open_state
    from pipelines.storage import StorageError, open_storage

    archive = archive_uri(args)
    state = str(args.state or default_state_uri(archive))
    try:
        storage = open_storage(archive, {}, writable=False)
        if has_articles(storage):
            storage = open_storage(archive, {})  # writable: the archive gets its identity if it has none
    except StorageError as exc:
        raise UsageError(f"cannot use the archive: {exc}") from exc
    if not has_articles(storage):
        raise UsageError(
            f"the archive {redact_url(archive)} holds no committed article: nothing to rebuild from"
        )
    try:
        store = open_state(state)
    except StateError as exc:
        raise UsageError(f"cannot use the seen-store: {exc}") from exc
    try:
        if not store.is_empty():
            raise UsageError(
                f"the seen-store {redact_url(state)} is not empty: rebuild into a new path (--state NEW.sqlite)"
            )
        try:
            entries, aliases, count = entries_of(ArchiveReader(storage).records())
        except (ArchiveError, StorageError) as exc:
            raise UsageError(f"cannot read the archive: {exc}") from exc
        values = list(entries.values())
        pairs = list(aliases.items())
        for start in range(0, max(len(values), len(pairs)), BATCH):
            store.mark_archived(values[start : start + BATCH], pairs[start : start + BATCH])
        store.set_meta(META_KEY, ensure_identity(storage))
    finally:
        store.close()
    print(
        f"rebuilt the seen-store {redact_url(state)} from {redact_url(archive)}: {len(entries)} article(s) from "
        f"{count} record(s), {len(aliases)} alias(es)"
    )
    return EXIT_OK
