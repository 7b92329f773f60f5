"""Compatibility names: the regional registry lives in crawler.sites (its data in crawler/sites/data/, its
loader in crawler/sites/registry.py, its spiders in crawler/sites/resolve.py)."""

from __future__ import annotations

from crawler.sites.entry import LAENDER, SiteEntry, SitesError, land_code
from crawler.sites.registry import by_region, entry_for, load_registry, parse_registry
from crawler.sites.resolve import registry_spider, registry_spiders

RegistryEntry = SiteEntry
RegistryError = SitesError

__all__ = [
    "LAENDER",
    "RegistryEntry",
    "RegistryError",
    "by_region",
    "entry_for",
    "land_code",
    "load_registry",
    "parse_registry",
    "registry_spider",
    "registry_spiders",
]
