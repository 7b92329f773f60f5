"""Compatibility names: the site entry format and its checker live in crawler.sites (crawler/sites/entry.py),
the spiders built from entries in crawler/sites/resolve.py."""

from __future__ import annotations

from crawler.sites.entry import (
    KEYS,
    SiteEntry,
    SitesError,
    default_region,
    entry_for_url,
    is_site_url,
    load_sites_file,
    parse_sites,
    site_name_for,
)
from crawler.sites.resolve import spider_class

SitesFileError = SitesError

__all__ = [
    "KEYS",
    "SiteEntry",
    "SitesFileError",
    "default_region",
    "entry_for_url",
    "is_site_url",
    "load_sites_file",
    "parse_sites",
    "site_name_for",
    "spider_class",
]
