"""``newsarchive crawl``: crawl sites of the real web into the archive."""

from __future__ import annotations

import argparse
import os

from crawler.commands import add_locations, check_date, crawl_options
from crawler.runner import UsageError, print_summary, run_crawl


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "crawl",
        help="crawl sites of the real web into the archive",
        description="Crawl SITE(s) into the archive: incremental by default (feeds, news sitemaps, "
        "sections), backfill with --from/--to (the monthly archive sitemaps of that range). A SITE is a site "
        "name (see `newsarchive sites`) or the http(s) URL of any news site's front page: its entry points are "
        "then discovered (robots.txt sitemaps, well-known sitemaps, feeds linked from the front page, else the "
        "front page's links) and cached in the state store for DISCOVERY_TTL seconds.",
    )
    p.add_argument(
        "sites",
        nargs="*",
        metavar="SITE",
        help="site name(s) or front-page URL(s), mixed; none: every entry of the sites file",
    )
    p.add_argument(
        "--sites-file",
        metavar="FILE",
        help="a TOML list of your own sites ([[site]] entries, docs/ADDING_A_SITE.md); default: $SITES_FILE",
    )
    add_locations(p)
    p.add_argument("--max-articles", type=int, metavar="N", help="stop a site after N archived articles")
    p.add_argument(
        "--mirror",
        metavar="URL",
        help="send every request for the sites' hosts to this server (e.g. http://127.0.0.1:8800), "
        "keeping path and query; records keep the real URLs",
    )
    p.add_argument(
        "--from",
        dest="date_from",
        metavar="YYYY-MM-DD",
        help="backfill from this day (a site given by URL: from the dates of the sitemaps it discovers)",
    )
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="backfill up to this day")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.add_argument(
        "--recheck",
        action="store_true",
        help="refetch every known article the run discovers (with If-None-Match / If-Modified-Since); "
        "changed ones are archived as a new revision",
    )
    p.add_argument(
        "--distributed",
        metavar="REDIS_URI",
        help="be one worker of a distributed crawl: share the request queue, the request dupefilter and "
        "per-site politeness with every worker given the same redis://HOST:PORT/DB (the seen-store goes "
        "there too unless --state names another); see docs/DEPLOY.md",
    )
    p.add_argument("--no-progress", action="store_true", help="no live progress line on the terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for d in (args.date_from, args.date_to):
        if d:
            check_date(d)
    if not args.sites and not (args.sites_file or os.environ.get("SITES_FILE")):
        raise UsageError("give at least one SITE (a site name or a front-page URL), or --sites-file FILE")
    opts = crawl_options(args, args.sites)
    opts.sites_file = args.sites_file
    opts.recheck = bool(args.recheck)
    opts.distributed = args.distributed
    result = run_crawl(opts)
    print_summary(result)
    return result.exit_code
