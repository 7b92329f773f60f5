"""``newsarchive history ID``: the revisions of one article, with a text diff between them."""

from __future__ import annotations

import argparse
import difflib
import itertools
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from crawler.commands import archive_uri
from crawler.runner import UsageError

_ID = re.compile(r"^[0-9a-f]{16}$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "history",
        help="list the revisions of an article with a text diff",
        description="List the archived revisions of one article (commit, revision, crawled_at, "
        "content_hash) and a unified diff of title and body between consecutive revisions.",
    )
    p.add_argument("article", metavar="ID", help="the article's id (16 hex) or one of its URLs")
    p.add_argument("--archive", metavar="URI", help="archive location (default: ARCHIVE_URI or ./archive)")
    p.add_argument("--no-diff", action="store_true", help="list the revisions only")
    p.set_defaults(func=run)


def article_key(text: str) -> str:
    """The id to look for: ``text`` itself if it is an id, else the id of its canonical URL."""
    from pipelines.text import article_id, canonical

    text = text.strip()
    if _ID.match(text):
        return text
    if text.startswith(("http://", "https://")):
        return article_id(canonical(text))
    raise UsageError(f"not an article id (16 hex characters) or URL: {text!r}")


def revisions(uri: str, article: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(commit, record) of every committed record with id ``article``, in commit order."""
    from pipelines.archive.reader import open_archive

    reader = open_archive(uri)
    for commit in reader.manifests():
        for part in reader.manifest(commit).get("parts", []):
            if part.get("kind") == "articles":
                for record in reader.part_records(part):
                    if record.get("id") == article:
                        yield commit, record


def _lines(record: dict[str, Any]) -> list[str]:
    return [f"# {record.get('title') or ''}", "", *str(record.get("body") or "").split("\n")]


def print_history(found: list[tuple[str, dict[str, Any]]], out: TextIO, diff: bool = True) -> None:
    first = found[0][1]
    print(f"{first.get('id')}  {first.get('canonical_url')}  ({first.get('site')})", file=out)
    print(f"{'revision':>8}  {'crawled_at':<25}  {'content_hash':<20}  commit", file=out)
    for commit, r in found:
        digest = str(r.get("content_hash") or "")[:19]
        print(f"{r.get('revision')!s:>8}  {r.get('crawled_at')!s:<25}  {digest:<20}  {commit}", file=out)
    if not diff:
        return
    for (_, old), (_, new) in itertools.pairwise(found):
        print(file=out)
        out.writelines(
            line + "\n"
            for line in difflib.unified_diff(
                _lines(old),
                _lines(new),
                fromfile=f"revision {old.get('revision')} ({old.get('crawled_at')})",
                tofile=f"revision {new.get('revision')} ({new.get('crawled_at')})",
                lineterm="",
            )
        )


def run(args: argparse.Namespace) -> int:
    from pipelines.storage import StorageError

    article = article_key(args.article)
    uri = archive_uri(args)
    try:
        found = list(revisions(uri, article))
    except StorageError as exc:
        raise UsageError(f"cannot read the archive: {exc}") from exc
    if not found:
        print(f"no article {article} in {uri}", file=sys.stderr)
        return 1
    print_history(found, sys.stdout, diff=not args.no_diff)
    return 0
