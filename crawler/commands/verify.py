"""``newsarchive verify``: check committed parts against their manifests and list orphans."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from crawler.commands import archive_uri, non_negative_float
from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "verify",
        help="check every committed part against its manifest; list orphans",
        description="Check that every part a manifest lists is in the archive with the recorded size and sha256, "
        "and list orphans: parts in the archive that no manifest lists (a commit that died before its manifest). "
        "Parts of runs younger than --min-age may belong to a crawl still running and are only counted. "
        "Exit code 0 when every committed part is intact, 1 otherwise.",
    )
    p.add_argument("--archive", metavar="URI", help="archive location (default: ARCHIVE_URI or ./archive)")
    p.add_argument("--delete-orphans", action="store_true", help="delete the orphans found")
    p.add_argument(
        "--min-age",
        type=non_negative_float,
        default=6.0,
        metavar="HOURS",
        help="only parts of runs started this long ago are orphans (6)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.archive.reader import open_archive
    from pipelines.archive.verify import verify
    from pipelines.storage import StorageError

    try:
        reader = open_archive(archive_uri(args))
        result = verify(reader, timedelta(hours=args.min_age))
    except StorageError as exc:
        raise UsageError(f"cannot read the archive: {exc}") from exc
    print(f"{result.commits} commits, {result.parts} parts ({result.bytes} bytes) checked")
    for problem in result.problems:
        print(f"DAMAGED {problem}")
    for key in result.orphans:
        print(f"orphan  {key}")
    if result.recent:
        print(
            f"{len(result.recent)} unlisted part(s) younger than {args.min_age:g} h (a crawl may still commit them)"
        )
    if args.delete_orphans and result.orphans:
        for key in result.orphans:
            reader.storage.delete(key)
        print(f"deleted {len(result.orphans)} orphan(s)")
    print("OK" if result.ok else f"{len(result.problems)} problem(s)", file=sys.stderr)
    return 0 if result.ok else 1
