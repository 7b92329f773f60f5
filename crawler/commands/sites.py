"""``newsarchive sites``: list the supported sites."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sites", help="list the supported sites", description="List the supported sites.")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
