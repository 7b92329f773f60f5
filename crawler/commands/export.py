"""``newsarchive export``: committed records to Parquet or CSV, partitioned by site and publication date."""

from __future__ import annotations

import argparse
import sys

from crawler.commands import archive_uri
from crawler.commands.read import add_filters, record_filter
from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="export committed records to Parquet or CSV (needs pyarrow)",
        description="Write the archive's committed records (with the same filters as read) to "
        "OUT/site=<site>/date=<published YYYY-MM-DD or unknown>/part-0.<format>. "
        "Needs pyarrow: pip install 'newsarchive[export]'.",
    )
    p.add_argument("out", metavar="OUT", help="output directory (must be empty unless --force)")
    p.add_argument(
        "--format", choices=["parquet", "csv"], default="parquet", help="file format (default: parquet)"
    )
    p.add_argument(
        "--force", action="store_true", help="replace the site=* partitions of an earlier export in OUT"
    )
    add_filters(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.archive.export import ExportError, export_records, schema
    from pipelines.archive.reader import open_archive
    from pipelines.storage import StorageError

    selection = record_filter(args)
    try:
        schema(args.format)  # fails early, before reading anything, when pyarrow is missing
        reader = open_archive(archive_uri(args))
        records = reader.select(selection, after=args.after, latest=args.latest)
        result = export_records(records, args.out, args.format, force=args.force)
    except (ExportError, StorageError) as exc:
        raise UsageError(str(exc)) from exc
    print(
        f"{result.records} records in {len(result.files)} files under {result.out}",
        file=sys.stderr,
    )
    print(f"cursor: {reader.cursor or args.after or ''}", file=sys.stderr)
    return 0
