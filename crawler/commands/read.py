"""``newsarchive read``: print committed records as JSON lines."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from crawler.commands import archive_uri, cursor
from crawler.runner import UsageError

if TYPE_CHECKING:
    from pipelines.archive.reader import RecordFilter


def add_filters(p: argparse.ArgumentParser) -> None:
    """The record filters ``read`` and ``export`` share (the Python API's ``records()`` arguments)."""
    p.add_argument("--archive", metavar="URI", help="archive location (default: ARCHIVE_URI or ./archive)")
    p.add_argument("--site", metavar="S", action="append", help="only this site (repeat for several)")
    p.add_argument(
        "--published-from", metavar="WHEN", help="published on or after: YYYY-MM-DD or ISO datetime"
    )
    p.add_argument(
        "--published-to", metavar="WHEN", help="published on or before: YYYY-MM-DD or ISO datetime"
    )
    p.add_argument(
        "--language", metavar="L", action="append", help="only this language, e.g. de (repeatable)"
    )
    p.add_argument(
        "--cluster", metavar="C", action="append", help="only this syndication cluster (repeatable)"
    )
    p.add_argument(
        "--place",
        metavar="P",
        action="append",
        help="only articles about this place: a municipality or district by name (Wolfsburg, Landkreis Gifhorn) "
        "or official key (03103000, 03103: every municipality of the district) (repeatable)",
    )
    p.add_argument(
        "--land",
        metavar="L",
        action="append",
        help="only articles about places in this Land, e.g. NI (repeatable)",
    )
    p.add_argument("--after", type=cursor, metavar="CURSOR", help="only commits after this cursor")
    p.add_argument(
        "--latest",
        action="store_true",
        help="only the latest revision of each article (reads the parts twice; default: every record)",
    )


def record_filter(args: argparse.Namespace) -> RecordFilter:
    """A RecordFilter from the add_filters arguments (UsageError for a bad date)."""
    from pipelines.archive.reader import RecordFilter

    places = [_place_key(p) for p in getattr(args, "place", None) or []] or None
    lands = [_land(code) for code in getattr(args, "land", None) or []] or None
    try:
        return RecordFilter.build(
            site=args.site,
            published_from=args.published_from,
            published_to=args.published_to,
            language=args.language,
            cluster=args.cluster,
            place=places,
            land=lands,
        )
    except ValueError as exc:
        raise UsageError(f"bad --published-from/--published-to: {exc}") from exc


def _place_key(text: str) -> str:
    """--place: a name or key resolved with the gazetteer to one official key."""
    from crawler.places.gazetteer import PlaceError, resolve_area

    try:
        return resolve_area(text).key
    except PlaceError as exc:
        raise UsageError(f"--place: {exc}") from exc


def _land(text: str) -> str:
    from crawler.sites import SitesError, land_code

    try:
        return land_code(text)
    except SitesError as exc:
        raise UsageError(f"--land: {exc}") from exc


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "read",
        help="print committed records as JSON lines",
        description="Print the archive's committed records as JSON lines on stdout, in commit order "
        "(every revision unless --latest); the cursor to continue from (--after) goes to stderr.",
    )
    add_filters(p)
    p.add_argument("--all-revisions", dest="latest", action="store_false", help="every record (the default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.archive.reader import open_archive
    from pipelines.storage import StorageError

    selection = record_filter(args)
    try:
        reader = open_archive(archive_uri(args))
        count = 0
        for record in reader.select(selection, after=args.after, latest=args.latest):
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
