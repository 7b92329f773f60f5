"""``newsarchive sites``: list the supported sites, by Land."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sites",
        help="list the supported sites",
        description="List the supported sites (the regional registry), grouped by Land.",
    )
    p.add_argument(
        "--region",
        metavar="LAND",
        help="only the sites of one Land: its ISO 3166-2 code (NI or DE-NI) or its name (Niedersachsen)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.set_defaults(func=run)


def site_infos(region: str | None = None) -> list[dict[str, Any]]:
    """What ``sites --json`` prints: each registry entry's spider data and its registry fields."""
    from crawler.registry import by_region, load_registry, registry_spider
    from crawler.runner import UsageError
    from crawler.sites import site_info

    try:
        entries = by_region(region) if region else list(load_registry())
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return [{**site_info(registry_spider(e)), **e.info()} for e in entries]


def run(args: argparse.Namespace) -> int:
    infos = site_infos(args.region)
    if args.json:
        print(json.dumps(infos, ensure_ascii=False, indent=2))
        return 0
    width = max((len(i["name"]) for i in infos), default=4)
    pub = min(40, max((len(i["publisher"]) for i in infos), default=9))
    land = None
    for i in infos:
        if i["land"] != land:
            land = i["land"]
            count = sum(1 for j in infos if j["land"] == land)
            print(f"{'' if land == infos[0]['land'] else chr(10)}{i['land_name']} ({land}): {count} sites")
        print(
            f"  {i['name']:<{width}}  {i['publisher'][:pub]:<{pub}}  {', '.join(i['domains'])}  [{i['area']}]"
        )
    print(f"\n{len(infos)} sites")
    return 0
