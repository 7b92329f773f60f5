"""The regional registry: Germany's regional news sites by Land, as data (one TOML file per Land here).

Each ``[[site]]`` table uses the site entry format of a user's sites file (docs/ADDING_A_SITE.md); in the
registry ``name``, ``publisher``, ``land``, ``area`` and ``source`` (the public source of the entry's domain and
region) are required. ``load_registry()`` validates every file and returns typed entries; ``by_region()`` selects
those of one Land; ``registry_spider()`` turns an entry into the spider that crawls it.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pipelines.text import is_http_url

if TYPE_CHECKING:
    from crawler.spiders.base import NewsSpider

#: ISO 3166-2 code -> the Land's official short name
LAENDER: dict[str, str] = {
    "DE-BW": "Baden-Württemberg",
    "DE-BY": "Bayern",
    "DE-BE": "Berlin",
    "DE-BB": "Brandenburg",
    "DE-HB": "Bremen",
    "DE-HH": "Hamburg",
    "DE-HE": "Hessen",
    "DE-MV": "Mecklenburg-Vorpommern",
    "DE-NI": "Niedersachsen",
    "DE-NW": "Nordrhein-Westfalen",
    "DE-RP": "Rheinland-Pfalz",
    "DE-SL": "Saarland",
    "DE-SN": "Sachsen",
    "DE-ST": "Sachsen-Anhalt",
    "DE-SH": "Schleswig-Holstein",
    "DE-TH": "Thüringen",
}

NAME_RE = re.compile(r"^[a-z0-9_]+$")
_STR_KEYS = (
    *("url", "name", "publisher", "group", "land", "area", "region", "language", "platform"),
    *("archive_sitemap", "archive_since", "article_url", "source"),
)
_LIST_KEYS = ("domains", "feeds", "news_sitemaps", "sitemaps", "sections", "skip", "lands")
_SELECTOR_KEYS = ("title", "title_order", "lead", "body", "paragraphs", "drop", "authors", "published")
REQUIRED = ("url", "name", "publisher", "land", "area", "source")


class RegistryError(ValueError):
    """An invalid registry entry or an unknown region: the message names the entry and the field."""


@dataclass(frozen=True)
class RegistryEntry:
    """One site of the registry, in the fields of the site entry format."""

    url: str
    name: str
    publisher: str
    land: str  # ISO 3166-2, e.g. "DE-NI"
    area: str
    source: str
    group: str = ""
    region: str = ""
    language: str = "de"
    domains: tuple[str, ...] = ()
    platform: str = ""
    lands: tuple[
        str, ...
    ] = ()  # further Länder the site covers (a broadcaster of several), by ISO 3166-2 code
    feeds: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    archive_sitemap: str = ""
    archive_since: str = ""
    article_url: str = ""
    skip: tuple[str, ...] = ()
    selectors: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def land_name(self) -> str:
        return LAENDER[self.land]

    @property
    def records_region(self) -> str:
        """The region text the records carry: ``region``, else Land name + ": " + area."""
        return self.region or f"{self.land_name}: {self.area}"

    def info(self) -> dict[str, Any]:
        """The registry's fields of this entry, as ``newsarchive sites --json`` prints them."""
        return {
            "url": self.url,
            "group": self.group or None,
            "land": self.land,
            "lands": [self.land, *self.lands],
            "land_name": self.land_name,
            "area": self.area,
            "platform": self.platform or None,
            "source": self.source,
        }


def _where(index: int, raw: dict[str, Any], origin: str) -> str:
    label = raw.get("name") or raw.get("url") or "?"
    return f"{origin}: site #{index + 1} ({label})"


