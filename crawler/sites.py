"""The registry of sites: every spider under crawler/spiders/de, loaded through Scrapy's spider loader."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from crawler.spiders.base import NewsSpider


def project_settings() -> Settings:
    """The project's Scrapy settings, found wherever the command runs from."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def site_classes(settings: Settings | None = None) -> dict[str, type[NewsSpider]]:
    """name -> spider class, sorted by name."""
    loader = get_spider_loader(settings or project_settings())
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
