"""Sites without Python: a TOML list of ``[[site]]`` entries, or a bare front-page URL.

The format (docs/ADDING_A_SITE.md) is shared by a user's sites file (``crawl --sites-file FILE`` or
``SITES_FILE``) and the built-in registry. Every key but ``url`` is optional; entry points left out are
discovered at run time (crawler/spiders/discover.py). :func:`load_sites_file` reads and checks a file (or its
text) before any request: unknown keys, wrong types, a non-http(s) URL, a bad regex or a duplicate name are a
:class:`SitesFileError` naming the entry (its index and name or URL) and the field. :func:`spider_class` turns an
entry into a NewsSpider subclass at run time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from crawler.extract import SiteSelectors
from crawler.registry import LAENDER  # ISO 3166-2 code -> the Land's name (default region: "<Land>: <area>")
from pipelines.redact import redact_text
from pipelines.text import is_http_url, registrable_host

if TYPE_CHECKING:
    from crawler.spiders.base import NewsSpider

_NAME = re.compile(r"[a-z0-9_]+")
_LAND = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_STRING_FIELDS = ("name", "publisher", "group", "land", "area", "region", "language", "platform", "source")
_URL_LISTS = ("feeds", "news_sitemaps", "sitemaps", "sections")
#: the SiteSelectors fields a sites file may set (one layout; dated versions need a site file)
_SELECTOR_STRINGS = ("title", "lead", "body", "paragraphs", "authors", "published")
_SELECTOR_LISTS = ("title_order", "drop")
_TITLE_SOURCES = ("opengraph", "jsonld", "microdata", "h1", "title")


class SitesFileError(ValueError):
    """A sites file that cannot be used; the message names the file, the entry and the field."""


@dataclass(frozen=True, slots=True)
class SiteEntry:
    """One site: its front page and whatever else is known about it (the keys of a ``[[site]]`` table)."""

    url: str
    name: str = ""
    publisher: str = ""
    group: str = ""
    land: str = ""
    lands: tuple[str, ...] = ()  # further Länder the site covers (ISO 3166-2 codes)
    area: str = ""
    region: str = ""
    language: str = ""
    domains: tuple[str, ...] = ()
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


KEYS = frozenset(f.name for f in fields(SiteEntry))


def site_name_for(url: str) -> str:
    """The stable site name of a URL: its registrable domain, ``www.nwzonline.de`` -> ``nwzonline_de``."""
    return re.sub(r"[^a-z0-9]+", "_", registrable_host(url).lower()).strip("_")


def default_region(land: str, area: str) -> str:
    """``"Niedersachsen: Oldenburg"`` from ``DE-NI`` and ``Oldenburg`` (what is known of the two)."""
    land_name = LAENDER.get(land, land)
    return ": ".join(part for part in (land_name, area) if part)


class _Checker:
    """Checks one ``[[site]]`` table and builds its SiteEntry; errors name the entry and the field."""

    def __init__(self, source: str, index: int, table: dict[str, Any]) -> None:
        self.source, self.index, self.table = source, index, table
        label = table.get("name") if isinstance(table.get("name"), str) else None
        label = label or (table.get("url") if isinstance(table.get("url"), str) else None)
        self.label = f"entry {index}" + (f" ({label})" if label else "")

    def fail(self, key: str, problem: str) -> SitesFileError:
        return SitesFileError(f"{self.source}: {self.label}: field {key!r}: {problem}")

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

    def entry(self) -> SiteEntry:
        unknown = sorted(set(self.table) - KEYS)
        if unknown:
            raise self.fail(unknown[0], f"unknown key (known keys: {', '.join(sorted(KEYS))})")
        if "url" not in self.table:
            raise self.fail("url", "missing (the site's front page, http or https)")
        url = self.url("url", self.string("url"))
        s = {key: self.string(key) for key in _STRING_FIELDS}
        if s["name"] and not _NAME.fullmatch(s["name"]):
            raise self.fail("name", f"{s['name']!r}: use lower-case letters, digits and _ only")
        if s["land"] and not _LAND.fullmatch(s["land"]):
            raise self.fail("land", f"{s['land']!r}: expected an ISO 3166-2 code such as DE-NI")
        lands = self.strings("lands")
        for code in lands:
            if not _LAND.fullmatch(code):
                raise self.fail("lands", f"{code!r}: expected ISO 3166-2 codes such as DE-NI")
        if s["language"] and not re.fullmatch(r"[a-z]{2,3}", s["language"]):
            raise self.fail("language", f"{s['language']!r}: expected a language code such as de")
        if s["platform"]:
            from crawler.spiders.platforms import PLATFORMS

            if s["platform"] not in PLATFORMS:
                raise self.fail(
                    "platform", f"unknown platform {s['platform']!r} (known: {', '.join(PLATFORMS)})"
                )
        if s["source"] and not is_http_url(s["source"]):
            raise self.fail("source", f"not an http(s) URL: {s['source']!r}")
        domains = self.strings("domains")
        for d in domains:
            if not re.fullmatch(r"[a-z0-9.-]+", d.lower()) or "." not in d:
                raise self.fail("domains", f"not a host name: {d!r}")
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
            domains=tuple(d.lower() for d in domains) or ((urlsplit(url).hostname or "").lower(),),
            platform=s["platform"],
            archive_sitemap=archive,
            archive_since=since,
            article_url=article_url,
            skip=skip,
            source=s["source"],
            selectors=self.selectors(),
            **lists,
        )


def parse_sites(text: str, source: str = "<sites>") -> list[SiteEntry]:
    """The entries of a sites file's text; SitesFileError naming ``source``, the entry and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{source}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"site"})
    if unknown:
        raise SitesFileError(f"{source}: unknown top-level key {unknown[0]!r} (write [[site]] tables)")
    tables = data.get("site", [])
    if not isinstance(tables, list):
        raise SitesFileError(f"{source}: 'site' must be an array of tables: write [[site]]")
    entries: list[SiteEntry] = []
    names: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise SitesFileError(f"{source}: entry {index}: expected a table")
        entry = _Checker(source, index, table).entry()
        if entry.name in names:
            raise SitesFileError(
                f"{source}: entry {index} ({entry.url}): field 'name': duplicate name {entry.name!r}"
                f" (entry {names[entry.name]} has it)"
            )
        names[entry.name] = index
        entries.append(entry)
    return entries


