"""The offline mirror: fixture pages at real paths, generated entry points, robots.txt, HTTP behaviour."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree, html
from protego import Protego

from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror, SiteSpec, build_mirror, feed_format, path_key, specs_from_fixtures
from crawler.demo.server import MirrorServer

# Specs built by hand from the publishers' known entry points (plus made-up Atom and section URLs).
SPECS = [
    SiteSpec(
        name="ndr",
        domains=["www.ndr.de"],
        news_sitemaps=["https://www.ndr.de/news-102~news.xml"],
        sitemaps=["https://www.ndr.de/index~sitemap_f-sitemap--ndr--niedersachsen--100.xml"],
        article_url=r"ndr\.de/.+,[a-z0-9]+-\d+\.html$",
        skip=[r"podcast[0-9]{4}", r"/index\.html$"],
    ),
    SiteSpec(
        name="braunschweiger_zeitung",
        domains=["www.braunschweiger-zeitung.de"],
        feeds=["https://www.braunschweiger-zeitung.de/rss"],
        news_sitemaps=["https://www.braunschweiger-zeitung.de/sitemaps/news.xml"],
        archive_sitemap="https://www.braunschweiger-zeitung.de/sitemaps/archive/sitemap-{year}-{month:02d}-p00.xml.gz",
        article_url=r"/article\d+/",
        skip=[r"/(video|podcast|bildergalerie)\d*/"],
    ),
    SiteSpec(
        name="muenchner_merkur",
        domains=["www.merkur.de"],
        feeds=["https://www.merkur.de/welt/rssfeed.rdf"],
        news_sitemaps=["https://www.merkur.de/news.xml"],
        sitemaps=["https://www.merkur.de/sitemap-index.xml"],
        article_url=r"-\d{6,}\.html$",
    ),
    SiteSpec(
        name="mitteldeutsche_zeitung",
        domains=["www.mz.de"],
        news_sitemaps=["https://www.mz.de/sitemaps/newssitemap-index.xml"],
        sitemaps=["https://www.mz.de/sitemaps/sitemap-ressort-index.xml"],
        article_url=r"-\d{6,}$",
    ),
    SiteSpec(
        name="ruhr_nachrichten",
        domains=["www.ruhrnachrichten.de"],
        feeds=["https://www.ruhrnachrichten.de/service/feed/"],
        news_sitemaps=["https://www.ruhrnachrichten.de/news-sitemap.xml"],
        sitemaps=["https://www.ruhrnachrichten.de/sitemap_index.xml"],
        article_url=r"-w\d+-\d+/$",
    ),
    SiteSpec(
        name="tagesspiegel",
        domains=["www.tagesspiegel.de"],
        news_sitemaps=["https://www.tagesspiegel.de/news.xml"],
        archive_sitemap="https://www.tagesspiegel.de/contentexport/static/sitemap-index_{year}.xml",
        article_url=r"-\d{6,}\.html$",
    ),
    SiteSpec(
        name="br",
        domains=["www.br.de"],
        news_sitemaps=["https://www.br.de/nachrichten/sitemaps/news.xml"],
        sitemaps=["https://web.master.br24-web.br-master.de/nachrichten/sitemaps/article-recent.xml"],
        article_url=r"/nachrichten/.+,[A-Za-z0-9]+$",
        skip=["br-fernsehen/sendungen", r"index\.html$"],
    ),
    SiteSpec(
        name="rbb24",
        domains=["www.rbb24.de"],
        feeds=["https://www.rbb24.de/feed/atom.xml"],
        sections=["https://www.rbb24.de/kultur/?view=list&sort=neu"],
        article_url=r"/beitrag/\d{4}/\d{2}/.+\.html$",
    ),
    SiteSpec(
        name="wdr",
        domains=["www1.wdr.de"],
        feeds=["https://www1.wdr.de/uebersicht-100.feed"],
        article_url=r"wdr\.de/.+-\d+\.html$",
        skip=["/mediathek/"],
    ),
    SiteSpec(
        name="regionalheute",
        domains=["regionalheute.de"],
        sections=["https://regionalheute.de/wolfsburg/", "https://regionalheute.de/braunschweig/"],
        article_url=r"regionalheute\.de/[a-z-]+/[a-z0-9-]+-\d{9,11}/$",
    ),
]
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
    "rss1": "http://purl.org/rss/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
Fetch = Callable[..., tuple[int, Message, bytes]]


@pytest.fixture(scope="module")
def mirror() -> Mirror:
    return build_mirror(SPECS, fixtures_dir())


@pytest.fixture(scope="module")
def server(mirror: Mirror) -> Iterator[MirrorServer]:
    with MirrorServer(mirror) as srv:
        yield srv


@pytest.fixture
def fetch(server: MirrorServer) -> Fetch:
    def get(url: str, method: str = "GET", **headers: str) -> tuple[int, Message, bytes]:
        """Fetch a real-site URL from the mirror, the real host in the Host header."""
        parts = urlsplit(url)
        local = server.url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = urllib.request.Request(local, method=method, headers={"Host": parts.netloc, **headers})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    return get


def listed_urls(url: str, fetch: Fetch) -> set[str]:
    """Every URL an entry point lists, following sitemap index children and rel=next pages."""
    status, headers, body = fetch(url)
    assert status == 200, url
    if headers.get("Content-Type", "").startswith("text/html"):
        doc = html.fromstring(body, base_url=url)
        links = {urljoin(url, str(h)) for h in doc.xpath("//main//li/a/@href")}
        following = doc.xpath("//a[@rel='next']/@href")
        return links | (listed_urls(urljoin(url, str(following[0])), fetch) if following else set())
    if url.endswith(".gz"):
        assert headers["Content-Type"] == "application/x-gzip"
        body = gzip.decompress(body)
    root = etree.fromstring(body, SAFE_XML)
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        children = [str(x) for x in root.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)]
        return set().union(*(listed_urls(child, fetch) for child in children))
    if tag == "urlset":
        return {str(x) for x in root.xpath("//sm:url/sm:loc/text()", namespaces=NS)}
    if tag == "rss":
        return {str(x) for x in root.xpath("//item/link/text()")}
    if tag == "feed":
        return {str(x) for x in root.xpath("//atom:entry/atom:link/@href", namespaces=NS)}
    if tag == "RDF":
        return {str(x) for x in root.xpath("//rss1:item/rss1:link/text()", namespaces=NS)}
    raise AssertionError(f"unknown document {tag} at {url}")


def test_fixture_dirs_are_complete_and_reproducible() -> None:
    cases = sorted(fixtures_dir().glob("*/*/"))
    assert len({c.parent.name for c in cases}) >= 19
    for case in cases:
        raw = (case / "page.html.gz").read_bytes()
        assert raw[4:8] == b"\0\0\0\0", f"{case}: gzip mtime must be 0"
        expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        keys = {"url", "title", "body", "authors", "published", "topics", "language", "publisher", "source"}
        assert keys <= set(expected), case
        assert expected["url"].startswith("https://")
        assert gzip.decompress(raw)


def test_regionalheute_page_is_synthetic_and_body_has_no_furniture() -> None:
    case = fixtures_dir() / "regionalheute" / "regionalheute"
    page = gzip.decompress((case / "page.html.gz").read_bytes()).decode("utf-8")
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert page.lstrip().startswith("<!DOCTYPE html>\n<!-- SYNTHETIC FIXTURE")
    assert 'name="generator" content="newsarchive synthetic fixture' in page
    assert "Magdalena Sydow" in page and "mehr News aus der Region" in page
    assert "Magdalena Sydow" not in expected["body"] and "mehr News" not in expected["body"]
    doc = html.fromstring(page)
    ld = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
    assert ld["@type"] == "NewsArticle" and "articleBody" not in ld
    assert ld["headline"] == expected["title"]
    ts = int(re.search(r"-(\d+)/$", expected["url"]).group(1))  # type: ignore[union-attr]
    assert datetime.fromisoformat(ld["datePublished"]).timestamp() == ts


def test_articles_are_served_at_their_real_paths(mirror: Mirror, fetch: Fetch) -> None:
    for site in mirror.sites.values():
        for article in site.articles:
            status, headers, body = fetch(article.url)
            assert status == 200 and body == article.page, article.url
            assert headers["Content-Type"].startswith("text/html")
            assert headers["ETag"] and headers["Last-Modified"]


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_entry_point_lists_the_articles(spec: SiteSpec, mirror: Mirror, fetch: Fetch) -> None:
    site = mirror.sites[spec.name]
    assert site.articles, spec.name
    articles = {a.url for a in site.articles}
    for url in site.entry_points:
        listed = listed_urls(url, fetch)
        assert articles <= listed, url
        assert set(site.rejected) <= listed, url
        assert site.disallowed in listed, url


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_listed_extra_urls_exercise_the_rules(spec: SiteSpec, mirror: Mirror, fetch: Fetch) -> None:
    site = mirror.sites[spec.name]
    assert site.rejected, "a couple of URLs the rules reject"
    assert all(spec.rejects(url) for url in site.rejected)
    assert not any(spec.rejects(a.url) for a in site.articles)
    assert site.disallowed and not spec.rejects(site.disallowed), "article-like"
    for url in site.rejected:
        assert fetch(url)[0] == 200


def test_entry_point_formats(mirror: Mirror, fetch: Fetch) -> None:
    assert feed_format("https://www.merkur.de/welt/rssfeed.rdf") == "rdf"
    assert feed_format("https://www.rbb24.de/feed/atom.xml") == "atom"
    assert feed_format("https://www1.wdr.de/uebersicht-100.feed") == "rss"
    root = etree.fromstring(fetch("https://www.ndr.de/news-102~news.xml")[2], SAFE_XML)
    dates = root.xpath("//news:publication_date/text()", namespaces=NS)
    titles = root.xpath("//news:title/text()", namespaces=NS)
    assert "2025-06-17T18:24:10+02:00" in dates
    assert "Forscher aus Osnabrück warnt: Studierende verlernen das Lesen" in titles
    rss = etree.fromstring(fetch("https://www.braunschweiger-zeitung.de/rss")[2], SAFE_XML)
    assert rss.xpath("//item/pubDate/text()")[0] == "Thu, 06 Nov 2025 20:00:00 +0000"
    index = etree.fromstring(fetch("https://www.mz.de/sitemaps/newssitemap-index.xml")[2], SAFE_XML)
    assert etree.QName(index).localname == "sitemapindex"
    yoast = etree.fromstring(fetch("https://www.ruhrnachrichten.de/sitemap_index.xml")[2], SAFE_XML)
    children = yoast.xpath("//sm:loc/text()", namespaces=NS)
    assert "https://www.ruhrnachrichten.de/post-sitemap.xml" in children


def test_section_pages_paginate_with_escaped_queries(fetch: Fetch) -> None:
    status, _, body = fetch("https://www.rbb24.de/kultur/?view=list&sort=neu")
    assert status == 200
    assert b'rel="next" href="/kultur/?view=list&amp;sort=neu&amp;page=2"' in body
    status, _, body = fetch("https://www.rbb24.de/kultur/?view=list&sort=neu&page=2")
    assert status == 200 and b"<li" in body


def test_archive_sitemaps_are_gzipped_per_month(mirror: Mirror, fetch: Fetch) -> None:
    site = mirror.sites["braunschweiger_zeitung"]
    assert site.archive_sitemaps == [
        "https://www.braunschweiger-zeitung.de/sitemaps/archive/sitemap-2025-11-p00.xml.gz"
    ]
    status, headers, _ = fetch(site.archive_sitemaps[0], **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"] == "application/x-gzip"
    assert "Content-Encoding" not in headers, "a .gz file is not encoded twice"
    assert listed_urls(site.archive_sitemaps[0], fetch) == {a.url for a in site.articles}
    yearly = mirror.sites["tagesspiegel"].archive_sitemaps
    assert yearly == ["https://www.tagesspiegel.de/contentexport/static/sitemap-index_2024.xml"]
    assert listed_urls(yearly[0], fetch) == {a.url for a in mirror.sites["tagesspiegel"].articles}


def test_robots_txt(mirror: Mirror, fetch: Fetch) -> None:
    for site in mirror.sites.values():
        for host in {urlsplit(u).hostname for u in [a.url for a in site.articles] + site.entry_points}:
            status, _, body = fetch(f"https://{host}/robots.txt")
            assert status == 200
            robots = Protego.parse(body.decode("utf-8"))
            assert not robots.can_fetch(f"https://{host}/suche/?q=x", "newsarchive")
            for article in site.articles:
                assert robots.can_fetch(article.url, "newsarchive")
            if site.disallowed and urlsplit(site.disallowed).hostname == host:
                assert not robots.can_fetch(site.disallowed, "newsarchive")
            declared = [u for u in [*site.spec.news_sitemaps, *site.spec.sitemaps] if host in u]
            assert set(robots.sitemaps) >= set(declared)
    _, _, body = fetch("https://web.master.br24-web.br-master.de/robots.txt")
    assert b"Sitemap: https://web.master.br24-web.br-master.de/nachrichten/sitemaps/" in body


def test_unknown_paths_are_404(fetch: Fetch) -> None:
    assert fetch("https://www.ndr.de/gibt-es-nicht.html")[0] == 404
    assert fetch("https://unknown.example/robots.txt")[0] == 200, "unknown Host: path looked up on all hosts"
    assert fetch("https://unknown.example/gibt-es-nicht")[0] == 404


def test_routing_by_host_header(server: MirrorServer, fetch: Fetch, mirror: Mirror) -> None:
    ndr = fetch("https://www.ndr.de/robots.txt")[2]
    merkur = fetch("https://www.merkur.de/robots.txt")[2]
    assert b"www.ndr.de" in ndr and b"www.merkur.de" in merkur and ndr != merkur
    article = mirror.sites["wdr"].articles[0]
    path = path_key(article.url)
    with urllib.request.urlopen(server.url + path, timeout=10) as response:  # Host: 127.0.0.1:PORT
        assert response.read() == article.page
    assert fetch("https://www.ndr.de" + path)[0] == 404, "a mirrored Host only serves its own paths"
    assert ("www1.wdr.de", path, 200) in server.requests


def test_head_gzip_and_conditional_requests(mirror: Mirror, fetch: Fetch) -> None:
    article = mirror.sites["ndr"].articles[0]
    status, headers, body = fetch(article.url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(article.page)
    status, headers, body = fetch(article.url, **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == article.page
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(article.url, **{"If-None-Match": etag})[0] == 304
    assert fetch(article.url, **{"If-None-Match": '"other"'})[0] == 200
    assert fetch(article.url, **{"If-Modified-Since": modified})[0] == 304


def test_all_xml_is_well_formed(mirror: Mirror) -> None:
    full = build_mirror([*SPECS, *specs_from_fixtures(fixtures_dir())], fixtures_dir())
    for m in (mirror, full):
        for paths in m.resources.values():
            for resource in paths.values():
                ctype = resource.headers["Content-Type"]
                if "xml" in ctype or "gzip" in ctype:
                    body = gzip.decompress(resource.body) if "gzip" in ctype else resource.body
                    etree.fromstring(body, SAFE_XML)


def test_site_spec_from_spider() -> None:
    class Spider:
        name = "ndr"
        domains: ClassVar[list[str]] = ["www.ndr.de"]
        news_sitemaps: ClassVar[list[str]] = ["https://www.ndr.de/news-102~news.xml"]
        article_url = r"\.html$"

    spec = SiteSpec.from_spider(Spider)
    assert spec == SiteSpec(
        name="ndr",
        domains=["www.ndr.de"],
        news_sitemaps=["https://www.ndr.de/news-102~news.xml"],
        article_url=r"\.html$",
    )


StartServer = Callable[[Sequence[SiteSpec]], MirrorServer]


def test_fixture_only_specs_serve_every_site(mirror_server: StartServer) -> None:
    specs = specs_from_fixtures(fixtures_dir())
    assert {s.name for s in specs} >= {"ndr", "regionalheute", "wdr", "braunschweiger_zeitung"}
    server = mirror_server(specs)
    with urllib.request.urlopen(server.url + "/robots.txt", timeout=10) as response:
        assert b"Sitemap:" in response.read()
    assert all(site.articles for site in server.mirror.sites.values())


def test_fixtures_dir_points_at_the_checkout() -> None:
    assert fixtures_dir() == Path(__file__).resolve().parent / "fixtures" / "sites"
