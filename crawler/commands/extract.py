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
    p.add_argument(
        "--explain",
        action="store_true",
        help="instead of the record: per field (title, authors, published, body) the candidates each layer "
        "found, the one chosen and the rule that chose it",
    )
    p.add_argument("--json", action="store_true", help="with --explain: the explanation as JSON")
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
    page = _read_page(Path(args.file))
    if args.explain:
        from crawler.extract.explain import explain, render

        explained = explain(page, args.url, site.selectors if site else None)
        header = f"site file: {site.name}" if site is not None else "site file: none (generic layers only)"
        if args.json:
            print(json.dumps({"site": site.name if site else None, "fields": explained["fields"]}, ensure_ascii=False,
                             indent=2, default=str))  # fmt: skip
        else:
            print(header)
            print(render(explained))
        return 0
    from crawler.places.coverage import site_coverage

    record = extract(page, args.url, site.selectors if site else None, site_coverage(site) if site else None)
    if site is not None:
        record = {"site": site.name, **record}
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0
