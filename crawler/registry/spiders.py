"""Spiders for registry entries: the registered site file where one exists, else a NewsSpider built from data.

Any other entry becomes the spider of a sites-file entry (crawler.sitesfile.spider_class): its pinned entry
points, else those discovered at run time (robots.txt, well-known sitemaps, feeds, the front page); its platform
base (crawler.spiders.platforms) brings URL rules and selectors.
"""

from __future__ import annotations

import functools
from typing import Any

from crawler.extract import SiteSelectors
from crawler.registry import RegistryEntry
from crawler.sitesfile import SiteEntry, spider_class
from crawler.spiders.base import NewsSpider
from crawler.spiders.platforms import FunkeSpider


@functools.cache
def _site_files() -> dict[str, type[NewsSpider]]:
    from crawler.sites import site_classes

    return site_classes()


def selectors_of(entry: RegistryEntry) -> SiteSelectors | None:
    if not entry.selectors:
        return None
    values: dict[str, Any] = dict(entry.selectors)
    for key in ("title_order", "drop"):
        if key in values:
            values[key] = tuple(values[key])
    return SiteSelectors(**values)


def site_entry(entry: RegistryEntry) -> SiteEntry:
    """The registry entry in the site entry format of a sites file (crawler/sitesfile.py)."""
    return SiteEntry(
        url=entry.url,
        name=entry.name,
        publisher=entry.publisher,
        group=entry.group,
        land=entry.land,
        lands=entry.lands,
        area=entry.area,
        region=entry.records_region,
        language=entry.language,
        domains=entry.domains,
        platform=entry.platform,
        feeds=entry.feeds,
        news_sitemaps=entry.news_sitemaps,
        sitemaps=entry.sitemaps,
        sections=entry.sections,
        archive_sitemap=entry.archive_sitemap or None,
        archive_since=entry.archive_since or None,
        article_url=entry.article_url or None,
        skip=entry.skip,
        source=entry.source,
        selectors=selectors_of(entry),
    )


def build_spider(entry: RegistryEntry) -> type[NewsSpider]:
    """The site file's class for a registered site, else the spider a sites-file entry gets: entry points
    discovered at run time unless the entry pins some, on its platform's base when it names one."""
    site = _site_files().get(entry.name)
    if site is not None:
        return site
    cls = spider_class(site_entry(entry))
    if issubclass(cls, FunkeSpider):
        # the platform's news sitemap is shared by its titles; a feed or a monthly archive only where a source
        # shows one for this title
        if not entry.feeds:
            cls.feeds = []
        if not entry.archive_sitemap:
            cls.archive_sitemap = None
    return cls


__all__ = ["build_spider", "selectors_of", "site_entry"]
