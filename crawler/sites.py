"""The registry of sites: every spider under crawler/spiders/de (Scrapy's spider loader), the user's sites file,
and sites given by their front-page URL."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.sitesfile import (
    SiteEntry,
    SitesFileError,
    entry_for_url,
    is_site_url,
    load_sites_file,
    spider_class,
)
from crawler.spiders.base import NewsSpider


def project_settings() -> Settings:
    """The project's Scrapy settings, found wherever the command runs from."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def site_classes(settings: Settings | None = None) -> dict[str, type[NewsSpider]]:
    """name -> spider class of the site files, sorted by name (Scrapy's own loader: SPIDER_LOADER_CLASS adds the
    registry and the sites file, crawler/spiderloader.py)."""
    loader = SpiderLoader(settings or project_settings())
    classes: dict[str, type[NewsSpider]] = {}
    for name in sorted(loader.list()):
        cls = loader.load(name)
        if isinstance(cls, type) and issubclass(cls, NewsSpider):
            classes[name] = cls
    return classes


def site_info(cls: type[NewsSpider]) -> dict[str, Any]:
    """What ``newsarchive sites --json`` prints for a site."""
    return {
        "name": cls.name,
        "publisher": cls.publisher,
        "region": cls.region,
        "language": cls.language,
        "domains": list(cls.domains),
        "feeds": list(cls.feeds),
        "news_sitemaps": list(cls.news_sitemaps),
        "sitemaps": list(cls.sitemaps),
        "sections": list(cls.sections),
        "archive_sitemap": cls.archive_sitemap,
        "backfill": bool(cls.archive_sitemap),
        "origin": "sites file" if getattr(cls, "site_entry", None) is not None else "built in",
        # entry points found at run time (robots.txt, well-known sitemaps, feeds, the front page)
        "discovered": not (cls.feeds or cls.news_sitemaps or cls.sitemaps or cls.sections),
    }


def site_for_url(url: str, classes: dict[str, type[NewsSpider]] | None = None) -> type[NewsSpider] | None:
    """The site whose hosts serve ``url``, if any."""
    host = (urlsplit(url).hostname or "").lower()
    for cls in (classes or site_classes()).values():
        for domain in cls.domains:
            d = domain.lower()
            if host == d or host.endswith("." + d) or d.endswith("." + host):
                return cls
    return None


def user_sites(settings: Settings) -> dict[str, SiteEntry]:
    """The entries of the user's sites file (SITES_FILE, ``--sites-file``), by name; {} when none is set."""
    path = str(settings.get("SITES_FILE") or "")
    if not path:
        return {}
    return {e.name: e for e in load_sites_file(path)}


def _serves(entry: SiteEntry, url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) or d.endswith("." + host) for d in entry.domains)


def resolve_sites(
    args: list[str], settings: Settings | None = None, classes: dict[str, type[NewsSpider]] | None = None
) -> dict[str, type[NewsSpider]]:
    """name -> spider class for site names, front-page URLs and sites-file names, mixed (every entry of the
    sites file when ``args`` is empty). A URL of a built-in site or of a sites-file entry is that site; any
    other URL becomes a site of its own, named after its registrable domain. Raises SitesFileError for a bad
    sites file or URL and UnknownSites for names that are neither."""
    settings = settings or project_settings()
    classes = classes if classes is not None else site_classes(settings)
    entries = user_sites(settings)
    for name, entry in entries.items():
        if name in classes:
            raise SitesFileError(
                f"{settings.get('SITES_FILE')}: entry ({entry.url}): field 'name': {name!r} is a built-in site;"
                " choose another name"
            )
    chosen: dict[str, type[NewsSpider]] = {}
    unknown: list[str] = []
    for arg in args or list(entries):
        cls: type[NewsSpider] | None
        if is_site_url(arg):
            mine = next((e for e in entries.values() if _serves(e, arg)), None)
            cls = spider_class(mine) if mine else site_for_url(arg, classes)
            cls = cls or spider_class(entry_for_url(arg))
        elif arg in classes:
            cls = classes[arg]
        elif arg in entries:
            cls = spider_class(entries[arg])
        else:
            unknown.append(arg)
            continue
        chosen.setdefault(str(cls.name), cls)
    if unknown:
        raise UnknownSites(unknown, [*classes, *entries])
    return chosen


class UnknownSites(ValueError):
    """Site names that are neither built in nor in the sites file."""

    def __init__(self, names: list[str], known: list[str]) -> None:
        super().__init__(
            f"unknown site(s): {', '.join(names)}. Known sites: {', '.join(known)}"
            " (or give a site's front-page URL, https://...)"
        )
