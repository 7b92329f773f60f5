"""``newsarchive sites``: list the supported sites by Land, and the user's own; ``sites probe URL``: a dry run."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sites",
        help="list the supported sites (by Land) and those of your sites file; `sites probe URL` tries a site",
        description="List the built-in sites (the regional registry), grouped by Land, and the sites of your "
        "sites file (--sites-file or $SITES_FILE). `newsarchive sites probe URL` is a dry run on a site given "
        "by its front-page URL.",
    )
    p.add_argument(
        "--region",
        metavar="LAND",
        help="only the sites of one Land: its ISO 3166-2 code (NI or DE-NI) or its name (Niedersachsen)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument("--sites-file", metavar="FILE", help="a TOML list of your own sites; default: $SITES_FILE")
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    from crawler.commands import probe

    probe.register(actions)


def site_infos(region: str | None = None) -> list[dict[str, Any]]:
    """What ``sites --json`` prints for the registry: each entry's spider data and its own fields."""
    from crawler.sites import by_region, load_registry, registry_spider, site_info

    try:
        entries = by_region(region) if region else list(load_registry())
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return [{**site_info(registry_spider(e)), **e.info(), "origin": "built in"} for e in entries]


def user_infos(path: str, region: str | None = None) -> list[dict[str, Any]]:
    """The sites of the user's sites file, in the same shape (land/area where the entry names them)."""
    from crawler.sites import SitesError, land_code, load_sites_file, site_info, spider_class

    try:
        entries = load_sites_file(path)
        code = land_code(region) if region else None
    except SitesError as exc:
        raise UsageError(str(exc)) from exc
    return [
        {**site_info(spider_class(e)), **e.info()} for e in entries if code is None or code in e.all_lands
    ]


def _region(text: str) -> str:
    from crawler.sites import land_code

    return land_code(text)


def run(args: argparse.Namespace) -> int:
    from crawler.sites import LAENDER

    infos = site_infos(args.region)
    path = args.sites_file or os.environ.get("SITES_FILE")
    mine = user_infos(path, args.region) if path else []
    if args.json:
        print(json.dumps([*infos, *mine], ensure_ascii=False, indent=2))
        return 0
    rows = [*infos, *mine]
    width = max((len(i["name"]) for i in rows), default=4)
    pub = min(40, max((len(i["publisher"] or "(from the pages)") for i in rows), default=9))
    land = None
    for i in infos:
        # with --region, one group: the Land asked for (a broadcaster of several Länder among its sites)
        group, name = (i["land"], i["land_name"]) if not args.region else (_region(args.region), "")
        if group != land:
            land = group
            name = name or str(LAENDER[group])
            count = len(infos) if args.region else sum(1 for j in infos if j["land"] == land)
            print(f"{'' if i is infos[0] else chr(10)}{name} ({land}): {count} sites")
        print(
            f"  {i['name']:<{width}}  {i['publisher'][:pub]:<{pub}}  {', '.join(i['domains'])}  [{i['area']}]"
        )
    if mine:
        print(f"\nFrom {path}: {len(mine)} sites")
        for i in mine:
            publisher = (i["publisher"] or "(from the pages)")[:pub]
            where = i["region"] or "-"
            print(
                f"  {i['name']:<{width}}  {publisher:<{pub}}  {', '.join(i['domains'])}  [{where}] (sites file)"
            )
    print(f"\n{len(infos)} sites" + (f", and {len(mine)} from {path}" if mine else ""))
    return 0
