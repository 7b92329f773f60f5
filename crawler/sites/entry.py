"""The site entry format: one ``[[site]]`` table of TOML, and its one checker.

The format (docs/ADDING_A_SITE.md) is the same for a user's sites file (``crawl --sites-file FILE`` or
``SITES_FILE``) and the built-in registry (crawler/sites/data/). Every key but ``url`` is optional in a sites
file; the registry also requires ``name``, ``publisher``, ``land`` (a German Land), ``area`` and ``source``.
:func:`parse_sites` reads and checks a document before any request: unknown keys, wrong types, a non-http(s)
URL, a bad regex, an unknown Land, platform or district key, a duplicate name or domain are a :class:`SitesError`
naming the document, the entry (its index and name or URL) and the field.

This module imports nothing of the spiders: they import :class:`SiteEntry` from here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.extract import SiteSelectors
from crawler.places.gazetteer import district
from pipelines.redact import redact_text
from pipelines.text import is_http_url, registrable_host

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

#: the names of the platform bases (crawler/spiders/platforms.py maps each to its class)
PLATFORM_NAMES = ("funke", "ippen", "madsack", "noz", "dumont", "swmh", "vrm", "rp")

#: keys the registry requires of every entry (a sites file only ``url``)
REGISTRY_REQUIRED = ("name", "publisher", "land", "area", "source")

_NAME = re.compile(r"[a-z0-9_]+")
_LAND = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_DISTRICT = re.compile(r"\d{5}")
_HOST = re.compile(r"[a-z0-9.-]+")
_STRING_FIELDS = ("name", "publisher", "group", "land", "area", "region", "language", "platform", "source")
_URL_LISTS = ("feeds", "news_sitemaps", "sitemaps", "sections")
#: the SiteSelectors fields an entry may set (one layout; dated versions need a site file)
_SELECTOR_STRINGS = ("title", "lead", "body", "paragraphs", "authors", "published")
_SELECTOR_LISTS = ("title_order", "drop")
_TITLE_SOURCES = ("opengraph", "jsonld", "microdata", "h1", "title")


class SitesError(ValueError):
    """An entry, sites file or registry file that cannot be used; the message names the document, the entry
    and the field. Also an unknown region or place."""


@dataclass(frozen=True, slots=True)
class SiteEntry:
    """One site: its front page and whatever else is known about it (the keys of a ``[[site]]`` table)."""

    url: str
    name: str = ""
    publisher: str = ""
    group: str = ""
    land: str = ""  # ISO 3166-2, e.g. "DE-NI"
    lands: tuple[str, ...] = ()  # further Länder the site covers (a broadcaster of several)
    area: str = ""
    region: str = ""  # the text the records carry; default: "<Land name>: <area>"
    language: str = ""
    domains: tuple[str, ...] = ()  # the host of url first, then aliases
    districts: tuple[str, ...] = ()  # 5-digit district keys (Kreisschlüssel) of the area its local news cover
    platform: str = ""
    feeds: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    archive_sitemap: str | None = None
    archive_since: str | None = None
    article_url: str | None = None
    skip: tuple[str, ...] = ()
    source: str = ""
    selectors: SiteSelectors | None = field(default=None, compare=False)

    @property
    def pinned(self) -> bool:
        """Whether the entry names its entry points (else they are discovered at run time)."""
        return bool(self.feeds or self.news_sitemaps or self.sitemaps or self.sections)

    @property
    def land_name(self) -> str:
        return LAENDER.get(self.land, self.land)

    @property
    def all_lands(self) -> tuple[str, ...]:
        return (self.land, *self.lands) if self.land else self.lands

    @property
    def records_region(self) -> str:
        """The region text the records carry: ``region``, else Land name + ": " + area."""
        return self.region or default_region(self.land, self.area)

    def info(self) -> dict[str, Any]:
        """The entry's own fields as ``newsarchive sites --json`` prints them (beside its spider's)."""
        return {
            "url": self.url,
            "group": self.group or None,
            "land": self.land or None,
            "lands": list(self.all_lands),
            "land_name": LAENDER.get(self.land),
            "area": self.area or None,
            "districts": list(self.districts),
            "platform": self.platform or None,
            "source": self.source or None,
        }


KEYS = frozenset(f.name for f in fields(SiteEntry))


def site_name_for(url: str) -> str:
    """The stable site name of a URL: its registrable domain, ``www.nwzonline.de`` -> ``nwzonline_de``."""
    return re.sub(r"[^a-z0-9]+", "_", registrable_host(url).lower()).strip("_")


def default_region(land: str, area: str) -> str:
    """``"Niedersachsen: Oldenburg"`` from ``DE-NI`` and ``Oldenburg`` (what is known of the two)."""
    land_name = LAENDER.get(land, land)
    return ": ".join(part for part in (land_name, area) if part)


def _ascii(text: str) -> str:
    """Case-folded, umlauts and ß as ASCII letters: Thüringen, THUERINGEN and Thuringen compare alike."""
    import unicodedata

    folded = text.casefold().replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


def land_code(text: str) -> str:
    """``NI``, ``DE-NI``, ``de-ni`` or ``Niedersachsen`` -> ``DE-NI``; SitesError for anything else."""
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
    raise SitesError(f"unknown region {text!r}: give a Land by its code ({codes}) or its name")


def host_key(domain: str) -> str:
    """A domain as duplicates are found: lower case, without ``www.`` (``www.x.de`` and ``x.de`` are one site)."""
    return domain.lower().rstrip(".").removeprefix("www.")


class _Checker:
    """Checks one ``[[site]]`` table and builds its SiteEntry; errors name the entry and the field."""

    def __init__(self, origin: str, index: int, table: dict[str, Any], registry: bool) -> None:
        self.origin, self.index, self.table, self.registry = origin, index, table, registry
        label = table.get("name") if isinstance(table.get("name"), str) else None
        label = label or (table.get("url") if isinstance(table.get("url"), str) else None)
        self.label = f"entry {index}" + (f" ({label})" if label else "")

    def fail(self, key: str, problem: str) -> SitesError:
        return SitesError(f"{self.origin}: {self.label}: field {key!r}: {problem}")

    def string(self, key: str) -> str:
        value = self.table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {type(value).__name__}")
        return value.strip()

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if isinstance(value, str) or not isinstance(value, list):
            raise self.fail(key, f"expected a list of strings, got {type(value).__name__}")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def url(self, key: str, value: str) -> str:
        if "@" in value.split("//", 1)[-1].split("/", 1)[0]:  # credentials never belong in a sites file
            raise self.fail(key, "a URL with user info (user:password@) is refused")
        if not is_http_url(value):
            raise self.fail(key, f"not an http(s) URL: {redact_text(value)!r}")
        return value

    def regex(self, key: str, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise self.fail(key, f"bad regular expression {value!r}: {exc}") from exc
        return value

    def selectors(self) -> SiteSelectors | None:
        value = self.table.get("selectors")
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail("selectors", f"expected a table, got {type(value).__name__}")
        args: dict[str, Any] = {}
        for key, item in value.items():
            where = f"selectors.{key}"
            if key in _SELECTOR_STRINGS:
                if not isinstance(item, str) or not item.strip():
                    raise self.fail(where, "expected a non-empty string (a CSS or XPath selector)")
                args[key] = item.strip()
            elif key in _SELECTOR_LISTS:
                if not isinstance(item, list) or not all(isinstance(v, str) and v for v in item):
                    raise self.fail(where, "expected a list of strings")
                if key == "title_order" and (bad := [v for v in item if v not in _TITLE_SOURCES]):
                    raise self.fail(where, f"unknown source(s) {bad}; use {', '.join(_TITLE_SOURCES)}")
                args[key] = tuple(item)
            else:
                known = ", ".join((*_SELECTOR_STRINGS, *_SELECTOR_LISTS))
                raise self.fail(where, f"unknown selector field (known: {known})")
        return SiteSelectors(**args)

    def lands(self, land: str) -> tuple[str, ...]:
        lands = self.strings("lands")
        for key, code in [("land", land), *(("lands", c) for c in lands)]:
            if not code:
                continue
            if self.registry and code not in LAENDER:
                raise self.fail(key, f"{code!r}: expected the ISO 3166-2 code of a German Land such as DE-NI")
            if not _LAND.fullmatch(code):
                raise self.fail(key, f"{code!r}: expected an ISO 3166-2 code such as DE-NI")
        return lands

    def districts(self) -> tuple[str, ...]:
        keys = self.strings("districts")
        for key in keys:
            if not _DISTRICT.fullmatch(key):
                raise self.fail("districts", f"{key!r}: expected a 5-digit district key such as 03103")
        if len(set(keys)) != len(keys):
            raise self.fail("districts", "a district key is named twice")
        unknown = [key for key in keys if district(key) is None]
        if unknown:
            raise self.fail("districts", f"no such district in the gazetteer: {', '.join(unknown)}")
        return keys

    def domains(self, url: str) -> tuple[str, ...]:
        aliases = self.strings("domains")
        for d in aliases:
            if not _HOST.fullmatch(d.lower()) or "." not in d:
                raise self.fail("domains", f"not a host name: {d!r}")
        host = (urlsplit(url).hostname or "").lower()
        return tuple(dict.fromkeys([host, *(d.lower() for d in aliases)]))

    def entry(self, defaults: dict[str, str]) -> SiteEntry:
        unknown = sorted(set(self.table) - KEYS)
        if unknown:
            raise self.fail(unknown[0], f"unknown key (known keys: {', '.join(sorted(KEYS))})")
        if "url" not in self.table:
            raise self.fail("url", "missing (the site's front page, http or https)")
        url = self.url("url", self.string("url"))
        s = {key: self.string(key) or defaults.get(key, "") for key in _STRING_FIELDS}
        if self.registry:
            for key in REGISTRY_REQUIRED:
                if not s[key]:
                    raise self.fail(
                        key, "missing (the registry requires name, publisher, land, area, source)"
                    )
        if s["name"] and not _NAME.fullmatch(s["name"]):
            raise self.fail("name", f"{s['name']!r}: use lower-case letters, digits and _ only")
        lands = self.lands(s["land"])
        if s["language"] and not re.fullmatch(r"[a-z]{2,3}", s["language"]):
            raise self.fail("language", f"{s['language']!r}: expected a language code such as de")
        if s["platform"] and s["platform"] not in PLATFORM_NAMES:
            raise self.fail(
                "platform", f"unknown platform {s['platform']!r} (known: {', '.join(PLATFORM_NAMES)})"
            )
        if s["source"] and not is_http_url(s["source"]):
            raise self.fail("source", f"not an http(s) URL: {s['source']!r}")
        lists = {key: tuple(self.url(key, u) for u in self.strings(key)) for key in _URL_LISTS}
        archive = self.string("archive_sitemap") or None
        if archive is not None:
            self.url("archive_sitemap", archive)
            try:
                archive.format(year=2020, month=1)
            except (KeyError, IndexError, ValueError) as exc:
                raise self.fail(
                    "archive_sitemap", f"use only {{year}} and {{month}} placeholders ({exc})"
                ) from exc
            if "{year" not in archive:
                raise self.fail(
                    "archive_sitemap", "needs a {year} placeholder (and {month} for monthly ones)"
                )
        since = self.string("archive_since") or None
        if since is not None and not _MONTH.fullmatch(since):
            raise self.fail("archive_since", f"{since!r}: expected YYYY-MM")
        article_url = self.string("article_url") or None
        if article_url is not None:
            self.regex("article_url", article_url)
        skip = tuple(self.regex("skip", p) for p in self.strings("skip"))
        return SiteEntry(
            url=url,
            name=s["name"] or site_name_for(url),
            publisher=s["publisher"],
            group=s["group"],
            land=s["land"],
            lands=lands,
            area=s["area"],
            region=s["region"] or default_region(s["land"], s["area"]),
            language=s["language"],
            domains=self.domains(url),
            districts=self.districts(),
            platform=s["platform"],
            archive_sitemap=archive,
            archive_since=since,
            article_url=article_url,
            skip=skip,
            source=s["source"],
            selectors=self.selectors(),
            **lists,
        )


def check_entry(table: Any, origin: str = "<sites>", index: int = 1, *, registry: bool = False) -> SiteEntry:
    """One ``[[site]]`` table as a SiteEntry. ``registry``: the registry's rules (required keys, a German Land,
    language ``de`` unless named)."""
    if not isinstance(table, dict):
        raise SitesError(f"{origin}: entry {index}: expected a table")
    defaults = {"language": "de"} if registry else {}
    return _Checker(origin, index, table, registry).entry(defaults)


def _tables(text: str, origin: str) -> list[Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesError(f"{origin}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"site"})
    if unknown:
        raise SitesError(f"{origin}: unknown top-level key {unknown[0]!r} (write [[site]] tables)")
    tables = data.get("site", [])
    if not isinstance(tables, list):
        raise SitesError(f"{origin}: 'site' must be an array of tables: write [[site]]")
    return tables


def parse_documents(documents: Iterable[tuple[str, str]], *, registry: bool = False) -> list[SiteEntry]:
    """The entries of (origin, TOML text) documents; names and domains (aliases too) are unique across all."""
    entries: list[SiteEntry] = []
    names: dict[str, str] = {}
    hosts: dict[str, str] = {}
    for origin, text in documents:
        for index, table in enumerate(_tables(text, origin), start=1):
            entry = check_entry(table, origin, index, registry=registry)
            where = f"{origin}: entry {index} ({entry.name})"
            if entry.name in names:
                raise SitesError(
                    f"{where}: field 'name': duplicate name {entry.name!r} ({names[entry.name]})"
                )
            names[entry.name] = where
            for domain in entry.domains:
                key = host_key(domain)
                if key in hosts:
                    raise SitesError(f"{where}: field 'domains': duplicate domain {domain!r} ({hosts[key]})")
                hosts[key] = where
            entries.append(entry)
    return entries


def parse_sites(text: str, origin: str = "<sites>", *, registry: bool = False) -> list[SiteEntry]:
    """The entries of one sites file's text; SitesError naming ``origin``, the entry and the field."""
    return parse_documents([(origin, text)], registry=registry)


def load_sites_file(path: str | Path) -> list[SiteEntry]:
    """The entries of the sites file at ``path`` (checked; see :func:`parse_sites`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesError(f"cannot read sites file {str(path)!r}: {exc}") from exc
    return parse_sites(text, str(path))


def is_site_url(text: str) -> bool:
    """Whether a command-line site argument is a URL (else it is a site name)."""
    return text.lower().startswith(("http://", "https://"))


def entry_for_url(url: str) -> SiteEntry:
    """The entry of a bare front-page URL given on the command line (everything else discovered)."""
    return check_entry({"url": url}, "command line")
