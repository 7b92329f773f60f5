"""``newsarchive crawl``: crawl sites of the real web into the archive."""

from __future__ import annotations

import argparse
import os

from crawler.commands import add_locations, check_date_order, crawl_options, http_url, iso_date, positive_int
from crawler.runner import UsageError, print_summary, run_crawl
from crawler.shutdown import exit_now


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
    p.add_argument(
        "--region",
        action="append",
        metavar="LAND",
        help="every site of a Land: its code (NI or DE-NI) or name (Niedersachsen); may be repeated",
    )
    p.add_argument("--all", action="store_true", help="every site of the registry")
    add_locations(p)
    p.add_argument(
        "--max-articles",
        type=positive_int,
        metavar="N",
        help="stop a site after N archived articles: it schedules nothing more and archives at most N",
    )
    p.add_argument(
        "--mirror",
        type=http_url,
        metavar="URL",
        help="send every request for the sites' hosts to this server (e.g. http://127.0.0.1:8800), "
        "keeping path and query; records keep the real URLs",
    )
    p.add_argument(
        "--from",
        dest="date_from",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="backfill from this day (a site given by URL: from the dates of the sitemaps it discovers)",
    )
    p.add_argument(
        "--to", dest="date_to", type=iso_date, metavar="YYYY-MM-DD", help="backfill up to this day"
    )
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
        "there too unless --state names another); default: $DISTRIBUTED_URI, which keeps a password out of "
        "the process list; see docs/DEPLOY.md",
    )
    p.add_argument("--no-progress", action="store_true", help="no live progress line on the terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_date_order(args.date_from, args.date_to)
    sites_file = args.sites_file or os.environ.get("SITES_FILE")
    if not (args.sites or args.region or args.all or sites_file):
        raise UsageError(
            "name the sites to crawl: SITE... (names or front-page URLs), --sites-file FILE, --region LAND or --all"
        )
    opts = crawl_options(args, chosen_sites(args.sites, args.region or [], args.all))
    opts.sites_file = args.sites_file
    opts.recheck = bool(args.recheck)
    opts.distributed = args.distributed or os.environ.get("DISTRIBUTED_URI") or None
    result = run_crawl(opts)
    print_summary(result)
    if result.interrupted:
        exit_now(result.exit_code)  # no thread of the interrupted run may keep the process alive
    return result.exit_code


def chosen_sites(names: list[str], regions: list[str], everything: bool) -> list[str]:
    """The named sites, then those of each --region (or all of them with --all), each once, in that order."""
    from crawler.sites import SitesError, by_region, load_registry

    chosen = list(names)
    try:
        for region in regions:
            chosen += [e.name for e in by_region(region)]
    except SitesError as exc:
        raise UsageError(str(exc)) from exc
    if everything:
        chosen += [e.name for e in load_registry()]
    return list(dict.fromkeys(chosen))
