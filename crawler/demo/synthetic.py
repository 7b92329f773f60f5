"""Synthetic mirrors: many unique article pages per site, made from the saved fixture pages.

``build_synthetic_mirror(specs, fixtures_dir(), per_site=200)`` serves, for every site, ``per_site`` variants
of its saved pages: each at its own URL (one the site's ``article_url`` rule accepts), with its own headline and
first paragraph (a numbered sentence is inserted, the HTML structure stays, so extraction still works) and the
page's canonical URL rewritten to the variant's. The site's entry points list them: the first news sitemap (or
sitemap) as a sitemap index of child sitemaps holding every variant; the other entry points the newest
``listing_size``; a site without sitemaps gets every variant in its first feed or section page.

Pages are rendered on request from one decoded template per fixture, so a mirror of thousands of pages costs a
few MB. The result is a :class:`crawler.demo.mirror.Mirror` for :class:`crawler.demo.server.MirrorServer`;
``mirror.expected`` maps each site to its variants' URLs. No Scrapy imports here.
"""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from crawler.demo.mirror import (
    GZIP_TYPE,
    HTML_TYPE,
    XML_TYPE,
    Entry,
    FixtureArticle,
    Mirror,
    Resource,
    SiteSpec,
    _resource,
    feed_format,
    host_of,
    load_fixtures,
    path_key,
    render_atom,
    render_html_list,
    render_news_sitemap,
    render_rdf,
    render_robots,
    render_rss,
    render_sitemap,
    render_sitemap_index,
)
from crawler.extract import extract

DEFAULT_LISTING_SIZE = 50
DEFAULT_SITEMAP_CHUNK = 250


class SyntheticError(ValueError):
    """A site cannot be made synthetic (no fixture page, or no variant URL its rules accept)."""


@dataclass(frozen=True)
class _Template:
    """A fixture page prepared for variants: its text and the strings a variant replaces."""

    article: FixtureArticle
    text: str
    urls: tuple[str, ...]  # the page's own URL spellings, replaced by the variant's
    titles: tuple[str, ...]  # the headline as it appears in the page (raw and HTML-escaped)
    lead_in: tuple[str, ...]  # the start of the first body paragraph as it appears in the page
    strategy: int  # which URL rewrite (see variant_url) the site's rules accept


def _spellings(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for s in (text, html.escape(text, quote=False), html.escape(text)) if s))


def variant_url(url: str, n: int, strategy: int) -> str:
    """The n-th variant of an article URL: 0 changes the last id (5+ digits), 1 prefixes the last path
    segment with ``v<n>-``, 2 suffixes it (before its extension) with ``-v<n>``."""
    parts = urlsplit(url)
    path = parts.path
    if strategy == 0:
        runs = list(re.finditer(r"\d{5,}", path))
        if not runs:
            return ""
        run = runs[-1]
        path = path[: run.start()] + str(int(run.group()) + n + 1) + path[run.end() :]
    else:
        trailing = path.endswith("/")
        head, _, last = path.rstrip("/").rpartition("/")
        if not last:
            return ""
        if strategy == 1:
            last = f"v{n}-{last}"
        else:
            stem, dot, ext = last.rpartition(".")
            last = f"{stem}-v{n}.{ext}" if dot and stem else f"{last}-v{n}"
        path = f"{head}/{last}" + ("/" if trailing else "")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _accepts(spec: SiteSpec, url: str) -> bool:
    return bool(url) and not spec.rejects(url)


