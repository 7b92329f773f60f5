"""The regional registry: Germany's regional news sites by Land, as data (crawler/sites/data/de-<land>.toml).

Every entry is checked by the one checker of the site entry format (crawler/sites/entry.py) with the registry's
rules. :func:`load_registry` returns them all, :func:`by_region` those of one Land.
"""

from __future__ import annotations

import functools
from importlib import resources

from crawler.sites.entry import SiteEntry, land_code, parse_documents

DATA = "crawler/sites/data"


def registry_documents() -> list[tuple[str, str]]:
    """(origin, TOML text) of every registry file, by file name."""
    data = resources.files("crawler.sites").joinpath("data")
    files = sorted((p for p in data.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return [(f"{DATA}/{p.name}", p.read_text(encoding="utf-8")) for p in files]


def parse_registry(documents: list[tuple[str, str]]) -> list[SiteEntry]:
    """The entries of registry documents (origin, TOML text), checked with the registry's rules."""
    return parse_documents(documents, registry=True)


@functools.cache
def load_registry() -> tuple[SiteEntry, ...]:
    """Every entry of the built-in registry, sorted by Land and name."""
    entries = parse_registry(registry_documents())
    return tuple(sorted(entries, key=lambda e: (e.land, e.name)))


def by_region(code_or_name: str) -> list[SiteEntry]:
    """The entries of one Land, given by its ISO 3166-2 code (with or without ``DE-``) or its name."""
    code = land_code(code_or_name)
    return [e for e in load_registry() if code in e.all_lands]


def entry_for(name: str) -> SiteEntry | None:
    return next((e for e in load_registry() if e.name == name), None)
