"""An in-memory look-alike of the sites: fixture pages at their real paths, generated feeds and sitemaps.

`build_mirror(sites, pages)` serves, for every site, each saved page of pages/<site>/<case>/ (the packaged
crawler/demo/pages, or the checkout's tests/fixtures/sites) at the path of its real URL, and generates every entry point of the
site in the format its URL implies (news sitemap, sitemap index, sitemap, RSS 2.0, Atom, RSS 1.0/RDF,
HTML section pages, monthly archive sitemaps, robots.txt). Listings also name a few URLs the site's
rules must reject and one article-like URL that robots.txt disallows. No Scrapy imports here.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from w3lib.url import safe_url_string

NS_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS_ATOM = "http://www.w3.org/2005/Atom"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_RSS1 = "http://purl.org/rss/1.0/"
NS_DC = "http://purl.org/dc/elements/1.1/"
for _prefix, _uri in (("news", NS_NEWS), ("rdf", NS_RDF), ("dc", NS_DC)):
    ET.register_namespace(_prefix, _uri)

HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
GZIP_TYPE = "application/x-gzip"
ROBOTS_DISALLOWED_DIR = "/suche/"
# Paths that are never articles on a news site; those the site's rules reject are listed in its entry points.
REJECT_CANDIDATES = [
    "/video/mirror-rundgang-video-100.html",
    "/index.html",
    "/podcast/mirror-folge-podcast1234.html",
    "/mediathek/mirror-video-100.html",
    "/br-fernsehen/sendungen/mirror/index.html",
    "/news/",
    "/thema/mirror/",
]
MAX_REJECTS = 2


def _berlin() -> tzinfo:
    try:
        return ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:  # no tz database: naive dates are then read as UTC
        return UTC


BERLIN = _berlin()


@dataclass
class SiteSpec:
    """The discovery attributes of a site spider (see crawler/spiders/base.py)."""

    name: str
    domains: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    news_sitemaps: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    archive_sitemap: str | None = None
    article_url: str = ""
    skip: list[str] = field(default_factory=list)

    @classmethod
    def from_spider(cls, spider_cls: type) -> SiteSpec:
        """Read the site attributes of a spider class by name (missing ones get defaults)."""

        def strings(attr: str) -> list[str]:
            return [str(v) for v in (getattr(spider_cls, attr, None) or [])]

        archive = getattr(spider_cls, "archive_sitemap", None)
        return cls(
            name=str(spider_cls.name),  # type: ignore[attr-defined]
            domains=strings("domains"),
            feeds=strings("feeds"),
            news_sitemaps=strings("news_sitemaps"),
            sitemaps=strings("sitemaps"),
            sections=strings("sections"),
            archive_sitemap=str(archive) if archive else None,
            article_url=str(getattr(spider_cls, "article_url", "") or ""),
            skip=strings("skip"),
        )

    def rejects(self, url: str) -> bool:
        """True if the site's rules say the URL is not an article."""
        if any(re.search(pattern, url) for pattern in self.skip):
            return True
        return bool(self.article_url) and not re.search(self.article_url, url)


