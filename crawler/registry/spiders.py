"""Spiders for registry entries: the registered site file where one exists, else a NewsSpider built from data.

The built spider starts from the entry's pinned entry points, or from its front page read as a section page when
none are pinned; its platform base (crawler.spiders.platforms) brings URL rules and selectors. Run-time discovery
of entry points replaces the front-page fallback once it exists.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from crawler.extract import SiteSelectors
from crawler.registry import RegistryEntry
from crawler.spiders.base import NewsSpider
from crawler.spiders.platforms import PLATFORMS, FunkeSpider


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


def build_spider(entry: RegistryEntry) -> type[NewsSpider]:
    """The site file's class for a registered site, else a NewsSpider subclass made of the entry's data."""
    site = _site_files().get(entry.name)
    if site is not None:
        return site
    base = PLATFORMS.get(entry.platform, NewsSpider) if entry.platform else NewsSpider
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"{entry.publisher} ({entry.land_name}), from the registry.",
        "name": entry.name,
        "publisher": entry.publisher,
        "region": entry.records_region,
        "language": entry.language,
        "domains": list(entry.domains),
    }
    if issubclass(base, FunkeSpider):
        parts = urlsplit(entry.url)
        attrs["base_url"] = f"{parts.scheme}://{parts.hostname}"
        attrs["has_rss"] = bool(entry.feeds)  # a Funke title's feed only where a source shows one
        attrs["has_archive"] = bool(entry.archive_sitemap)
    for key in ("feeds", "news_sitemaps", "sitemaps", "sections"):
        if getattr(entry, key):
            attrs[key] = list(getattr(entry, key))
    if entry.archive_sitemap:
        attrs["archive_sitemap"] = entry.archive_sitemap
    if entry.archive_since:
        attrs["archive_since"] = entry.archive_since
    if entry.article_url:
        attrs["article_url"] = entry.article_url
    if entry.skip:
        attrs["skip"] = [*base.skip, *entry.skip]
    if entry.selectors:
        attrs["selectors"] = selectors_of(entry)
    cls_name = "".join(part.title() for part in entry.name.split("_")) + "Spider"
    cls = type(cls_name, (base,), attrs)
    assert issubclass(cls, NewsSpider)
    if not (cls.feeds or cls.news_sitemaps or cls.sections or cls.sitemaps):
        cls.sections = [entry.url]  # nothing pinned: the front page's links
    return cls


__all__ = ["build_spider", "selectors_of"]