def _template(spec: SiteSpec, article: FixtureArticle) -> _Template:
    for strategy in (0, 1, 2):
        samples = [variant_url(article.url, n, strategy) for n in (0, 1, 999)]
        if all(_accepts(spec, u) and u != article.url for u in samples) and len(set(samples)) == 3:
            break
    else:
        raise SyntheticError(f"{spec.name}: no variant of {article.url} matches the site's article_url rule")
    text = article.page.decode("utf-8", "replace")
    urls = [article.url]
    # the URL the page declares (rel=canonical, og:url) may differ, e.g. on syndicated copy
    for canonical in (
        article.expected.get("canonical_url"),
        extract(article.page, article.url)["canonical_url"],
    ):
        if isinstance(canonical, str) and canonical:
            urls.append(canonical)
    titles = [t for t in _spellings(article.title) if t in text]
    # the start of the first body paragraph found verbatim in the page (a dateline may be marked up apart)
    lead_in: list[str] = []
    for paragraph in str(article.expected.get("body") or "").split("\n\n")[:6]:
        start = paragraph[:40].strip()
        lead_in = [t for t in _spellings(start) if t and t in text] if len(start) >= 20 else []
        if lead_in:
            break
    if not titles and not lead_in:
        raise SyntheticError(
            f"{spec.name}: neither the headline nor the body of {article.url} is in its page"
        )
    return _Template(article, text, tuple(dict.fromkeys(urls)), tuple(titles), tuple(lead_in), strategy)


@dataclass(frozen=True)
class _Variant:
    template: _Template
    n: int
    url: str

    def render(self) -> Resource:
        t, n = self.template, self.n
        text = t.text
        for old in t.urls:
            text = text.replace(old, self.url)
        for title in t.titles:
            text = text.replace(title, f"{title} (Meldung {n})")
        for start in t.lead_in:
            text = text.replace(start, f"Meldung {n} von {t.article.site}: {start}")
        return _resource(text.encode("utf-8"), HTML_TYPE, self.date)

    @property
    def date(self) -> datetime:
        return self.template.article.date - timedelta(minutes=self.n)