@dataclass(frozen=True)
class Resource:
    """One HTTP response of the mirror."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class FixtureArticle:
    """A saved page of a site and its expected record."""

    site: str
    case: str
    url: str
    expected: dict[str, Any]
    page: bytes

    @property
    def date(self) -> datetime:
        """Publication date (crawl date when unknown), timezone-aware; naive values are Berlin time."""
        value = self.expected.get("published") or self.expected.get("crawl_date")
        parsed = datetime.fromisoformat(str(value)) if value else datetime(2000, 1, 1)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)

    @property
    def title(self) -> str:
        return str(self.expected.get("title") or self.case)


@dataclass
class SiteMirror:
    """What the mirror serves for one site (for tests and the demo)."""

    spec: SiteSpec
    articles: list[FixtureArticle]
    entry_points: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    disallowed: str | None = None
    archive_sitemaps: list[str] = field(default_factory=list)


def path_key(url_or_path: str) -> str:
    """Lookup key of a URL or request target: percent-encoded path plus "?query" (no fragment)."""
    parts = urlsplit(url_or_path)
    if not parts.scheme:
        parts = urlsplit(
            "http://mirror" + (url_or_path if url_or_path.startswith("/") else "/" + url_or_path)
        )
    safe = urlsplit(safe_url_string(urlunsplit(parts._replace(fragment=""))))
    return (safe.path or "/") + (f"?{safe.query}" if safe.query else "")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class Mirror:
    """host -> path-with-query -> Resource, plus what was generated per site."""

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Resource]] = {}
        self.sites: dict[str, SiteMirror] = {}

    def add(self, url: str, resource: Resource) -> None:
        self.resources.setdefault(host_of(url), {})[path_key(url)] = resource

    def get(self, host: str, path: str) -> Resource | None:
        """The resource at path on host (host without port, any case)."""
        return self.resources.get(host.lower().split(":")[0], {}).get(path_key(path))

    def find(self, path: str) -> tuple[str, Resource] | None:
        """The first host (in insertion order) serving path, and its resource."""
        key = path_key(path)
        for host, paths in self.resources.items():
            if key in paths:
                return host, paths[key]
        return None

    @property
    def hosts(self) -> list[str]:
        """Every host the mirror serves (a crawler rewrites requests for these to the mirror)."""
        return list(self.resources)

    def urls(self) -> Iterator[str]:
        """Every URL the mirror serves, as https URLs of the real hosts."""
        for host, paths in self.resources.items():
            for key in paths:
                yield f"https://{host}{key}"


def load_fixtures(site: str, fixtures_dir: Path) -> list[FixtureArticle]:
    """The saved pages of a site: fixtures_dir/<site>/<case>/{page.html.gz,expected.json}."""
    site_dir = fixtures_dir / site
    if not re.fullmatch(r"[a-z0-9_]+", site) or not site_dir.is_dir():
        return []
    articles = []
    for case_dir in sorted(p for p in site_dir.iterdir() if p.is_dir()):
        expected_file, page_file = case_dir / "expected.json", case_dir / "page.html.gz"
        if not (expected_file.is_file() and page_file.is_file()):
            continue
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        page = gzip.decompress(page_file.read_bytes())
        articles.append(FixtureArticle(site, case_dir.name, str(expected["url"]), expected, page))
    return articles


def specs_from_fixtures(fixtures_dir: Path) -> list[SiteSpec]:
    """Minimal specs (name and hosts only) for every site directory; used when no spiders are at hand."""
    specs = []
    for site_dir in sorted(p for p in fixtures_dir.iterdir() if p.is_dir()):
        hosts = sorted({host_of(a.url) for a in load_fixtures(site_dir.name, fixtures_dir)})
        if hosts:
            specs.append(SiteSpec(name=site_dir.name, domains=hosts))
    return specs


# ---------------------------------------------------------------- rendering


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _resource(body: bytes, content_type: str, modified: datetime | None = None) -> Resource:
    headers = {"Content-Type": content_type, "ETag": _etag(body)}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified.astimezone(UTC), usegmt=True)
    return Resource(200, headers, body)


def _xml(root: ET.Element, default_namespace: str | None = None) -> bytes:
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", default_namespace=default_namespace)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _w3c(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Entry:
    """One listed URL with the metadata feeds and sitemaps need."""

    url: str
    title: str
    date: datetime
    summary: str = ""
    language: str = "de"
    publisher: str = ""


def _entries(articles: Iterable[FixtureArticle]) -> list[Entry]:
    result = []
    for a in articles:
        body = str(a.expected.get("body") or "")
        summary = body.split("\n\n", 1)[0][:300]
        language = str(a.expected.get("language") or "de")
        publisher = str(a.expected.get("publisher") or a.site)
        result.append(Entry(a.url, a.title, a.date, summary, language, publisher))
    return sorted(result, key=lambda e: e.date, reverse=True)


def render_news_sitemap(entries: Sequence[Entry], publication: str) -> bytes:
    root = ET.Element(f"{{{NS_SITEMAP}}}urlset")
    for e in entries:
        url = _sub(root, f"{{{NS_SITEMAP}}}url")
        _sub(url, f"{{{NS_SITEMAP}}}loc", e.url)
        news = _sub(url, f"{{{NS_NEWS}}}news")
        pub = _sub(news, f"{{{NS_NEWS}}}publication")
        _sub(pub, f"{{{NS_NEWS}}}name", e.publisher or publication)
        _sub(pub, f"{{{NS_NEWS}}}language", e.language)
        _sub(news, f"{{{NS_NEWS}}}publication_date", _w3c(e.date))
        _sub(news, f"{{{NS_NEWS}}}title", e.title)
    return _xml(root, NS_SITEMAP)


def render_sitemap(entries: Sequence[Entry]) -> bytes:
    root = ET.Element(f"{{{NS_SITEMAP}}}urlset")
    for e in entries:
        url = _sub(root, f"{{{NS_SITEMAP}}}url")
        _sub(url, f"{{{NS_SITEMAP}}}loc", e.url)
        _sub(url, f"{{{NS_SITEMAP}}}lastmod", _w3c(e.date))
    return _xml(root, NS_SITEMAP)


def render_sitemap_index(children: Sequence[tuple[str, datetime]]) -> bytes:
    root = ET.Element(f"{{{NS_SITEMAP}}}sitemapindex")
    for loc, modified in children:
        sitemap = _sub(root, f"{{{NS_SITEMAP}}}sitemap")
        _sub(sitemap, f"{{{NS_SITEMAP}}}loc", loc)
        _sub(sitemap, f"{{{NS_SITEMAP}}}lastmod", _w3c(modified))
    return _xml(root, NS_SITEMAP)


def render_rss(entries: Sequence[Entry], title: str, link: str) -> bytes:
    root = ET.Element("rss", version="2.0")
    channel = _sub(root, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", link)
    _sub(channel, "description", f"{title}: Nachrichten")
    _sub(channel, "language", "de-de")
    for e in entries:
        item = _sub(channel, "item")
        _sub(item, "title", e.title)
        _sub(item, "link", e.url)
        _sub(item, "guid", e.url, isPermaLink="true")
        _sub(item, "pubDate", format_datetime(e.date))
        _sub(item, "description", e.summary)
    return _xml(root)


def render_atom(entries: Sequence[Entry], title: str, link: str, self_url: str) -> bytes:
    # un-prefixed Atom names under a literal default xmlns (ElementTree cannot mix a default namespace
    # with un-namespaced attributes such as href)
    root = ET.Element("feed", xmlns=NS_ATOM)
    _sub(root, "title", title)
    _sub(root, "id", self_url)
    _sub(root, "link", href=link)
    _sub(root, "link", href=self_url, rel="self")
    newest = max((e.date for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    _sub(root, "updated", _w3c(newest))
    for e in entries:
        entry = _sub(root, "entry")
        _sub(entry, "title", e.title)
        _sub(entry, "link", href=e.url, rel="alternate", type="text/html")
        _sub(entry, "id", e.url)
        _sub(entry, "published", _w3c(e.date))
        _sub(entry, "updated", _w3c(e.date))
        _sub(entry, "summary", e.summary)
    return _xml(root)


def render_rdf(entries: Sequence[Entry], title: str, link: str, self_url: str) -> bytes:
    # RSS 1.0 names un-prefixed under a literal default xmlns, rdf: and dc: prefixed
    root = ET.Element(f"{{{NS_RDF}}}RDF", xmlns=NS_RSS1)
    about, resource = f"{{{NS_RDF}}}about", f"{{{NS_RDF}}}resource"
    channel = _sub(root, "channel", **{about: self_url})
    _sub(channel, "title", title)
    _sub(channel, "link", link)
    _sub(channel, "description", f"{title}: Nachrichten")
    seq = _sub(_sub(channel, "items"), f"{{{NS_RDF}}}Seq")
    for e in entries:
        _sub(seq, f"{{{NS_RDF}}}li", **{resource: e.url})
    for e in entries:
        item = _sub(root, "item", **{about: e.url})
        _sub(item, "title", e.title)
        _sub(item, "link", e.url)
        _sub(item, "description", e.summary)
        _sub(item, f"{{{NS_DC}}}date", _w3c(e.date))
    return _xml(root)


def _relative(url: str, base_host: str) -> str:
    """Same-host links become root-relative (as on real pages), others stay absolute."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() == base_host:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url


