"""Parse discovery documents: sitemaps, sitemap indexes, news sitemaps, RSS 2.0, Atom and RSS 1.0 (RDF), and
the feed links and page links of a front page.

Pure functions on bytes. XML from the web is parsed without entity expansion, without network access and
without huge-tree support; a document whose DTD declares entities is refused wherever in the document the
declaration stands and in whatever encoding (the parser reports the DTD before the root element), so
billion-laughs and external-entity documents can neither expand nor read files. A sitemap is read as a stream
(gunzipped chunk by chunk, each ``<url>`` dropped once read) into a bounded heap of its newest ``limit``
entries: memory grows with the limit, not with the document.
"""

from __future__ import annotations

import gzip
import heapq
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from dateutil import parser as dateparser
from lxml import etree
from lxml import html as lxml_html

MAX_DECOMPRESSED = 64 * 1024 * 1024  # a sitemap may hold 50,000 URLs in 50 MB; anything beyond is a bomb
#: entries read from one sitemap or feed at most, the newest (the sitemap protocol's own limit per file)
MAX_DOCUMENT_URLS = 50_000


class DiscoveryError(ValueError):
    """A discovery document that cannot be read (not XML, a bomb, an HTML page where a feed was expected)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One URL a discovery document lists, with the date it gives (publication or last change)."""

    url: str
    date: datetime | None = None
    title: str | None = None


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


class _Stream:
    """A file-like view of a document for lxml: gunzipped chunk by chunk when gzipped, at most ``limit`` bytes."""

    def __init__(self, body: bytes, limit: int) -> None:
        self._raw = io.BytesIO(body)
        self._gz = gzip.GzipFile(fileobj=self._raw) if body[:2] == b"\x1f\x8b" else None
        self._limit = limit
        self.total = 0
        self._pending = b""

    def _next(self, size: int) -> bytes:
        if self._gz is None:
            return self._raw.read(size)
        try:
            return self._gz.read1(size)
        except (OSError, EOFError, zlib.error) as exc:
            if self.total == 0:
                raise DiscoveryError(f"broken gzip data: {exc}") from exc
            return b""  # a truncated gzip stream: what arrived is read

    def head(self, size: int = 4096) -> bytes:
        """The first bytes (kept for read()): enough to tell an HTML page or an empty document."""
        while len(self._pending) < size:
            chunk = self._next(size)
            if not chunk:
                break
            self._count(chunk)
            self._pending += chunk
        return self._pending

    def _count(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self._limit:
            raise DiscoveryError(f"gzipped document expands beyond {self._limit} bytes")

    def read(self, size: int = -1) -> bytes:
        if self._pending:
            out, self._pending = self._pending, b""
            return out
        chunk = self._next(size if size > 0 else 1 << 16)
        self._count(chunk)
        return chunk


def _parser_options() -> dict[str, bool]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "huge_tree": False,
        "load_dtd": False,
        "dtd_validation": False,
        "recover": True,
        "remove_comments": True,
        "remove_pis": True,
    }


def _check_head(head: bytes) -> None:
    head = head.lstrip()
    if not head:
        raise DiscoveryError("empty document")
    lower = head[:512].lower()
    if lower.startswith(b"<!doctype html") or lower.startswith(b"<html"):
        raise DiscoveryError("an HTML page, not XML")


def declares_entities(elem: etree._Element) -> bool:
    """Whether the document of ``elem`` has a DTD that declares entities (general or parameter)."""
    dtd = elem.getroottree().docinfo.internalDTD
    return dtd is not None and next(iter(dtd.iterentities()), None) is not None


def _events(
    body: bytes, tags: tuple[str, ...] | None = None, limit: int = MAX_DECOMPRESSED
) -> Iterator[tuple[etree._Element, etree._Element]]:
    """(root, element) at the end of each element (of each of ``tags`` only, when given) of a streamed parse;
    DiscoveryError for an HTML page, a bomb, entity declarations (checked at the first event: the DTD comes
    before the root element) or broken XML."""
    stream = _Stream(body, limit)
    _check_head(stream.head())
    context = etree.iterparse(stream, events=("end",), tag=tags, **_parser_options())
    root = None
    try:
        for _event, elem in context:
            if root is None:
                if declares_entities(elem):
                    raise DiscoveryError("document declares entities (refused)")
                root = elem.getroottree().getroot()
            yield root, elem
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from exc
    if root is None:
        root = getattr(context, "root", None)
        if root is None:
            raise DiscoveryError("not XML")
        if declares_entities(root):
            raise DiscoveryError("document declares entities (refused)")


