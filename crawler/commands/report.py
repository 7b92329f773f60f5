"""``newsarchive report``: one self-contained HTML page about an archive."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.commands import archive_uri
from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="write an HTML report of the archive",
        description="Write one self-contained HTML page (no network needed to view it): articles per site "
        "per day, revisions, syndicated clusters, the extraction-layer mix and errors.",
    )
    p.add_argument("--archive", metavar="URI", help="archive location (default: ARCHIVE_URI or ./archive)")
    p.add_argument("--out", metavar="FILE", default="report.html", help="output file (default: report.html)")
    p.add_argument("--title", help="page title")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.report import build_report
    from pipelines.storage import StorageError

    uri = archive_uri(args)
    try:
        page = build_report(uri, title=args.title)
    except StorageError as exc:
        raise UsageError(f"cannot read the archive: {exc}") from exc
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {str(out)!r}: {exc.strerror or exc}") from exc
    print(f"report: {out}", file=sys.stderr)
    return 0
