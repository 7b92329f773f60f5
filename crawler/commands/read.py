"""``newsarchive read``: print committed records as JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import sys

from crawler.commands import archive_uri
from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "read",
        help="print committed records as JSON lines",
        description="Print the archive's committed records as JSON lines on stdout, in commit order; "
        "the cursor to continue from (--after) goes to stderr.",
    )
    p.add_argument("--archive", metavar="URI", help="archive location (default: ARCHIVE_URI or ./archive)")
    p.add_argument("--site", metavar="S", help="only this site")
    p.add_argument("--after", metavar="CURSOR", help="only commits after this cursor")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.archive.reader import open_archive
    from pipelines.storage import StorageError

    try:
        reader = open_archive(archive_uri(args))
        count = 0
        for record in reader.records(site=args.site, after=args.after):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        cursor = reader.cursor
        sys.stdout.flush()
    except StorageError as exc:
        raise UsageError(f"cannot read the archive: {exc}") from exc
    except BrokenPipeError:
        # the reader went away (``| head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    print(f"{count} records; continue with --after {cursor or args.after or ''}".rstrip(), file=sys.stderr)
    print(f"cursor: {cursor or args.after or ''}", file=sys.stderr)
    return 0