def _root(body: bytes) -> etree._Element:
    """The whole parsed document (feeds: at most DOWNLOAD_MAXSIZE, so bounded), entity declarations refused."""
    last = None
    for top, _elem in _events(body):
        last = top
    if last is None:
        raise DiscoveryError("not XML")
    return last


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def parse_date(text: str | None) -> datetime | None:
    """A date from a feed or sitemap (W3C datetime, RFC 822, ISO 8601); None when unreadable."""
    if not text or not text.strip():
        return None
    text = text.strip()
    if text[:1].isdigit():  # W3C datetime, the sitemap's own format: the cheap parser first
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
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


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: ``kind`` "index" or "urlset"; its newest entries, newest first (undated ones after the
    dated, in document order); ``dropped``: the entries beyond the limit, not kept."""

    kind: str
    entries: list[Entry]
    dropped: int = 0


def _newest_key(date: datetime | None, index: int) -> tuple[float, int]:
    # dated (with a time zone) entries by date; undated ones after them, earlier in the document first
    return (date.timestamp() if date is not None and date.tzinfo is not None else float("-inf"), -index)


_SITEMAP_FIELDS = frozenset(("loc", "lastmod", "publication_date", "title"))


def _single_root(body: bytes) -> etree._Element:
    first = next(iter(_events(body, ("{*}*",))), None)
    if first is None:
        raise DiscoveryError("not XML")
    return first[0]


def read_sitemap(body: bytes, limit: int = MAX_DOCUMENT_URLS) -> Sitemap:
    """A sitemap index or (news) sitemap, streamed: at most ``limit`` entries are kept, the newest."""
    limit = max(limit, 0)
    kind = ""
    heap: list[tuple[tuple[float, int], Entry]] = []
    index = dropped = 0
    for root, elem in _events(body, ("{*}url", "{*}sitemap")):
        if not kind:
            kind = _local(root.tag)
            if kind not in ("sitemapindex", "urlset"):
                raise DiscoveryError(f"not a sitemap (root element <{kind}>)")
        if elem.getparent() is not root:
            continue
        loc = lastmod = published = title = None
        for child in elem.iter():
            name = _local(child.tag)
            if name in _SITEMAP_FIELDS and child.text and child.text.strip():
                text = child.text.strip()
                if name == "loc":
                    loc = loc or text
                elif name == "lastmod":
                    lastmod = lastmod or text
                elif name == "publication_date":
                    published = published or text
                else:
                    title = title or text
        if loc:
            date = parse_date(published or lastmod)
            key = _newest_key(date, index)
            index += 1
            if len(heap) < limit:
                heapq.heappush(heap, (key, Entry(loc, date, title)))
            else:
                dropped += 1
                if heap and key > heap[0][0]:
                    heapq.heapreplace(heap, (key, Entry(loc, date, title)))
        # a read <url> is dropped from the tree, with the ones before it: memory stays flat
        elem.clear()
        while elem.getprevious() is not None:
            del root[0]
    if not kind:  # no <url> at all: an empty sitemap, or no sitemap
        kind = _local(_single_root(body).tag)
        if kind not in ("sitemapindex", "urlset"):
            raise DiscoveryError(f"not a sitemap (root element <{kind}>)")
    entries = [entry for _key, entry in sorted(heap, key=lambda pair: pair[0], reverse=True)]
    return Sitemap("index" if kind == "sitemapindex" else "urlset", entries, dropped)


def parse_sitemap(body: bytes, limit: int = MAX_DOCUMENT_URLS) -> tuple[str, list[Entry]]:
    """``("index", children)`` for a sitemap index, ``("urlset", urls)`` for a (news) sitemap (read_sitemap)."""
    sitemap = read_sitemap(body, limit)
    return sitemap.kind, sitemap.entries


def newest(entries: list[Entry], limit: int) -> tuple[list[Entry], int]:
    """The ``limit`` newest of ``entries`` (the order read_sitemap gives) and how many were left out."""
    if len(entries) <= limit:
        return entries, 0
    keyed = [(_newest_key(e.date, i), e) for i, e in enumerate(entries)]
    kept = heapq.nlargest(max(limit, 0), keyed, key=lambda pair: pair[0])
    return [e for _key, e in kept], len(entries) - len(kept)


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


def cut_robots(body: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes of a robots.txt, ending at the last whole line (the rest is ignored)."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut >= 0 else head


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
