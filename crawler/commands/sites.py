"""``newsarchive sites``: list the supported sites and the user's own; ``sites probe URL``: a dry run."""

from __future__ import annotations

import argparse
import json
import os

from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sites",
        help="list the supported sites and those of your sites file; `sites probe URL` tries a site by URL",
        description="List the built-in sites and the sites of your sites file (--sites-file or $SITES_FILE). "
        "`newsarchive sites probe URL` is a dry run on a site given by its front-page URL.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument("--sites-file", metavar="FILE", help="a TOML list of your own sites; default: $SITES_FILE")
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    from crawler.commands import probe

    probe.register(actions)


def run(args: argparse.Namespace) -> int:
    from crawler.sites import site_classes, site_info
    from crawler.sitesfile import SitesFileError, load_sites_file, spider_class

    infos = [site_info(cls) for cls in site_classes().values()]
    path = args.sites_file or os.environ.get("SITES_FILE")
    if path:
        try:
            entries = load_sites_file(path)
        except SitesFileError as exc:
            raise UsageError(str(exc)) from exc
        infos += [site_info(spider_class(e)) for e in entries]
    if args.json:
        print(json.dumps(infos, ensure_ascii=False, indent=2))
        return 0
    width = max(len(i["name"]) for i in infos)
    pub = max(len(i["publisher"] or "(from the pages)") for i in infos)
    for i in infos:
        where = " (sites file)" if i["source"] == "sites file" else ""
        hosts = ", ".join(i["domains"])
        publisher = i["publisher"] or "(from the pages)"
        print(f"{i['name']:<{width}}  {publisher:<{pub}}  {hosts}  [{i['region'] or '-'}]{where}")
    return 0
