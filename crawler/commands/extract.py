"""``newsarchive extract``: extract one saved page to its record."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from crawler.commands import http_url
from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "extract", help="extract one saved page to its record", description="Extract a saved page to JSON."
    )
    p.add_argument("file", metavar="FILE", help="a saved HTML page (.html or .html.gz)")
    p.add_argument("--url", required=True, type=http_url, help="the URL the page was fetched from")
    p.set_defaults(func=run)


def _read_page(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def run(args: argparse.Namespace) -> int:
    from crawler.extract import extract
    from crawler.sites import site_for_url

    site = site_for_url(args.url)
    record = extract(_read_page(Path(args.file)), args.url, site.selectors if site else None)
    if site is not None:
        record = {"site": site.name, **record}
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0
