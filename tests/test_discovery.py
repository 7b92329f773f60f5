"""Discovery documents in their real formats, and hostile ones."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from crawler.discovery import DiscoveryError, maybe_gunzip, parse_feed, parse_sitemap
from crawler.spiders.base import month_range
from crawler.spiders.de.braunschweiger_zeitung import BraunschweigerZeitungSpider
from crawler.spiders.de.ndr import NdrSpider

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://www.ndr.de/a,a-100.html</loc>
    <news:news><news:publication><news:name>NDR</news:name><news:language>de</news:language></news:publication>
      <news:publication_date>2025-06-17T18:24:10+02:00</news:publication_date><news:title>A</news:title></news:news>
  </url>
  <url><loc>https://www.ndr.de/b,b-100.html</loc><lastmod>2025-06-18</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.de/s1.xml</loc><lastmod>2024-01-01</lastmod></sitemap>
<sitemap><loc>https://x.de/s2.xml.gz</loc></sitemap></sitemapindex>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>https://x.de/one</link><pubDate>Tue, 17 Jun 2025 18:24:10 +0200</pubDate></item>
<item><title>Two</title><guid isPermaLink="true">https://x.de/two</guid></item></channel></rss>"""

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>A</title><link rel="self" href="https://x.de/self"/><link href="https://x.de/a"/>
<updated>2025-01-02T03:04:05Z</updated></entry></feed>"""

RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://x.de/"><title>t</title><items><rdf:Seq><rdf:li rdf:resource="https://x.de/r"/></rdf:Seq></items></channel>
<item rdf:about="https://x.de/r"><title>R</title><link>https://x.de/r</link><dc:date>2025-01-02T03:04:05+01:00</dc:date></item>
</rdf:RDF>"""


def test_news_sitemap_with_dates() -> None:
    kind, entries = parse_sitemap(NEWS_SITEMAP)
    assert kind == "urlset"
    assert [e.url for e in entries] == ["https://www.ndr.de/a,a-100.html", "https://www.ndr.de/b,b-100.html"]
    assert entries[0].date is not None and entries[0].date.isoformat() == "2025-06-17T18:24:10+02:00"
    assert entries[0].title == "A"


def test_sitemap_index_and_gzip() -> None:
    kind, entries = parse_sitemap(gzip.compress(INDEX))
    assert kind == "index"
    assert [e.url for e in entries] == ["https://x.de/s1.xml", "https://x.de/s2.xml.gz"]


@pytest.mark.parametrize(
    ("doc", "urls"),
    [(RSS, ["https://x.de/one", "https://x.de/two"]), (ATOM, ["https://x.de/a"]), (RDF, ["https://x.de/r"])],
)
def test_feeds(doc: bytes, urls: list[str]) -> None:
    entries = parse_feed(doc)
    assert [e.url for e in entries] == urls
    assert entries[0].date is not None


def test_billion_laughs_is_refused() -> None:
    doc = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol3;</loc></url></urlset>"""
    with pytest.raises(DiscoveryError):
        parse_sitemap(doc)


def test_external_entity_is_refused(tmp_path: object) -> None:
    doc = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><link>&xxe;</link></item></channel></rss>"""
    with pytest.raises(DiscoveryError):
        parse_feed(doc)


def test_html_where_a_feed_was_expected() -> None:
    with pytest.raises(DiscoveryError, match="HTML"):
        parse_feed(b"<!DOCTYPE html><html><body>nope</body></html>")
    with pytest.raises(DiscoveryError):
        parse_sitemap(b"")


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"\0" * (2 * 1024 * 1024))
    with pytest.raises(DiscoveryError, match="expands"):
        maybe_gunzip(bomb, limit=1024 * 1024)


def test_month_range() -> None:
    assert month_range(date(2024, 11, 5), date(2025, 2, 1)) == [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]


def test_url_rules() -> None:
    ndr = NdrSpider()
    assert ndr.is_article_url("https://www.ndr.de/nachrichten/x/forscher-warnt,leseforscher-100.html")
    assert not ndr.is_article_url("https://www.ndr.de/nachrichten/index.html")
    assert not ndr.is_article_url("https://www.ndr.de/fernsehen/podcast4420.html")
    assert not ndr.is_article_url("https://www.ndr.de/video/x,video-100.html")
    assert not ndr.is_article_url("https://www.example.org/a,b-100.html")
    bz = BraunschweigerZeitungSpider()
    assert bz.is_article_url("https://www.braunschweiger-zeitung.de/politik/article410390514/streeck.html")
    assert not bz.is_article_url("https://www.braunschweiger-zeitung.de/politik/")