def render_html_list(title: str, entries: Sequence[Entry], host: str, next_url: str | None = None) -> bytes:
    """A section page: article teasers, optionally a rel=next link to the following page."""
    items = "\n".join(
        f'      <li class="teaser"><a href="{html.escape(_relative(e.url, host))}">'
        f"{html.escape(e.title)}</a></li>"
        for e in entries
    )
    head_next = f'\n  <link rel="next" href="{html.escape(next_url)}">' if next_url else ""
    body_next = (
        f'\n    <a rel="next" class="next" href="{html.escape(next_url)}">Weiter</a>' if next_url else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <meta name="generator" content="newsarchive offline mirror">
  <title>{html.escape(title)}</title>{head_next}
</head>
<body>
  <header><nav><a href="/">Startseite</a> <a href="{ROBOTS_DISALLOWED_DIR}">Suche</a></nav></header>
  <main>
    <h1>{html.escape(title)}</h1>
    <ul class="teasers">
{items}
    </ul>{body_next}
  </main>
</body>
</html>
"""
    return page.encode("utf-8")


def render_placeholder(title: str, text: str) -> bytes:
    """A small page for a non-article URL (video, podcast, index) or a robots-disallowed one."""
    page = f"""<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="generator" content="newsarchive offline mirror">
<title>{html.escape(title)}</title></head>
<body><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></main></body>
</html>
"""
    return page.encode("utf-8")


def render_robots(disallow: Sequence[str], sitemaps: Sequence[str]) -> bytes:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallow), ""]
    lines += [f"Sitemap: {url}" for url in sitemaps]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------- building


def feed_format(url: str) -> str:
    """ "rdf", "atom" or "rss" from a feed URL."""
    path = urlsplit(url).path.lower()
    if path.endswith(".rdf"):
        return "rdf"
    if "atom" in url.lower():
        return "atom"
    return "rss"


def _with_suffix(url: str, stem_suffix: str) -> str:
    """A sibling URL of a sitemap: <dir>/<stem><stem_suffix>.xml[.gz]."""
    parts = urlsplit(url)
    directory, _, name = parts.path.rpartition("/")
    gz = name.endswith(".gz")
    stem = re.sub(r"(\.xml)?(\.gz)?$", "", name) or "sitemap"
    new = f"{directory}/{stem}{stem_suffix}.xml" + (".gz" if gz else "")
    return urlunsplit((parts.scheme, parts.netloc, new, "", ""))


def _disallowed_variant(url: str) -> str:
    """An article-like URL next to a real one (digits changed), for the robots.txt Disallow test."""
    parts = urlsplit(url)
    runs = list(re.finditer(r"\d{5,}", parts.path))  # ids, not years or "-100" suffixes
    if runs:
        run = runs[-1]
        digits = str((int(run.group()) + 7) % 10 ** len(run.group())).zfill(len(run.group()))
        path = parts.path[: run.start()] + digits + parts.path[run.end() :]
    else:
        directory, _, name = parts.path.rpartition("/")
        path = f"{directory}/gesperrt-{name}" if name else f"{parts.path}gesperrt/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class _Builder:
    """Builds the resources of one site into a Mirror."""

    def __init__(self, mirror: Mirror, spec: SiteSpec, articles: list[FixtureArticle]) -> None:
        self.mirror, self.spec = mirror, spec
        self.site = SiteMirror(spec, articles)
        hosts = [d.lower() for d in spec.domains] or sorted({host_of(a.url) for a in articles})
        self.main_host = hosts[0] if hosts else f"{spec.name}.invalid"
        self.hosts = list(dict.fromkeys(hosts + [host_of(a.url) for a in articles]))
        self.publisher = next((str(a.expected.get("publisher")) for a in articles), spec.name)
        self.title = f"{self.publisher} (offline mirror)"
        self.home = f"https://{self.main_host}/"
        self.modified = max((a.date for a in articles), default=datetime(2000, 1, 1, tzinfo=UTC))

    def build(self) -> SiteMirror:
        spec, site = self.spec, self.site
        for a in site.articles:
            self.mirror.add(a.url, _resource(a.page, HTML_TYPE, a.date))
        article_entries = _entries(site.articles)
        extra = self._extra_entries()
        listed = article_entries + extra
        self.mirror.add(self.home, _resource(render_html_list(self.title, listed, self.main_host), HTML_TYPE))
        for url in spec.feeds:
            self._feed(url, listed)
        for url in spec.news_sitemaps:
            self._sitemap(url, listed, news=True)
        for url in spec.sitemaps:
            self._sitemap(url, listed, news="news" in url.lower())
        for url in spec.sections:
            self._section(url, listed)
        if spec.archive_sitemap:
            self._archives(spec.archive_sitemap)
        site.entry_points = [*spec.feeds, *spec.news_sitemaps, *spec.sitemaps, *spec.sections]
        self._robots()
        return site

    def _extra_entries(self) -> list[Entry]:
        """URLs the rules must reject (served as small pages) and one robots-disallowed article-like URL."""
        date = self.modified
        for path in REJECT_CANDIDATES:
            url = f"https://{self.main_host}{path}"
            if (
                len(self.site.rejected) < MAX_REJECTS
                and self.spec.rejects(url)
                and self.mirror.get(self.main_host, path) is None
            ):
                self.site.rejected.append(url)
                body = render_placeholder(
                    "Keine Artikelseite", f"{url} ist kein Artikel (Video, Podcast oder Übersicht)."
                )
                self.mirror.add(url, _resource(body, HTML_TYPE))
        entries = [Entry(url, "Übersicht", date, publisher=self.publisher) for url in self.site.rejected]
        if self.site.articles:
            url = _disallowed_variant(self.site.articles[0].url)
            self.site.disallowed = url
            body = render_placeholder(
                "Gesperrter Artikel",
                "Diese Seite ist per robots.txt gesperrt und darf nicht abgerufen werden.",
            )
            self.mirror.add(url, _resource(body, HTML_TYPE, date))
            entries.append(
                Entry(url, "Gesperrter Artikel", date, "robots.txt: Disallow", publisher=self.publisher)
            )
        return entries

    def _feed(self, url: str, entries: list[Entry]) -> None:
        kind = feed_format(url)
        if kind == "rdf":
            body, ctype = (
                render_rdf(entries, self.title, self.home, url),
                "application/rdf+xml; charset=utf-8",
            )
        elif kind == "atom":
            body, ctype = (
                render_atom(entries, self.title, self.home, url),
                "application/atom+xml; charset=utf-8",
            )
        else:
            body, ctype = render_rss(entries, self.title, self.home), "application/rss+xml; charset=utf-8"
        self.mirror.add(url, _resource(body, ctype, self.modified))

    def _put_xml(self, url: str, body: bytes, modified: datetime) -> None:
        if urlsplit(url).path.endswith(".gz"):
            self.mirror.add(url, _resource(gzip.compress(body, mtime=0), GZIP_TYPE, modified))
        else:
            self.mirror.add(url, _resource(body, XML_TYPE, modified))

    def _sitemap(self, url: str, entries: list[Entry], news: bool, index: bool | None = None) -> None:
        """A sitemap, news sitemap, or (when "index" is in the URL) an index of two such child sitemaps."""
        modified = max((e.date for e in entries), default=self.modified)
        if not (("index" in url.lower()) if index is None else index):
            body = render_news_sitemap(entries, self.publisher) if news else render_sitemap(entries)
            self._put_xml(url, body, modified)
            return
        articles = [e for e in entries if e.url not in self.site.rejected]
        rejected = [e for e in entries if e.url in self.site.rejected]
        if urlsplit(url).path.endswith("/sitemap_index.xml"):  # Yoast names, e.g. Ruhr Nachrichten
            child_articles = url.replace("/sitemap_index.xml", "/article-sitemap.xml")
            child_other = url.replace("/sitemap_index.xml", "/post-sitemap.xml")
        else:
            child_articles = _with_suffix(url, "-news-1" if news else "-articles-1")
            child_other = _with_suffix(url, "-pages-1")
        children = [(child_articles, modified), (child_other, modified)]
        self._put_xml(url, render_sitemap_index(children), modified)
        self._sitemap(child_articles, articles, news, index=False)
        self._sitemap(child_other, rejected, news=False, index=False)

    def _section(self, url: str, entries: list[Entry]) -> None:
        half = (len(entries) + 1) // 2
        parts = urlsplit(url)
        query = f"{parts.query}&page=2" if parts.query else "page=2"
        second = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        host = host_of(url)
        title = f"{self.publisher}: {parts.path.strip('/') or 'Startseite'}"
        next_link = _relative(second, host)
        self.mirror.add(url, _resource(render_html_list(title, entries[:half], host, next_link), HTML_TYPE))
        self.mirror.add(
            second, _resource(render_html_list(f"{title} (Seite 2)", entries[half:], host), HTML_TYPE)
        )

    def _archives(self, template: str) -> None:
        months: dict[str, list[FixtureArticle]] = {}
        for a in self.site.articles:
            months.setdefault(template.format(year=a.date.year, month=a.date.month), []).append(a)
        for url, articles in sorted(months.items()):
            entries = _entries(articles)
            if "index" in url.lower():
                child = _with_suffix(url, "-p00")
                self._put_xml(url, render_sitemap_index([(child, entries[0].date)]), entries[0].date)
                self._put_xml(child, render_sitemap(entries), entries[0].date)
            else:
                self._put_xml(url, render_sitemap(entries), entries[0].date)
            self.site.archive_sitemaps.append(url)

    def _robots(self) -> None:
        spec = self.spec
        declared = [*spec.news_sitemaps, *spec.sitemaps]
        if not declared:  # sites without known entry points: discoverable through robots.txt
            default = f"https://{self.main_host}/sitemap.xml"
            if self.mirror.get(self.main_host, "/sitemap.xml") is None:
                self._sitemap(default, _entries(self.site.articles), news=False)
            declared = [default]
        hosts = list(dict.fromkeys([*self.hosts, *(host_of(u) for u in self.site.entry_points)]))
        for host in hosts:
            disallow = [ROBOTS_DISALLOWED_DIR]
            if self.site.disallowed and host_of(self.site.disallowed) == host:
                disallow.append(path_key(self.site.disallowed))
            sitemaps = [u for u in declared if host_of(u) == host]
            self.mirror.add(
                f"https://{host}/robots.txt",
                _resource(render_robots(disallow, sitemaps), "text/plain; charset=utf-8"),
            )


def build_mirror(
    sites: Sequence[SiteSpec],
    fixtures_dir: Path,
    extra: Mapping[str, Sequence[FixtureArticle]] | None = None,
) -> Mirror:
    """The mirror of the given sites, with their saved pages from fixtures_dir/<site>/<case>/ and the
    ``extra`` articles of a site (e.g. the demo's stories, crawler/demo/stories.py) listed beside them."""
    mirror = Mirror()
    for spec in sites:
        articles = load_fixtures(spec.name, fixtures_dir) + list((extra or {}).get(spec.name, ()))
        mirror.sites[spec.name] = _Builder(mirror, spec, articles).build()
    return mirror
