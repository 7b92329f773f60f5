"""``newsarchive crawl``: crawl sites of the real web into the archive."""

from __future__ import annotations

import argparse

from crawler.commands import add_locations, check_date, crawl_options
from crawler.runner import UsageError, print_summary, run_crawl


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "crawl",
        help="crawl sites of the real web into the archive",
        description="Crawl SITE(s) into the archive: incremental by default (feeds, news sitemaps, "
        "sections), backfill with --from/--to (the monthly archive sitemaps of that range).",
    )
    p.add_argument("sites", nargs="*", metavar="SITE", help="site name(s), see `newsarchive sites`")
    p.add_argument(
        "--region",
        action="append",
        metavar="LAND",
        help="every site of a Land: its code (NI or DE-NI) or name (Niedersachsen); may be repeated",
    )
    p.add_argument("--all", action="store_true", help="every site of the registry")
    add_locations(p)
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
    opts = crawl_options(args, chosen_sites(args.sites, args.region or [], args.all))
    opts.recheck = bool(args.recheck)
    opts.distributed = args.distributed
    result = run_crawl(opts)
    print_summary(result)
    return result.exit_code


def chosen_sites(names: list[str], regions: list[str], everything: bool) -> list[str]:
    """The named sites, then those of each --region (or all of them with --all), each once, in that order."""
    from crawler.registry import RegistryError, by_region, load_registry

    if not (names or regions or everything):
        raise UsageError("name the sites to crawl: SITE..., --region LAND or --all")
    chosen = list(names)
    try:
        for region in regions:
            chosen += [e.name for e in by_region(region)]
    except RegistryError as exc:
        raise UsageError(str(exc)) from exc
    if everything:
        chosen += [e.name for e in load_registry()]
    return list(dict.fromkeys(chosen))