def test_backfill_entry_points_are_the_months_of_the_range() -> None:
    bz = BraunschweigerZeitungSpider(mode="backfill", date_from="2024-11-20", date_to="2025-01-03")
    urls = [u for u, _ in bz.entry_points()]
    assert urls == [
        f"https://www.braunschweiger-zeitung.de/sitemaps/archive/sitemap-{m}-p00.xml.gz"
        for m in ("2024-11", "2024-12", "2025-01")
    ]


# ---------------------------------------------------------------- a front page (sites given by URL)


def test_feed_autodiscovery_reads_alternate_links_only() -> None:
    from crawler.discovery import feed_links

    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss/lokales.xml">
    <link rel="alternate" type="application/atom+xml; charset=utf-8" href="https://www.a.de/atom.xml">
    <link rel="alternate" type="text/html" hreflang="en" href="/en/">
    <link rel="stylesheet" type="application/rss+xml" href="/not-a-feed.xml">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head><body></body></html>"""
    assert feed_links(page, "https://www.a.de/") == [
        "https://www.a.de/rss/lokales.xml",
        "https://www.a.de/atom.xml",
    ]
    assert feed_links(b"", "https://www.a.de/") == []


def test_page_links_are_absolute_http_urls_without_fragments() -> None:
    from crawler.discovery import page_links

    page = b"""<html><head><base href="https://www.a.de/lokales/"></head><body>
    <a href="meldung-1.html#kommentare">1</a> <a href="/politik/">P</a> <a href="mailto:x@a.de">m</a>
    <a href="file:///etc/passwd">f</a> <a href="meldung-1.html">again</a> <a href="http://[bad">b</a></body></html>"""
    assert page_links(page, "https://www.a.de/") == [
        "https://www.a.de/lokales/meldung-1.html",
        "https://www.a.de/politik/",
    ]


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("https://www.a.de/", True),
        ("https://www.a.de/politik/", True),
        ("https://www.a.de/lokales/oldenburg/", True),
        ("https://www.a.de/sport.html", True),
        ("https://www.a.de/lokales/kreistag-beraet-ueber-kliniken.html", False),
        ("https://www.a.de/politik/deutschland/merz-trifft-macron-123456.html", False),
        ("https://www.a.de/2025/06/02/stadtfest/", False),
        ("https://www.a.de/suche?q=x", False),
    ],
)
def test_section_fronts_are_told_from_articles_by_their_path(url: str, section: bool) -> None:
    from crawler.spiders.discover import looks_like_section

    assert looks_like_section(url) is section


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://static.kreisbote-cdn.net/sitemap.xml", True),
        ("https://sitemaps.example.co.uk/news.xml.gz", True),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("http://10.0.0.1/sitemap.xml", False),
        ("https://[::1]/sitemap.xml", False),
        ("http://localhost/sitemap.xml", False),
        ("https://metadata.google.internal/sitemap.xml", False),
        ("file:///etc/passwd", False),
        ("ftp://example.net/sitemap.xml", False),
    ],
)
def test_sitemaps_on_other_hosts_only_on_public_host_names(url: str, ok: bool) -> None:
    from crawler.spiders.discover import foreign_sitemap_ok

    assert foreign_sitemap_ok(url) is ok


def test_an_incremental_run_reads_the_newest_children_of_a_discovered_index() -> None:
    from datetime import UTC, datetime

    from crawler.discovery import Entry
    from crawler.spiders.discover import MAX_UNDATED_CHILDREN, recent_children

    monthly = [
        Entry(f"https://www.a.de/sitemap-2025-{m:02d}.xml", datetime(2025, m, 28, tzinfo=UTC))
        for m in range(1, 13)
    ]
    assert [e.url[-11:-4] for e in recent_children(monthly, 3)] == ["2025-12", "2025-11", "2025-10"]
    undated = [Entry(f"https://www.a.de/s-{n}.xml") for n in range(80)]
    assert recent_children(undated, 3) == undated[:MAX_UNDATED_CHILDREN]