def parse_entry(raw: Any, index: int, origin: str, platforms: frozenset[str] | None = None) -> RegistryEntry:
    """One ``[[site]]`` table as an entry; RegistryError names the entry and the field at fault."""
    if not isinstance(raw, dict):
        raise RegistryError(f"{origin}: site #{index + 1} is not a table")
    where = _where(index, raw, origin)
    known = {*_STR_KEYS, *_LIST_KEYS, "selectors"}
    for key in raw:
        if key not in known:
            raise RegistryError(f"{where}: unknown key {key!r}")
    for key in REQUIRED:
        if not raw.get(key):
            raise RegistryError(f"{where}: {key!r} is required")
    for key in _STR_KEYS:
        if key in raw and not isinstance(raw[key], str):
            raise RegistryError(f"{where}: {key!r} must be a string")
    for key in _LIST_KEYS:
        if key in raw and not (isinstance(raw[key], list) and all(isinstance(v, str) for v in raw[key])):
            raise RegistryError(f"{where}: {key!r} must be a list of strings")
    if not NAME_RE.match(raw["name"]):
        raise RegistryError(f"{where}: 'name' must match [a-z0-9_]+")
    for code in [raw["land"], *raw.get("lands", [])]:
        if code not in LAENDER:
            raise RegistryError(f"{where}: 'land' {code!r} is not the ISO 3166-2 code of a Land")
    for key in ("url", "source", "archive_sitemap"):
        if raw.get(key) and not is_http_url(raw[key]):
            raise RegistryError(f"{where}: {key!r} must be an http(s) URL")
    for key in ("feeds", "news_sitemaps", "sitemaps", "sections"):
        for value in raw.get(key, []):
            if not is_http_url(value):
                raise RegistryError(f"{where}: {key!r} holds a non-http(s) URL {value!r}")
    for pattern in [raw.get("article_url") or ".", *raw.get("skip", [])]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RegistryError(f"{where}: bad regex {pattern!r} ({exc})") from exc
    if raw.get("archive_since") and not re.fullmatch(r"\d{4}-\d{2}", raw["archive_since"]):
        raise RegistryError(f"{where}: 'archive_since' must be YYYY-MM")
    if platforms is not None and raw.get("platform") and raw["platform"] not in platforms:
        raise RegistryError(
            f"{where}: unknown 'platform' {raw['platform']!r}; known: {', '.join(sorted(platforms))}"
        )
    selectors = raw.get("selectors", {})
    if not isinstance(selectors, dict):
        raise RegistryError(f"{where}: 'selectors' must be a table")
    for key, value in selectors.items():
        if key not in _SELECTOR_KEYS:
            raise RegistryError(f"{where}: unknown selector {key!r}")
        ok = isinstance(value, list) if key in ("title_order", "drop") else isinstance(value, str)
        if not ok:
            raise RegistryError(f"{where}: selector {key!r} has the wrong type")
    domains = tuple(raw.get("domains") or [urlsplit(raw["url"]).hostname or ""])
    values: dict[str, Any] = {k: raw[k] for k in _STR_KEYS if k in raw}
    values.update({k: tuple(raw[k]) for k in _LIST_KEYS if k in raw})
    values["domains"] = tuple(d.lower() for d in domains)
    values["selectors"] = dict(selectors)
    return RegistryEntry(**values)


def parse_registry(
    documents: list[tuple[str, str]], platforms: frozenset[str] | None = None
) -> list[RegistryEntry]:
    """Entries of (origin, TOML text) documents; names and domains must be unique across all of them."""
    entries: list[RegistryEntry] = []
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for origin, text in documents:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{origin}: not valid TOML ({exc})") from exc
        unknown = set(data) - {"site"}
        if unknown:
            raise RegistryError(f"{origin}: unknown top-level key(s) {', '.join(sorted(unknown))}")
        sites = data.get("site", [])
        if not isinstance(sites, list):
            raise RegistryError(f"{origin}: 'site' must be an array of tables ([[site]])")
        for index, raw in enumerate(sites):
            entry = parse_entry(raw, index, origin, platforms)
            where = _where(index, raw, origin)
            if entry.name in names:
                raise RegistryError(f"{where}: duplicate 'name' {entry.name!r} (also {names[entry.name]})")
            names[entry.name] = where
            for domain in entry.domains:
                if domain in domains:
                    raise RegistryError(f"{where}: duplicate domain {domain!r} (also {domains[domain]})")
                domains[domain] = where
            entries.append(entry)
    return entries


@functools.cache
def load_registry() -> tuple[RegistryEntry, ...]:
    """Every entry of the built-in registry (the de-*.toml files of this package), sorted by Land and name."""
    from crawler.spiders.platforms import PLATFORMS

    files = sorted(
        (p for p in resources.files(__package__).iterdir() if p.name.endswith(".toml")), key=lambda p: p.name
    )
    docs = [(f"crawler/registry/{p.name}", p.read_text(encoding="utf-8")) for p in files]
    entries = parse_registry(docs, frozenset(PLATFORMS))
    return tuple(sorted(entries, key=lambda e: (e.land, e.name)))


def _ascii(text: str) -> str:
    """Case-folded, umlauts and ß as ASCII letters: Thüringen, THUERINGEN and Thuringen compare alike."""
    import unicodedata

    folded = text.casefold().replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


def land_code(text: str) -> str:
    """``NI``, ``DE-NI``, ``de-ni`` or ``Niedersachsen`` -> ``DE-NI``; RegistryError for anything else."""
    key = text.strip()
    upper = key.upper()
    if upper in LAENDER:
        return upper
    if f"DE-{upper}" in LAENDER:
        return f"DE-{upper}"
    for code, name in LAENDER.items():
        if _ascii(name) in (
            _ascii(key),
            _ascii(key.replace("ae", "ä").replace("oe", "ö").replace("ue", "ü")),
        ):
            return code
    codes = ", ".join(c.removeprefix("DE-") for c in LAENDER)
    raise RegistryError(f"unknown region {text!r}: give a Land by its code ({codes}) or its name")


def by_region(code_or_name: str) -> list[RegistryEntry]:
    """The entries of one Land, given by its ISO 3166-2 code (with or without ``DE-``) or its name."""
    code = land_code(code_or_name)
    return [e for e in load_registry() if e.land == code or code in e.lands]


def entry_for(name: str) -> RegistryEntry | None:
    return next((e for e in load_registry() if e.name == name), None)


def registry_spider(entry: RegistryEntry) -> type[NewsSpider]:
    """The NewsSpider that crawls ``entry`` (built in crawler.registry.spiders)."""
    from crawler.registry.spiders import build_spider

    return build_spider(entry)


def registry_spiders() -> dict[str, type[NewsSpider]]:
    """name -> spider class for every entry of the registry."""
    return {entry.name: registry_spider(entry) for entry in load_registry()}