def load_sites_file(path: str | Path) -> list[SiteEntry]:
    """The entries of the sites file at ``path`` (checked; see :func:`parse_sites`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesFileError(f"cannot read sites file {str(path)!r}: {exc}") from exc
    return parse_sites(text, str(path))


def is_site_url(text: str) -> bool:
    """Whether a command-line site argument is a URL (else it is a site name)."""
    return text.lower().startswith(("http://", "https://"))


def entry_for_url(url: str) -> SiteEntry:
    """The entry of a bare front-page URL given on the command line (everything else discovered)."""
    return _Checker("command line", 1, {"url": url}).entry()


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part) + "Spider"


def spider_class(entry: SiteEntry) -> type[NewsSpider]:
    """A NewsSpider subclass for the entry, built at run time (on its platform's base when it names one).

    Entry points the entry leaves out are discovered at run time; the publisher comes from the pages when the
    entry names none.
    """
    from crawler.spiders.discover import DiscoveringSpider
    from crawler.spiders.platforms import PLATFORMS

    base = PLATFORMS[entry.platform] if entry.platform else None
    bases: tuple[type[NewsSpider], ...] = (DiscoveringSpider, base) if base else (DiscoveringSpider,)
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"{entry.name}: {entry.url} (a sites-file entry or a URL)",
        "name": entry.name,
        "publisher": entry.publisher,
        "region": entry.region,
        "language": entry.language or "de",
        "front_page": entry.url,
        "site_entry": entry,
        "domains": list(entry.domains),
    }
    if base is not None and hasattr(base, "base_url"):
        attrs["base_url"] = entry.url  # the platform derives its entry points from it
    cls = cast("type[NewsSpider]", type(_class_name(entry.name), bases, attrs))
    # what the entry names wins over what a platform derives
    for key in _URL_LISTS:
        if getattr(entry, key):
            setattr(cls, key, list(getattr(entry, key)))
    cls.domains = list(entry.domains)
    if entry.archive_sitemap:
        cls.archive_sitemap = entry.archive_sitemap
    if entry.archive_since:
        cls.archive_since = entry.archive_since
    if entry.article_url:
        cls.article_url = entry.article_url
    if entry.skip:
        cls.skip = [*getattr(cls, "skip", []), *entry.skip]
    if entry.selectors is not None:
        cls.selectors = entry.selectors
    return cls
