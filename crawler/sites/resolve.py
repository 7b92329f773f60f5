"""From names, URLs, regions and entries to spiders.

- :func:`spider_class`: a NewsSpider subclass for any entry (a sites file's, a bare URL's), built at run time on
  DiscoveringSpider and its platform's base;
- :func:`registry_spider`: the spider of a registry entry: its site file's class (crawler/spiders/de) where one
  exists, else :func:`spider_class`;
- :func:`site_classes`: the site files (Scrapy's spider loader); :func:`resolve_sites`: site names, front-page
  URLs and the user's sites-file entries, mixed, to one spider each.

The spiders import :class:`~crawler.sites.entry.SiteEntry` from below; nothing under crawler/spiders imports
this module.
"""

from __future__ import annotations

import functools
import os
from typing import Any, cast
from urllib.parse import urlsplit

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawler.sites.entry import SiteEntry, SitesError, entry_for_url, is_site_url, load_sites_file
from crawler.sites.registry import load_registry
from crawler.spiders.base import NewsSpider
from crawler.spiders.discover import DiscoveringSpider
from crawler.spiders.platforms import PLATFORMS, FunkeSpider

_URL_LISTS = ("feeds", "news_sitemaps", "sitemaps", "sections")


def project_settings() -> Settings:
    """The project's Scrapy settings, found wherever the command runs from."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part) + "Spider"


def spider_class(entry: SiteEntry) -> type[NewsSpider]:
    """A NewsSpider subclass for the entry, built at run time (on its platform's base when it names one).

    Entry points the entry leaves out are discovered at run time; the publisher comes from the pages when the
    entry names none.
    """
    base = PLATFORMS[entry.platform] if entry.platform else None
    bases: tuple[type[NewsSpider], ...] = (DiscoveringSpider, base) if base else (DiscoveringSpider,)
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"{entry.name}: {entry.url} (an entry of the registry, a sites file or a URL)",
        "name": entry.name,
        "publisher": entry.publisher,
        "region": entry.records_region,
        "language": entry.language or "de",
        "front_page": entry.url,
        "site_entry": entry,
        "domains": list(entry.domains),
        # the area it covers, for whatever reads it from the spider (the place tagger: crawler/places)
        "land": entry.land,
        "lands": list(entry.lands),
        "districts": list(entry.districts),
    }
    if base is not None and hasattr(base, "base_url"):
        attrs["base_url"] = entry.url  # the platform derives its entry points from it
    cls = cast("type[NewsSpider]", type(_class_name(entry.name), bases, attrs))
    # what the entry names wins over what a platform derives
    for key in _URL_LISTS:
        if getattr(entry, key):
            setattr(cls, key, list(getattr(entry, key)))
    cls.domains = list(entry.domains)
    if entry.archive_sitemap:
        cls.archive_sitemap = entry.archive_sitemap
    if entry.archive_since:
        cls.archive_since = entry.archive_since
    if entry.article_url:
        cls.article_url = entry.article_url
    if entry.skip:
        cls.skip = [*getattr(cls, "skip", []), *entry.skip]
    if entry.selectors is not None:
        cls.selectors = entry.selectors
    return cls


@functools.cache
def _site_files() -> dict[str, type[NewsSpider]]:
    return site_classes()


def registry_spider(entry: SiteEntry) -> type[NewsSpider]:
    """The site file's class for a registered site, else the spider any entry gets: entry points discovered at
    run time unless the entry pins some, on its platform's base when it names one."""
    site = _site_files().get(entry.name)
    if site is not None:
        return site
    cls = spider_class(entry)
    if issubclass(cls, FunkeSpider):
        # a Funke title: the platform's news sitemap is shared by its titles; a feed or a monthly archive only
        # where a source shows one for this title
        if not entry.feeds:
            cls.feeds = []
        if not entry.archive_sitemap:
            cls.archive_sitemap = None
    return cls


def registry_spiders() -> dict[str, type[NewsSpider]]:
    """name -> spider class for every entry of the registry."""
    return {entry.name: registry_spider(entry) for entry in load_registry()}


def site_classes(settings: Settings | None = None) -> dict[str, type[NewsSpider]]:
    """name -> spider class of the site files (crawler/spiders/de), sorted by name (Scrapy's own loader:
    SPIDER_LOADER_CLASS adds the registry and the sites file, crawler/spiderloader.py)."""
    loader = SpiderLoader(settings or project_settings())
    classes: dict[str, type[NewsSpider]] = {}
    for name in sorted(loader.list()):
        cls = loader.load(name)
        if isinstance(cls, type) and issubclass(cls, NewsSpider):
            classes[name] = cls
    return classes


def site_info(cls: type[NewsSpider]) -> dict[str, Any]:
    """What ``newsarchive sites --json`` prints for a site's spider."""
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


def _serves(domains: list[str] | tuple[str, ...], url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) or d.endswith("." + host) for d in map(str.lower, domains))


def site_for_url(url: str, classes: dict[str, type[NewsSpider]] | None = None) -> type[NewsSpider] | None:
    """The site whose hosts serve ``url``, if any."""
    return next((cls for cls in (classes or site_classes()).values() if _serves(cls.domains, url)), None)


def user_sites(settings: Settings) -> dict[str, SiteEntry]:
    """The entries of the user's sites file (SITES_FILE, ``--sites-file``), by name; {} when none is set."""
    path = str(settings.get("SITES_FILE") or "")
    if not path:
        return {}
    return {e.name: e for e in load_sites_file(path)}


def resolve_sites(
    args: list[str], settings: Settings | None = None, classes: dict[str, type[NewsSpider]] | None = None
) -> dict[str, type[NewsSpider]]:
    """name -> spider class for site names, front-page URLs and sites-file names, mixed (every entry of the
    sites file when ``args`` is empty). A URL of a built-in site or of a sites-file entry is that site; any
    other URL becomes a site of its own, named after its registrable domain. Raises SitesError for a bad
    sites file or URL and UnknownSites for names that are neither."""
    settings = settings or project_settings()
    classes = classes if classes is not None else site_classes(settings)
    entries = user_sites(settings)
    for name, entry in entries.items():
        if name in classes:
            raise SitesError(
                f"{settings.get('SITES_FILE')}: entry ({entry.url}): field 'name': {name!r} is a built-in site;"
                " choose another name"
            )
    chosen: dict[str, type[NewsSpider]] = {}
    unknown: list[str] = []
    for arg in args or list(entries):
        cls: type[NewsSpider] | None
        if is_site_url(arg):
            mine = next((e for e in entries.values() if _serves(e.domains, arg)), None)
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
