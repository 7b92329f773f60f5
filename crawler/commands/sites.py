"""``newsarchive sites``: list the supported sites by Land, and the user's own (``--covering PLACE``: those whose
districts include a place); ``sites coverage``: the districts local sites cover; ``sites probe URL``: a dry run."""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Any

from crawler.runner import UsageError

if TYPE_CHECKING:
    from crawler.places.gazetteer import District


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sites",
        help="list the supported sites (by Land) and those of your sites file; `sites probe URL` tries a site",
        description="List the built-in sites (the regional registry), grouped by Land, and the sites of your "
        "sites file (--sites-file or $SITES_FILE). `newsarchive sites coverage` shows the districts the local "
        "sites cover, per Land; `newsarchive sites probe URL` is a dry run on a site given by its front-page URL.",
    )
    p.add_argument(
        "--region",
        metavar="LAND",
        help="only the sites of one Land: its ISO 3166-2 code (NI or DE-NI) or its name (Niedersachsen)",
    )
    p.add_argument(
        "--covering",
        metavar="PLACE",
        help="only the sites whose districts include a place: a municipality or district by name (Wolfsburg, "
        "Landkreis Gifhorn) or official key (03103000, 03103)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument("--sites-file", metavar="FILE", help="a TOML list of your own sites; default: $SITES_FILE")
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    c = actions.add_parser(
        "coverage",
        help="the districts local sites cover, per Land, and those none covers",
        description="Per Land, the districts (Kreise and kreisfreie Städte) that at least one site names among "
        "its districts, and those no site covers. A broadcaster's Land-wide portal names no districts and does "
        "not count. The sites of --sites-file (or $SITES_FILE) count too.",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument("--sites-file", metavar="FILE", help="a TOML list of your own sites; default: $SITES_FILE")
    c.set_defaults(func=run_coverage)
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


def _user_entries(path: str | None) -> list[Any]:
    from crawler.sites import SitesError, load_sites_file

    try:
        return load_sites_file(path) if path else []
    except SitesError as exc:
        raise UsageError(str(exc)) from exc


def run(args: argparse.Namespace) -> int:
    from crawler.sites import LAENDER

    infos = site_infos(args.region)
    path = args.sites_file or os.environ.get("SITES_FILE")
    mine = user_infos(path, args.region) if path else []
    if args.covering:
        return run_covering(args.covering, infos, mine, path, args.json)
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


def _row(i: dict[str, Any], width: int, pub: int) -> str:
    publisher = (i["publisher"] or "(from the pages)")[:pub]
    mine = " (sites file)" if i["origin"] == "sites file" else ""
    return (
        f"  {i['name']:<{width}}  {publisher:<{pub}}  {', '.join(i['domains'])}  [{i['area'] or '-'}]{mine}"
    )


def district_label(d: District) -> str:
    """``Landkreis Gifhorn``, ``Wolfsburg``, ``Ennepe-Ruhr-Kreis``, ``Region Hannover``: how a district is called."""
    if d.is_city or "kreis" in d.name.casefold() or d.name.startswith(("Region", "Städteregion")):
        return d.name
    return f"{d.kind} {d.name}"


def run_covering(
    place: str, infos: list[dict[str, Any]], mine: list[dict[str, Any]], path: str | None, as_json: bool
) -> int:
    """``sites --covering PLACE``: the sites (of the registry and the sites file) whose districts include it."""
    from crawler.places.gazetteer import district
    from crawler.sites import LAENDER, SitesError, covering

    try:
        area, _ = covering(place, [])
    except SitesError as exc:
        raise UsageError(str(exc)) from exc
    rows = [i for i in [*infos, *mine] if area.district in i["districts"]]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    d = district(area.district)
    where = district_label(d) if d is not None and area.is_district else area.name
    inside = f"in {district_label(d)}, " if d is not None and not area.is_district and not d.is_city else ""
    print(
        f"{where} ({area.key}, {inside}{LAENDER[area.land]}): {len(rows)} site{'' if len(rows) == 1 else 's'}"
    )
    width = max((len(i["name"]) for i in rows), default=4)
    pub = min(40, max((len(i["publisher"] or "(from the pages)") for i in rows), default=9))
    for i in rows:
        print(_row(i, width, pub))
    if not rows:
        print("  (no site names its district; `newsarchive sites coverage` lists the districts covered)")
    return 0


def run_coverage(args: argparse.Namespace) -> int:
    """``sites coverage``: per Land, the districts covered by at least one site and those covered by none."""
    from crawler.sites import coverage, load_registry

    path = args.sites_file or os.environ.get("SITES_FILE")
    lands = coverage([*load_registry(), *_user_entries(path)])
    covered = sum(len(c.covered) for c in lands)
    total = sum(len(c.districts) for c in lands)
    if args.json:
        out = {"districts": total, "covered": covered, "lands": [c.info() for c in lands]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for c in lands:
        info = c.info()
        print(f"{info['land_name']} ({c.land}): {len(c.covered)} of {len(c.districts)} districts covered")
        if c.uncovered:
            print("  not covered: " + ", ".join(f"{d.key} {d.name} ({d.kind})" for d in c.uncovered))
    print(
        f"\n{covered} of {total} districts covered by at least one local site"
        " (a broadcaster's Land-wide portal does not count)"
    )
    return 0
