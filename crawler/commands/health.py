"""``newsarchive health``: each site's extraction health over its recent runs, with drift flags."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from crawler.commands import add_locations, archive_uri, positive_int
from crawler.runner import UsageError

HEAD = ("site", "run", "time", "articles", "rejected", "title", "body", "published", "authors", "body chars")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "health",
        help="print the extraction health history of the sites, with drift flags",
        description="Print, per site, the extraction health of its recent runs as recorded in the "
        "seen-store: articles, rejected pages, share of articles with title, body, published date and "
        "authors, median body length, extraction-layer mix and drift flags (docs/HEALTH.md).",
    )
    p.add_argument(
        "--site", metavar="SITE", help="only this site (a name, or the front-page URL of a site by URL)"
    )
    add_locations(p)
    p.add_argument(
        "--limit", type=positive_int, default=20, metavar="N", help="newest N runs per site (default 20)"
    )
    p.add_argument("--json", action="store_true", help="JSON: a list of {site, run, at, health}")
    p.set_defaults(func=run)


def state_uri(args: argparse.Namespace) -> str:
    """--state, else STATE_URI, else the seen-store beside the archive."""
    from crawler.locations import default_state_uri

    return str(args.state or os.environ.get("STATE_URI") or default_state_uri(archive_uri(args)))


def _missing_file(uri: str) -> bool:
    """A local SQLite seen-store that does not exist (opening it would create it)."""
    parts = urlsplit(uri)
    if parts.scheme.lower() in ("redis", "rediss"):
        return False
    path = unquote(parts.path) if parts.scheme.lower() == "sqlite" else uri
    return not Path(path).exists()


def _pct(value: Any) -> str:
    return f"{float(value or 0) * 100:.0f}%"


def row(site: str, run: str, at: str, h: Mapping[str, Any]) -> tuple[str, ...]:
    layers = " ".join(f"{k} {_pct(v)}" for k, v in (h.get("layers") or {}).items()) or "-"
    flags = ",".join(str(f.get("field")) for f in h.get("drift") or [] if isinstance(f, Mapping)) or "-"
    return (
        site,
        run,
        at.replace("+00:00", "Z"),
        str(h.get("articles", 0)),
        str(h.get("rejected", 0)),
        *(_pct(h.get(name)) for name in ("title", "body", "published", "authors")),
        str(h.get("body_chars", 0)),
        layers,
        flags,
    )


def print_table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    head = (*HEAD, "layers", "drift")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    numeric = set(range(3, 10))
    for r in [head, *rows]:
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells).rstrip(), file=out)


def run(args: argparse.Namespace) -> int:
    from crawler.sites import is_site_url, site_for_url, site_name_for
    from pipelines.state import StateError, open_state

    if args.site and is_site_url(args.site):  # a built-in site's URL, or a site crawled by its URL
        known = site_for_url(args.site)
        args.site = known.name if known is not None else site_name_for(args.site)
    if args.site and not re.fullmatch(r"[a-z0-9_]+", args.site):
        raise UsageError(f"not a site name: {args.site!r} (give a site name or a front-page URL)")
    if args.limit < 1:
        raise UsageError("--limit takes a positive number")
    archive_given = getattr(args, "archive", None)
    local = str(archive_given or "").removeprefix("file://")
    if archive_given and not getattr(args, "state", None) and "://" not in local and not Path(local).exists():
        raise UsageError(
            f"no archive at {archive_given} (give the archive's path, or its seen-store with --state)"
        )
    uri = state_uri(args)
    entries = []
    if not _missing_file(uri):
        try:
            store = open_state(uri)
        except StateError as exc:
            raise UsageError(f"cannot use the seen-store: {exc}") from exc
        try:
            entries = store.health_history(args.site, args.limit)
        finally:
            store.close()
    if args.site and not entries:
        from crawler.sites import site_classes

        # a site crawled by its URL is known by its history; any other name must be a built-in site
        if args.site not in site_classes():
            raise UsageError(f"unknown site: {args.site} (no built-in site and no health history of it)")
    if args.json:
        json.dump(
            [{"site": e.site, "run": e.run, "at": e.at, "health": e.health} for e in entries], sys.stdout
        )
        print()
    elif entries:
        print_table([row(e.site, e.run, e.at, e.health) for e in entries], sys.stdout)
    if not entries:
        print(f"no health history{f' of site {args.site}' if args.site else ''} in {uri}", file=sys.stderr)
    return 0
