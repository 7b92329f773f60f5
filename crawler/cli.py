"""The ``newsarchive`` command: crawl, demo, read, sites, extract, eval."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler.runner import EXIT_USAGE, CrawlOptions, UsageError, parse_overrides, print_summary, run_crawl

DESCRIPTION = """\
newsarchive: crawl regional news sites into an append-only archive (local path or s3://), exactly once.

Without --archive/--state (or ARCHIVE_URI/STATE_URI) the archive is ./archive and the seen-store
./archive.state.sqlite. Exit codes: 0 clean run, 1 the archive could not be written, 2 bad usage or an
unusable archive/state location, 3 a site failed entirely (none of its entry points could be read)."""


def _add_locations(p: argparse.ArgumentParser) -> None:
    p.add_argument("--archive", metavar="URI", help="archive location: a path or s3://bucket/prefix")
    p.add_argument("--state", metavar="URI", help="seen-store: a .sqlite path (default: beside the archive)")


def _archive_uri(args: argparse.Namespace) -> str:
    return str(args.archive or os.environ.get("ARCHIVE_URI") or "archive")


def cmd_sites(args: argparse.Namespace) -> int:
    from crawler.sites import site_classes, site_info

    infos = [site_info(cls) for cls in site_classes().values()]
    if args.json:
        print(json.dumps(infos, ensure_ascii=False, indent=2))
        return 0
    width = max(len(i["name"]) for i in infos)
    pub = max(len(i["publisher"]) for i in infos)
    for i in infos:
        print(f"{i['name']:<{width}}  {i['publisher']:<{pub}}  {', '.join(i['domains'])}  [{i['region']}]")
    return 0


def _crawl_options(args: argparse.Namespace, sites: list[str]) -> CrawlOptions:
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


def cmd_crawl(args: argparse.Namespace) -> int:
    for d in (args.date_from, args.date_to):
        if d:
            _check_date(d)
    result = run_crawl(_crawl_options(args, args.sites))
    print_summary(result)
    return result.exit_code


def _check_date(text: str) -> None:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"not a date (YYYY-MM-DD): {text!r}") from exc


DEMO_SETTINGS: dict[str, Any] = {
    # the mirror is our own server on 127.0.0.1: no need to wait between requests
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "DOWNLOAD_DELAY": 0.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo import fixtures_dir
    from crawler.demo.mirror import SiteSpec, build_mirror
    from crawler.demo.server import MirrorServer
    from crawler.sites import site_classes

    classes = site_classes()
    mirror = build_mirror([SiteSpec.from_spider(c) for c in classes.values()], fixtures_dir())
    with MirrorServer(mirror) as server:
        print(f"Serving an offline mirror of {len(classes)} sites on {server.url}", file=sys.stderr)
        opts = _crawl_options(args, list(classes))
        opts.mirror = server.url
        opts.extra_settings = dict(DEMO_SETTINGS)
        if "LOG_LEVEL" not in opts.overrides:
            # the summary is the demo's output; Scrapy's log only for what went wrong (or -s LOG_LEVEL=INFO)
            opts.extra_settings["LOG_LEVEL"] = "WARNING"
        result = run_crawl(opts)
    print_summary(result)
    print(
        f"\nArchive: {result.archive_uri}  (seen-store: {result.state_uri})\n"
        "Read it:\n"
        f"  newsarchive read --archive {result.archive_uri} | head -n 3\n"
        f"  newsarchive read --archive {result.archive_uri} --site ndr\n"
        "  the format, and DuckDB / pyarrow recipes: docs/ARCHIVE.md\n"
        "Run it again: nothing new is archived the second time."
    )
    return result.exit_code


def cmd_read(args: argparse.Namespace) -> int:
    from pipelines.archive.reader import open_archive
    from pipelines.storage import StorageError

    try:
        reader = open_archive(_archive_uri(args))
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


def _read_page(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import extract
    from crawler.sites import site_for_url

    site = site_for_url(args.url)
    record = extract(_read_page(Path(args.file)), args.url, site.selectors if site else None)
    if site is not None:
        record = {"site": site.name, **record}
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from crawler.evaluate import evaluate
    from crawler.sites import site_classes, site_for_url

    corpus = Path(args.dir)
    if not corpus.is_dir():
        raise UsageError(f"not a directory: {corpus}")
    classes = site_classes()

    def selectors_for(url: str) -> Any:
        site = site_for_url(url, classes)
        return site.selectors if site else None

    out = open(args.records, "w", encoding="utf-8") if args.records else None  # noqa: SIM115
    try:
        scores = evaluate(corpus, records_out=out, selectors_for=selectors_for)
    finally:
        if out:
            out.close()
    if args.json:
        print(json.dumps(scores))
    else:
        for key, value in scores.items():
            print(f"{key:<16} {value:.3f}" if isinstance(value, float) else f"{key:<16} {value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("sites", help="list the supported sites", description="List the supported sites.")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.set_defaults(func=cmd_sites)

    p = sub.add_parser(
        "crawl",
        help="crawl sites of the real web into the archive",
        description="Crawl SITE(s) into the archive: incremental by default (feeds, news sitemaps, "
        "sections), backfill with --from/--to (the monthly archive sitemaps of that range).",
    )
    p.add_argument("sites", nargs="+", metavar="SITE", help="site name(s), see `newsarchive sites`")
    _add_locations(p)
    p.add_argument("--max-articles", type=int, metavar="N", help="stop a site after N archived articles")
    p.add_argument(
        "--mirror",
        metavar="URL",
        help="send every request for the sites' hosts to this server (e.g. http://127.0.0.1:8800), "
        "keeping path and query; records keep the real URLs",
    )
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="backfill from this day")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="backfill up to this day")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.add_argument("--no-progress", action="store_true", help="no live progress line on the terminal")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser(
        "demo",
        help="crawl the bundled offline mirror of every site (what `make demo` runs)",
        description="Serve the bundled offline mirror of the supported sites on 127.0.0.1, crawl it with the "
        "real spiders into ./archive (or --archive), and print a per-site summary.",
    )
    _add_locations(p)
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.add_argument("--no-progress", action="store_true", help="no live progress line on the terminal")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "read",
        help="print committed records as JSON lines",
        description="Print the archive's committed records as JSON lines on stdout, in commit order; "
        "the cursor to continue from (--after) goes to stderr.",
    )
    p.add_argument("--archive", metavar="URI", help="archive location (default: ARCHIVE_URI or ./archive)")
    p.add_argument("--site", metavar="S", help="only this site")
    p.add_argument("--after", metavar="CURSOR", help="only commits after this cursor")
    p.set_defaults(func=cmd_read)

    p = sub.add_parser(
        "extract", help="extract one saved page to its record", description="Extract a saved page to JSON."
    )
    p.add_argument("file", metavar="FILE", help="a saved HTML page (.html or .html.gz)")
    p.add_argument("--url", required=True, help="the URL the page was fetched from")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser(
        "eval",
        help="score extraction on a corpus of saved pages",
        description="For every DIR/*/page.html with its expected.json, extract and score: body_f1, "
        "title_exact, authors_exact, published_exact, ms_per_page.",
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    p.add_argument("--records", metavar="FILE", help="write one JSON line per page with the extracted record")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"newsarchive: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
