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
    "state",
]


def add_locations(p: argparse.ArgumentParser) -> None:
    """--archive and --state, as every command that touches the archive takes them."""
    p.add_argument("--archive", metavar="URI", help="archive location: a path or s3://bucket/prefix")
    p.add_argument("--state", metavar="URI", help="seen-store: a .sqlite path (default: beside the archive)")


def archive_uri(args: argparse.Namespace) -> str:
    """--archive, else ARCHIVE_URI, else ./archive."""
    return str(getattr(args, "archive", None) or os.environ.get("ARCHIVE_URI") or "archive")


# argparse types: a bad value is exit 2 with one line naming the option (crawler/cli.py)


def iso_date(text: str) -> str:
    """A day, YYYY-MM-DD."""
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc
    return text


def positive_int(text: str) -> int:
    """A count of at least 1."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def non_negative_float(text: str) -> float:
    """A duration or amount of 0 or more."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number of 0 or more, not {text}")
    return value


def http_url(text: str) -> str:
    """An http(s) URL with a host, e.g. http://127.0.0.1:8800."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        _ = parts.port  # a non-numeric port raises here
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r} (e.g. http://127.0.0.1:8800)")
    return text


def cursor(text: str) -> str:
    """A cursor: a commit name as `read` prints it."""
    from pipelines.archive.layout import check_cursor

    try:
        return check_cursor(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def check_date_order(date_from: str | None, date_to: str | None) -> None:
    """--from must not be after --to (both YYYY-MM-DD, so text order is date order)."""
    if date_from and date_to and date_from > date_to:
        raise UsageError(f"--from {date_from} is after --to {date_to}")


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
