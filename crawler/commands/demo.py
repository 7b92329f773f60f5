"""``newsarchive demo``: crawl the bundled offline mirror of every site."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.commands import add_locations, crawl_options
from crawler.runner import print_summary, run_crawl


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="crawl the bundled offline mirror of every site (what `make demo` runs)",
        description="Serve the bundled offline mirror of the supported sites, and a generated site that is in "
        "no registry, on 127.0.0.1; crawl them with the real spiders (the generated one by its URL) into "
        "./archive (or --archive), and print a per-site summary.",
    )
    add_locations(p)
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.add_argument("--no-progress", action="store_true", help="no live progress line on the terminal")
    p.set_defaults(func=run)


DEMO_SETTINGS: dict[str, Any] = {
    # the mirror is our own server on 127.0.0.1: no need to wait between requests
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "DOWNLOAD_DELAY": 0.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def run(args: argparse.Namespace) -> int:
    from crawler.demo import fixtures_dir
    from crawler.demo.mirror import SiteSpec, build_mirror
    from crawler.demo.server import MirrorServer
    from crawler.demo.unlisted import add_unlisted_site
    from crawler.sites import site_classes

    classes = site_classes()
    mirror = build_mirror([SiteSpec.from_spider(c) for c in classes.values()], fixtures_dir())
    # and a site that is in no registry, crawled by its URL: entry points discovered, non-articles rejected
    unlisted = add_unlisted_site(mirror)
    with MirrorServer(mirror) as server:
        print(
            f"Serving an offline mirror of {len(classes)} sites and of {unlisted.front_page} (by its URL) "
            f"on {server.url}",
            file=sys.stderr,
        )
        opts = crawl_options(args, [*classes, unlisted.front_page])
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
