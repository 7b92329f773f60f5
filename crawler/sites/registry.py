"""The regional registry: Germany's regional news sites by Land, as data (crawler/sites/data/de-<land>.toml).

Every entry is checked by the one checker of the site entry format (crawler/sites/entry.py) with the registry's
rules. :func:`load_registry` returns them all, :func:`by_region` those of one Land, :func:`covering` those whose
districts include a place, and :func:`coverage` the districts of each Land that local entries cover.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from crawler.places.gazetteer import Area, District, PlaceError, resolve_area
from crawler.places.gazetteer import districts as all_districts
from crawler.sites.entry import LAENDER, SiteEntry, SitesError, land_code, parse_documents

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


def covering(text: str, entries: Iterable[SiteEntry] | None = None) -> tuple[Area, list[SiteEntry]]:
    """The area ``text`` names (a municipality or district: name or 8/5-digit key) and the entries whose
    districts include it. SitesError when the text names no area or several."""
    try:
        area = resolve_area(text)
    except PlaceError as exc:
        raise SitesError(str(exc)) from exc
    pool = load_registry() if entries is None else entries
    return area, [e for e in pool if area.district in e.districts]


@dataclass(frozen=True)
class LandCoverage:
    """The districts of one Land: which local entries cover each, and those none covers."""

    land: str
    districts: tuple[District, ...]
    sites: dict[str, tuple[str, ...]]  # district key -> names of the entries that cover it

    @property
    def covered(self) -> list[District]:
        return [d for d in self.districts if self.sites.get(d.key)]

    @property
    def uncovered(self) -> list[District]:
        return [d for d in self.districts if not self.sites.get(d.key)]

    def info(self) -> dict[str, Any]:
        return {
            "land": self.land,
            "land_name": LAENDER[self.land],
            "districts": len(self.districts),
            "covered": [
                {"key": d.key, "name": d.name, "sites": list(self.sites[d.key])} for d in self.covered
            ],
            "uncovered": [{"key": d.key, "name": d.name, "kind": d.kind} for d in self.uncovered],
        }


def coverage(entries: Iterable[SiteEntry] | None = None) -> list[LandCoverage]:
    """Per Land (in the order of LAENDER's codes, sorted), its districts and the entries that name each among
    their ``districts``. Only those count: a broadcaster's Land-wide ``land``/``lands`` is no local coverage."""
    sites: dict[str, list[str]] = {}
    for entry in load_registry() if entries is None else entries:
        for key in entry.districts:
            sites.setdefault(key, []).append(entry.name)
    by_land: dict[str, list[District]] = {}
    for d in all_districts():
        by_land.setdefault(d.land, []).append(d)
    return [
        LandCoverage(
            code, tuple(by_land[code]), {k: tuple(sites.get(k, ())) for k in (d.key for d in by_land[code])}
        )
        for code in sorted(LAENDER)
    ]