class SyntheticMirror(Mirror):
    """A Mirror whose article pages are rendered on request; ``expected[site]`` lists their URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.expected: dict[str, list[str]] = {}
        self._pages: dict[str, dict[str, _Variant]] = {}

    def get(self, host: str, path: str) -> Resource | None:
        host = host.lower().split(":")[0]
        found = super().get(host, path)
        if found is not None:
            return found
        variant = self._pages.get(host, {}).get(path_key(path))
        return variant.render() if variant is not None else None

    def find(self, path: str) -> tuple[str, Resource] | None:
        found = super().find(path)
        if found is not None:
            return found
        key = path_key(path)
        for host, pages in self._pages.items():
            if key in pages:
                return host, pages[key].render()
        return None

    def urls(self) -> Iterator[str]:
        yield from super().urls()
        for host, pages in self._pages.items():
            for key in pages:
                yield f"https://{host}{key}"

    @property
    def article_count(self) -> int:
        return sum(len(urls) for urls in self.expected.values())


def _put_xml(mirror: Mirror, url: str, body: bytes, modified: datetime) -> None:
    if urlsplit(url).path.endswith(".gz"):
        mirror.add(url, _resource(gzip.compress(body, mtime=0), GZIP_TYPE, modified))
    else:
        mirror.add(url, _resource(body, XML_TYPE, modified))


def _sitemap_index(mirror: Mirror, url: str, entries: list[Entry], news: bool, chunk: int) -> None:
    parts = urlsplit(url)
    children = []
    for i in range(0, max(len(entries), 1), chunk):
        child = urlunsplit((parts.scheme, parts.netloc, f"/synthetic-sitemap-{i // chunk + 1}.xml", "", ""))
        block = entries[i : i + chunk]
        modified = block[0].date if block else datetime(2000, 1, 1).astimezone()
        body = (
            render_news_sitemap(block, block[0].publisher if block else "") if news else render_sitemap(block)
        )
        _put_xml(mirror, child, body, modified)
        children.append((child, modified))
    _put_xml(mirror, url, render_sitemap_index(children), children[0][1])


def _listing(mirror: Mirror, url: str, kind: str, entries: list[Entry], title: str) -> None:
    modified = entries[0].date if entries else datetime(2000, 1, 1).astimezone()
    if kind == "section":
        mirror.add(url, _resource(render_html_list(title, entries, host_of(url)), HTML_TYPE))
        return
    fmt = feed_format(url)
    home = f"https://{host_of(url)}/"
    if fmt == "rdf":
        body, ctype = render_rdf(entries, title, home, url), "application/rdf+xml; charset=utf-8"
    elif fmt == "atom":
        body, ctype = render_atom(entries, title, home, url), "application/atom+xml; charset=utf-8"
    else:
        body, ctype = render_rss(entries, title, home), "application/rss+xml; charset=utf-8"
    mirror.add(url, _resource(body, ctype, modified))


def _entry_points(spec: SiteSpec) -> list[tuple[str, str]]:
    """(url, kind) the spider reads in an incremental run (see NewsSpider.entry_points)."""
    points = [(u, "feed") for u in spec.feeds] + [(u, "sitemap") for u in spec.news_sitemaps]
    points += [(u, "section") for u in spec.sections]
    return points or [(u, "sitemap") for u in spec.sitemaps]


def build_synthetic_mirror(
    sites: Sequence[SiteSpec],
    fixtures_dir: Path,
    per_site: int,
    *,
    listing_size: int = DEFAULT_LISTING_SIZE,
    sitemap_chunk: int = DEFAULT_SITEMAP_CHUNK,
    articles: Mapping[str, Sequence[FixtureArticle]] | None = None,
) -> SyntheticMirror:
    """A mirror serving ``per_site`` unique article pages for each site (see the module docstring).

    ``articles`` gives the template pages of a site by name (default: its saved pages in ``fixtures_dir``).
    """
    mirror = SyntheticMirror()
    for spec in sites:
        given = (articles or {}).get(spec.name)
        fixtures = list(given) if given is not None else load_fixtures(spec.name, fixtures_dir)
        if not fixtures:
            raise SyntheticError(f"{spec.name}: no fixture pages in {fixtures_dir / spec.name}")
        templates = [_template(spec, a) for a in fixtures]
        variants = []
        for n in range(per_site):
            t = templates[n % len(templates)]
            variants.append(_Variant(t, n, variant_url(t.article.url, n, t.strategy)))
        publisher = str(fixtures[0].expected.get("publisher") or spec.name)
        for v in variants:
            mirror._pages.setdefault(host_of(v.url), {})[path_key(v.url)] = v
        mirror.expected[spec.name] = [v.url for v in variants]
        entries = sorted(
            (
                Entry(v.url, f"{v.template.article.title} (Meldung {v.n})", v.date, publisher=publisher)
                for v in variants
            ),
            key=lambda e: e.date,
            reverse=True,
        )
        points = _entry_points(spec)
        if not points:
            # nothing pinned: the crawl discovers the site from its front page (crawler/spiders/discover.py), so
            # robots.txt names a sitemap and the front page links the newest articles
            home = f"https://{host_of(variants[0].url)}/"
            points = [(f"{home}sitemap.xml", "sitemap")]
            _listing(mirror, home, "section", entries[:listing_size], f"{publisher} (synthetic mirror)")
        full = next((i for i, (_, kind) in enumerate(points) if kind == "sitemap"), 0)
        title = f"{publisher} (synthetic mirror)"
        for i, (url, kind) in enumerate(points):
            listed = entries if i == full else entries[:listing_size]
            if kind == "sitemap":
                _sitemap_index(mirror, url, listed, news="news" in url.lower(), chunk=sitemap_chunk)
            else:
                _listing(mirror, url, kind, listed, title)
        hosts = {host_of(v.url) for v in variants} | {host_of(u) for u, _ in points}
        for host in sorted(hosts):
            sitemaps = [u for u, kind in points if kind == "sitemap" and host_of(u) == host]
            robots = render_robots([], sitemaps)
            mirror.add(f"https://{host}/robots.txt", _resource(robots, "text/plain; charset=utf-8"))
    return mirror
