"""Parse discovery documents: sitemaps, sitemap indexes, news sitemaps, RSS 2.0, Atom and RSS 1.0 (RDF), and
the feed links and page links of a front page.

Pure functions on bytes. XML from the web is parsed without entity expansion, without network access and
without huge-tree support, so billion-laughs and external-entity documents cannot expand or read files.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from dateutil import parser as dateparser
from lxml import etree
from lxml import html as lxml_html

MAX_DECOMPRESSED = 64 * 1024 * 1024  # a sitemap may hold 50,000 URLs in 50 MB; anything beyond is a bomb


class DiscoveryError(ValueError):
    """A discovery document that cannot be read (not XML, a bomb, an HTML page where a feed was expected)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One URL a discovery document lists, with the date it gives (publication or last change)."""

    url: str
    date: datetime | None = None
    title: str | None = None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )


def maybe_gunzip(body: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress a gzipped document (``.xml.gz`` sitemaps), refusing more than ``limit`` bytes of output."""
    if body[:2] != b"\x1f\x8b":
        return body
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            while chunk := fh.read1(1 << 16):
                out.write(chunk)
                if out.tell() > limit:
                    raise DiscoveryError(f"gzipped document expands beyond {limit} bytes")
    except (OSError, EOFError, zlib.error) as exc:
        if out.tell() == 0:
            raise DiscoveryError(f"broken gzip data: {exc}") from exc
    return out.getvalue()


def _root(body: bytes) -> etree._Element:
    data = maybe_gunzip(body).lstrip()
    if not data:
        raise DiscoveryError("empty document")
    head = data[:512].lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        raise DiscoveryError("an HTML page, not XML")
    if b"<!entity" in data[:65536].lower():
        raise DiscoveryError("document declares entities (refused)")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("not XML")
    return root


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def parse_date(text: str | None) -> datetime | None:
    """A date from a feed or sitemap (W3C datetime, RFC 822, ISO 8601); None when unreadable."""
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dateparser.isoparse(text)
    except (ValueError, OverflowError):
        pass
    try:
        return dateparser.parse(text)
    except (ValueError, OverflowError, TypeError):
        return None


def _child_text(elem: etree._Element, *names: str) -> str | None:
    for child in elem.iter():
        if _local(child.tag) in names and child.text and child.text.strip():
            return str(child.text).strip()
    return None


def parse_sitemap(body: bytes) -> tuple[str, list[Entry]]:
    """``("index", children)`` for a sitemap index, ``("urlset", urls)`` for a (news) sitemap."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in ("sitemapindex", "urlset"):
        raise DiscoveryError(f"not a sitemap (root element <{kind}>)")
    entries: list[Entry] = []
    for elem in root:
        if _local(elem.tag) not in ("sitemap", "url"):
            continue
        loc = _child_text(elem, "loc")
        if not loc:
            continue
        date = parse_date(_child_text(elem, "publication_date") or _child_text(elem, "lastmod"))
        entries.append(Entry(loc, date, _child_text(elem, "title")))
    return ("index" if kind == "sitemapindex" else "urlset"), entries


def parse_feed(body: bytes) -> list[Entry]:
    """The items of an RSS 2.0, Atom or RSS 1.0 (RDF) feed."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in ("rss", "feed", "rdf"):
        raise DiscoveryError(f"not a feed (root element <{kind}>)")
    entries: list[Entry] = []
    for elem in root.iter():
        name = _local(elem.tag)
        if name == "item":
            url = None
            for child in elem:
                if _local(child.tag) == "link" and child.text and child.text.strip():
                    url = child.text.strip()
            if url is None:
                guid = [c for c in elem if _local(c.tag) == "guid" and c.get("isPermaLink", "true") == "true"]
                url = (guid[0].text or "").strip() if guid else None
            if url is None:
                url = elem.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            date = parse_date(_child_text(elem, "pubdate", "date", "published", "updated"))
            if url:
                entries.append(Entry(url, date, _child_text(elem, "title")))
        elif name == "entry":
            links = [c for c in elem if _local(c.tag) == "link" and c.get("href")]
            best = [c for c in links if c.get("rel", "alternate") == "alternate"] or links
            if best:
                date = parse_date(_child_text(elem, "published", "updated"))
                entries.append(Entry(str(best[0].get("href")).strip(), date, _child_text(elem, "title")))
    return entries


# ---------------------------------------------------------------- a front page (sites given by URL)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
MAX_PAGE_LINKS = 2000  # links read from one page at most


def _html_root(body: bytes) -> lxml_html.HtmlElement | None:
    data = maybe_gunzip(body)
    if not data.strip():
        return None
    try:
        return lxml_html.fromstring(data, parser=lxml_html.HTMLParser(huge_tree=False, no_network=True))
    except (etree.ParserError, ValueError):
        return None


def _http(base: str, href: str | None) -> str | None:
    """An absolute http(s) URL without fragment, or None (javascript:, mailto:, data:, broken)."""
    if not href or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip()).split("#", 1)[0]
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname else None


def feed_links(body: bytes, base_url: str) -> list[str]:
    """RSS/Atom autodiscovery: the ``<link rel="alternate" type="application/rss+xml" href>`` of a page."""
    root = _html_root(body)
    if root is None:
        return []
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES[:3]:
            url = _http(base_url, link.get("href"))
            if url and url not in found:
                found.append(url)
    return found


def page_links(body: bytes, base_url: str) -> list[str]:
    """The http(s) URLs a page links to with ``<a href>``, in document order, each once."""
    root = _html_root(body)
    if root is None:
        return []
    base = base_url
    for el in root.iter("base"):
        base = _http(base_url, el.get("href")) or base_url
        break
    found: dict[str, None] = {}
    for a in root.iter("a"):
        url = _http(base, a.get("href"))
        if url:
            found.setdefault(url, None)
            if len(found) >= MAX_PAGE_LINKS:
                break
    return list(found)
