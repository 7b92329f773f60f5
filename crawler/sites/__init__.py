"""Sites: the one home of the site entry format, the regional registry and the resolution of sites to spiders.

- crawler/sites/entry.py: the ``[[site]]`` entry format (:class:`SiteEntry`) and its one checker, used for the
  registry's data and for users' sites files alike; the table of the Länder. It imports nothing of the spiders,
  which import the entry type from it.
- crawler/sites/data/de-<land>.toml: the registry's entries, one file per Land; crawler/sites/registry.py
  loads them (:func:`load_registry`, :func:`by_region`).
- crawler/sites/resolve.py: names, front-page URLs, sites-file entries and registry entries to spiders
  (:func:`resolve_sites`, :func:`spider_class`, :func:`registry_spider`, :func:`site_classes`);
- the districts an entry covers (``districts``, 5-digit keys of crawler.places' gazetteer): :func:`covering` a
  place, :func:`coverage` per Land.

The names below are importable from ``crawler.sites``; each submodule is imported when one of its names is
first used, so that importing the entry format does not import the spiders.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.sites.entry import (
        LAENDER,
        PLATFORM_NAMES,
        SiteEntry,
        SitesError,
        check_entry,
        default_region,
        entry_for_url,
        is_site_url,
        land_code,
        load_sites_file,
        parse_documents,
        parse_sites,
        site_name_for,
    )
    from crawler.sites.registry import (
        LandCoverage,
        by_region,
        coverage,
        covering,
        entry_for,
        load_registry,
        parse_registry,
    )
    from crawler.sites.resolve import (
        UnknownSites,
        project_settings,
        registry_spider,
        registry_spiders,
        resolve_sites,
        site_classes,
        site_for_url,
        site_info,
        spider_class,
        user_sites,
    )

_HOME = {
    "entry": (
        *("LAENDER", "PLATFORM_NAMES", "SiteEntry", "SitesError", "check_entry", "default_region"),
        *("entry_for_url", "is_site_url", "land_code", "load_sites_file", "parse_documents", "parse_sites"),
        "site_name_for",
    ),
    "registry": (
        "LandCoverage",
        "by_region",
        "coverage",
        "covering",
        "entry_for",
        "load_registry",
        "parse_registry",
    ),
    "resolve": (
        *("UnknownSites", "project_settings", "registry_spider", "registry_spiders", "resolve_sites"),
        *("site_classes", "site_for_url", "site_info", "spider_class", "user_sites"),
    ),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = [
    "LAENDER",
    "PLATFORM_NAMES",
    "LandCoverage",
    "SiteEntry",
    "SitesError",
    "UnknownSites",
    "by_region",
    "check_entry",
    "coverage",
    "covering",
    "default_region",
    "entry_for",
    "entry_for_url",
    "is_site_url",
    "land_code",
    "load_registry",
    "load_sites_file",
    "parse_documents",
    "parse_registry",
    "parse_sites",
    "project_settings",
    "registry_spider",
    "registry_spiders",
    "resolve_sites",
    "site_classes",
    "site_for_url",
    "site_info",
    "site_name_for",
    "spider_class",
    "user_sites",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
