"""Sub-commands of ``newsarchive``: one module each, with ``register(sub)`` and ``run(args)``.

cli.py collects them from COMMANDS; a new command is a new module here and one name in that list.
"""

from __future__ import annotations

import argparse
import os
import sys

from crawler.runner import CrawlOptions, UsageError, parse_overrides

COMMANDS = [
    "sites",
    "crawl",
    "demo",
    "read",
    "extract",
    "eval",
    "deploy",
    "export",
    "report",
    "history",
    "verify",
    "health",
    "reextract",
]


def add_locations(p: argparse.ArgumentParser) -> None:
    """--archive and --state, as every command that touches the archive takes them."""
    p.add_argument("--archive", metavar="URI", help="archive location: a path or s3://bucket/prefix")
    p.add_argument("--state", metavar="URI", help="seen-store: a .sqlite path (default: beside the archive)")


def archive_uri(args: argparse.Namespace) -> str:
    """--archive, else ARCHIVE_URI, else ./archive."""
    return str(getattr(args, "archive", None) or os.environ.get("ARCHIVE_URI") or "archive")


def check_date(text: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def crawl_options(args: argparse.Namespace, sites: list[str]) -> CrawlOptions:
    """CrawlOptions from the arguments ``crawl`` and ``demo`` share."""
    return CrawlOptions(
        sites=sites,
        archive_uri=args.archive,
        state_uri=args.state,
        max_articles=getattr(args, "max_articles", None),
        mirror=getattr(args, "mirror", None),
        overrides=parse_overrides(args.set or []),
        mode="backfill"
        if getattr(args, "date_from", None) or getattr(args, "date_to", None)
        else "incremental",
        date_from=getattr(args, "date_from", None),
        date_to=getattr(args, "date_to", None),
        progress=sys.stderr.isatty() and not getattr(args, "no_progress", False),
    )
