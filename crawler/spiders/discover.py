"""DiscoveringSpider: a site given by its front-page URL, its entry points discovered at run time.

In order: the ``Sitemap:`` lines of robots.txt (indexes, news sitemaps, gzipped ones); when robots.txt names
none, a short list of well-known sitemap locations (each fetched at most once a run); RSS/Atom autodiscovery
(``<link rel="alternate">``) on the front page; and, only when none of these lists anything, the links of the
front page and of the section fronts it links to (one level deep). What worked is kept in the state store for
DISCOVERY_TTL seconds, so the next runs start from it without probing. Only http(s) URLs of the site's own
registrable domain are followed, and the hosts robots.txt names sitemaps on, for sitemaps only. A robots.txt that disallows the front page ends the site's run at once.

Sites-file entries that name their entry points crawl them as a registered site does; their classes are built
by crawler.sites.resolve.spider_class on this base.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from protego import Protego
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler import defaults
from crawler.discovery import DiscoveryError, Entry, cut_robots, feed_links, page_links, parse_feed
from crawler.extract.language import detect_language
from crawler.items import Article
from crawler.spiders.base import KIND_SITEMAP, NewsSpider, failure_reason
from pipelines.state import state_for
from pipelines.text import registrable_host

if TYPE_CHECKING:
    from scrapy.http import TextResponse

    from crawler.sites.entry import SiteEntry

#: tried in this order when robots.txt names no sitemap
WELL_KNOWN_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml")
MAX_SITEMAPS = 50  # Sitemap: lines of robots.txt read at most
MAX_FEEDS = 20  # feeds linked from the front page read at most
MAX_UNDATED_CHILDREN = 50  # children of an index without dates read at most
MAX_FRONT_LINKS = 1000  # links of the front page kept for the last resort
MAX_REJECTED = 5000  # such pages remembered per site at most

#: a path segment that names a section ("politik", "lokales", "sport-regional"), not an article
_SECTION_DIR = re.compile(r"[a-zäöüß]+(?:-[a-zäöüß]+){0,2}", re.I)
_SECTION_LEAF = re.compile(r"[a-zäöüß]+(?:-[a-zäöüß]+)?(?:\.html?|\.php)?", re.I)


def foreign_sitemap_ok(url: str) -> bool:
    """Whether a sitemap robots.txt names on another host may be read: http(s), a public host name with a
    registrable domain (no IP literal, no single-label or internal name)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host or "." not in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return False
    if host.endswith((".local", ".internal", ".localhost", ".lan", ".home.arpa")):
        return False
    return bool(registrable_host(url))


def recent_children(entries: list[Entry], newest: int) -> list[Entry]:
    """The children of a sitemap index an incremental run reads: the ``newest`` by their lastmod (an index of a
    whole archive lists years of monthly sitemaps), or, when they carry no dates, at most MAX_UNDATED_CHILDREN."""
    dated = [e for e in entries if e.date is not None and e.date.tzinfo is not None]
    if not dated:
        return entries[:MAX_UNDATED_CHILDREN]
    dated.sort(key=lambda e: e.date.timestamp() if e.date else 0.0, reverse=True)
    return dated[: max(newest, 1)]


def looks_like_section(url: str) -> bool:
    """Whether a URL's path looks like a section front (``/politik/``, ``/lokales/oldenburg``), not an article."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return not parts.query  # the front page itself
    if len(segments) > 3 or parts.query:
        return False
    *dirs, leaf = segments
    return all(_SECTION_DIR.fullmatch(s) and len(s) <= 30 for s in dirs) and bool(
        _SECTION_LEAF.fullmatch(leaf) and len(leaf) <= 30
    )


class DiscoveringSpider(NewsSpider):
    """A NewsSpider whose entry points are found at run time when its class names none."""

    front_page: ClassVar[str] = ""
    site_entry: ClassVar[SiteEntry | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # what discovery found (the state of its chain of requests, kept here for `sites probe`)
        self._found: dict[str, list[str]] = {"feeds": [], "news_sitemaps": [], "sitemaps": [], "sections": []}
        self._rejected: dict[str, str] = {}  # url -> reason: pages found to be no article by recent runs
        self.rejected_pages: list[tuple[str, str]] = []  # (url, reason) of this run
        # other hosts robots.txt names sitemaps on (crawler/mirror.py reads it too)
        self.sitemap_hosts: set[str] = set()

    # --- what needs discovering ---
    def can_backfill(self) -> bool:
        return True  # the archive sitemaps, else the sitemaps it names or discovers (their dates)

    def _needs_discovery(self) -> bool:
        if self.mode == "backfill":
            return not (self.archive_sitemap or self.news_sitemaps or self.sitemaps)
        return not (self.feeds or self.news_sitemaps or self.sitemaps or self.sections)

    def entry_points(self) -> Iterator[tuple[str, str]]:
        if self.mode == "backfill" and not self.archive_sitemap:
            for url in [*self.news_sitemaps, *self.sitemaps]:
                yield url, KIND_SITEMAP
            return
        yield from super().entry_points()

    def is_article_url(self, url: str) -> bool:
        if not super().is_article_url(url):
            return False
        if url in self._rejected:
            self.crawler.stats.inc_value("newsarchive/rejected_before")
            return False
        # without an article URL rule, section-front paths are read as sections, not fetched as articles
        return bool(self.site_entry and self.site_entry.article_url) or not looks_like_section(url)

    def _own(self, url: str) -> bool:
        """An http(s) URL on the site's own registrable domain."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts.scheme in ("http", "https") and any(
            host == d or host.endswith("." + d) for d in self.site_domains
        )

    def _allow_sitemap_hosts(self, urls: list[str]) -> None:
        for url in urls:
            if not self._own(url):
                self.sitemap_hosts.add((urlsplit(url).hostname or "").lower())

    def _on_sitemap_host(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in self.sitemap_hosts

    def _offsite_ok(self, request: scrapy.Request) -> scrapy.Request:
        """A request for a sitemap host passes the offsite filter (only sitemaps are read there)."""
        if not self._own(request.url) and self._on_sitemap_host(request.url):
            request.meta["allow_offsite"] = True
        return request

    def sitemap_requests(
        self, response: Response, kind: str, entries: list[Entry], depth: int
    ) -> Iterator[scrapy.Request]:
        if kind == "index" and self.mode == "incremental":
            entries = recent_children(
                entries, self.settings.getint("DISCOVERY_INDEX_CHILDREN", defaults.DISCOVERY_INDEX_CHILDREN)
            )
        for request in super().sitemap_requests(response, kind, entries, depth):
            yield self._offsite_ok(request)

    def _origin(self) -> str:
        parts = urlsplit(self.front_page)
        return f"{parts.scheme}://{parts.netloc}"

    # --- the cache in the state store ---
    def _ttl(self) -> float:
        return self.settings.getfloat("DISCOVERY_TTL", defaults.DISCOVERY_TTL)

    def _cached(self) -> dict[str, list[str]] | None:
        getter = getattr(state_for(self.crawler), "get_discovery", None)
        if getter is None or self._ttl() <= 0:
            return None
        found = getter(self.name)
        if not isinstance(found, dict):
            return None
        clean = {
            key: [u for u in found.get(key) or [] if isinstance(u, str) and self._own(u)]
            for key in self._found
        }
        for key in ("news_sitemaps", "sitemaps"):  # also on a sitemap host that robots.txt named
            urls = [u for u in found.get(key) or [] if isinstance(u, str) and foreign_sitemap_ok(u)]
            clean[key] = list(dict.fromkeys([*clean[key], *urls]))
        if self.mode == "backfill" and not (clean["news_sitemaps"] or clean["sitemaps"]):
            return None
        return clean if any(clean.values()) else None

    def _rejected_key(self) -> str:
        return f"{self.name}/rejected"

    def page_rejected(self, url: str, reason: str) -> None:
        """Remember a page that is no article for REJECTED_TTL seconds, so the next runs do not fetch it again."""
        self.rejected_pages.append((url, reason))
        putter = getattr(state_for(self.crawler), "put_discovery", None)
        ttl = self.settings.getfloat("REJECTED_TTL", defaults.REJECTED_TTL)
        if putter is None or ttl <= 0:
            return
        self._rejected[url] = reason
        putter(self._rejected_key(), {"pages": dict(list(self._rejected.items())[-MAX_REJECTED:])}, ttl)

    def _load_rejected(self) -> None:
        getter = getattr(state_for(self.crawler), "get_discovery", None)
        found = getter(self._rejected_key()) if getter is not None else None
        pages = found.get("pages") if isinstance(found, dict) else None
        if isinstance(pages, dict):
            self._rejected = {str(k): str(v) for k, v in pages.items()}

    def _remember(self) -> None:
        putter = getattr(state_for(self.crawler), "put_discovery", None)
        if putter is not None and self._ttl() > 0:
            putter(self.name, self._found, self._ttl())

    # --- start ---
    async def start(self) -> AsyncIterator[Any]:
        if getattr(self, "locked_out", False):
            return
        self._load_rejected()
        if self._needs_discovery():
            cached = self._cached()
            if cached is None:
                yield scrapy.Request(
                    urljoin(self._origin(), "/robots.txt"),
                    callback=self.parse_robots,
                    errback=self.robots_failed,
                    meta={"dont_obey_robotstxt": True},
                    priority=20,
                    dont_filter=True,
                )
                return
            self.crawler.stats.set_value("newsarchive/discovery/cached", 1)
            self.logger.info("%s: entry points from the state store: %s", self.name, cached)
            for key, urls in cached.items():
                setattr(self, key, urls)
            self._allow_sitemap_hosts([*cached["news_sitemaps"], *cached["sitemaps"]])
        async for request in super().start():
            yield self._offsite_ok(request) if isinstance(request, scrapy.Request) else request

    # --- discovery ---
    def _share_robots(self, response: Response, body: bytes) -> None:
        """Hand this robots.txt (``body``: cut at ROBOTSTXT_MAX_BYTES) to Scrapy's RobotsTxtMiddleware, which would
        otherwise fetch it a second time for the site's pages: robots.txt is fetched once a run."""
        from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
        from scrapy.utils.misc import build_from_crawler

        engine = self.crawler.engine
        middlewares = getattr(
            getattr(getattr(engine, "downloader", None), "middleware", None), "middlewares", ()
        )
        first = (response.request.meta.get("redirect_urls") if response.request else None) or [response.url]
        netloc = urlsplit(str(first[0])).netloc
        for mw in middlewares:
            parsers = getattr(mw, "_parsers", None)
            if isinstance(mw, RobotsTxtMiddleware) and isinstance(parsers, dict) and netloc not in parsers:
                parsers[netloc] = build_from_crawler(mw._parserimpl, self.crawler, body)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        limit = self.settings.getint("ROBOTSTXT_MAX_BYTES", defaults.ROBOTSTXT_MAX_BYTES)
        if len(response.body) > limit:
            self.capped("robots_txt")
            self.logger.warning(
                "robots.txt of %s has %d bytes: the first %d read (ROBOTSTXT_MAX_BYTES)",
                urlsplit(response.url).netloc,
                len(response.body),
                limit,
            )
        body = cut_robots(response.body, limit)
        if response.status == 200:
            self._share_robots(response, body)
        text = body.decode("utf-8", "replace")
        robots = Protego.parse(text)
        agent = str(self.settings.get("ROBOTSTXT_USER_AGENT") or self.settings.get("USER_AGENT") or "*")
        if not robots.can_fetch(self.front_page, agent):
            self.crawler.stats.inc_value("newsarchive/entry_point_errors")
            self.crawler.stats.set_value("newsarchive/robots_closed", 1)
            self.logger.error(
                "site %s: robots.txt (%s) disallows its front page %s: nothing is crawled",
                self.name,
                response.url,
                self.front_page,
            )
            return
        found = [u.strip() for u in list(robots.sitemaps)[:MAX_SITEMAPS]]
        # a sitemap robots.txt names may live on another host (a CDN): that host is then read for sitemaps only
        sitemaps = [u for u in dict.fromkeys(found) if self._own(u) or foreign_sitemap_ok(u)]
        self._allow_sitemap_hosts(sitemaps)
        yield from self._explore(sitemaps)

    def robots_failed(self, failure: Any) -> Iterator[scrapy.Request]:
        if not failure.check(HttpError):  # no answer at all (DNS, refused, timeout, TLS): nothing more to try
            self.crawler.stats.inc_value("newsarchive/entry_point_errors")
            self.logger.error(
                "site %s: %s does not answer (%s): nothing is crawled",
                self.name,
                self._origin(),
                failure_reason(failure),
            )
            return
        self.logger.info("%s: no robots.txt (%s)", self.name, failure_reason(failure))
        yield from self._explore([])

    # Discovery is a chain of requests, one document after the other; what was found so far travels with each
    # request (cb_kwargs ``state``, plain JSON), so any worker of a distributed crawl can take the next step.
    def _explore(self, sitemaps: list[str]) -> Iterator[scrapy.Request]:
        probe = not sitemaps
        urls = sitemaps or [urljoin(self._origin(), p) for p in WELL_KNOWN_SITEMAPS]
        # news sitemaps first: once one is read, the others (whole archives, often) are not
        docs = [[url, "sitemap", probe] for url in sorted(urls, key=lambda u: "news" not in u.lower())]
        if self.mode == "incremental":
            docs.append([self.front_page, "front", False])
        state: dict[str, Any] = {"docs": docs, "found": {key: [] for key in self._found}, "links": []}
        yield from self._continue(state)

    def _continue(self, state: dict[str, Any]) -> Iterator[scrapy.Request]:
        """The next discovery document, or the end of discovery."""
        self._found = state["found"]
        if not state["docs"]:
            yield from self._finish(state)
            return
        (url, kind, probe), rest = state["docs"][0], state["docs"][1:]
        if kind == "sitemap" and state["found"]["news_sitemaps"] and self.mode == "incremental":
            # a news sitemap lists what is new: other sitemaps (whole archives, often) are not read
            if not probe:
                state["found"]["sitemaps"].append(url)
            yield from self._continue({**state, "docs": rest})
            return
        callback = {"sitemap": self.parse_found_sitemap, "feed": self.parse_found_feed}.get(
            kind, self.parse_front
        )
        if kind == "sitemap":
            self._allow_sitemap_hosts([url])  # a worker of a distributed crawl may not have read robots.txt
        request = scrapy.Request(
            url,
            callback=callback,
            errback=self.document_failed,
            cb_kwargs={"state": {**state, "docs": rest}, "probe": probe},
            priority=10,
        )
        yield self._offsite_ok(request)

    def parse_found_sitemap(
        self, response: Response, state: dict[str, Any], probe: bool = False
    ) -> Iterator[scrapy.Request]:
        if self._skip_when_full(response):  # a sitemap it is: kept as an entry point, read by a later run
            if not probe:
                key = "news_sitemaps" if "news" in response.url.lower() else "sitemaps"
                state["found"][key].append(response.url)
            yield from self._continue(state)
            return
        try:
            sitemap = self.read_sitemap(response)
        except DiscoveryError as exc:
            if probe:  # a well-known location that holds no sitemap (often a soft 404 page)
                self.crawler.stats.inc_value("newsarchive/discovery/missing")
            else:
                self._discovery_failed(response, exc)
        else:
            key = "news_sitemaps" if "news" in response.url.lower() else "sitemaps"
            state["found"][key].append(response.url)
            yield from self.sitemap_requests(response, sitemap.kind, sitemap.entries, 0)
        yield from self._continue(state)

    def parse_found_feed(
        self, response: Response, state: dict[str, Any], probe: bool = False
    ) -> Iterator[scrapy.Request]:
        try:
            entries = parse_feed(response.body)
        except DiscoveryError as exc:
            self._discovery_failed(response, exc)
        else:
            state["found"]["feeds"].append(response.url)
            yield from self._article_requests(self.newest_entries(entries, response.url), response.url)
        yield from self._continue(state)

    def document_failed(self, failure: Any) -> Iterator[scrapy.Request]:
        kwargs = failure.request.cb_kwargs
        if kwargs.get("probe"):
            self.crawler.stats.inc_value("newsarchive/discovery/missing")
        elif failure.check(IgnoreRequest) and "robots.txt" in failure_reason(failure):
            self.crawler.stats.inc_value("newsarchive/entry_point_errors")
            self.logger.error("site %s: robots.txt forbids %s", self.name, failure.request.url)
        else:
            self.entry_failed(failure)
        yield from self._continue(kwargs["state"])

    def parse_front(
        self, response: Response, state: dict[str, Any], probe: bool = False
    ) -> Iterator[scrapy.Request]:
        if not isinstance(response, HtmlResponse):
            content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or "no type"
            self.crawler.stats.inc_value("newsarchive/entry_point_errors")
            self.logger.error(
                "site %s: the front page %s is not an HTML page (%s)", self.name, response.url, content_type
            )
        else:
            feeds = [u for u in feed_links(response.body, response.url) if self._own(u)][:MAX_FEEDS]
            state["docs"] = [*[[u, "feed", False] for u in feeds], *state["docs"]]
            # the links wait for the end of discovery: they are read only when no sitemap or feed lists anything
            links = [u for u in page_links(response.body, response.url) if self._own(u)]
            state["links"] = links[:MAX_FRONT_LINKS]
        yield from self._continue(state)

    def _finish(self, state: dict[str, Any]) -> Iterator[scrapy.Request]:
        """All discovery documents answered: the front page's links if nothing else listed any; the cache."""
        found = state["found"]
        if not (found["feeds"] or found["news_sitemaps"] or found["sitemaps"]) and state["links"]:
            yield from self._from_front_page(state["links"])
        self._found = found
        if any(found.values()):
            count = sum(len(v) for v in found.values())
            self.crawler.stats.set_value("newsarchive/discovery/entry_points", count)
            self.logger.info("%s: discovered entry points: %s", self.name, found)
            self._remember()
            return
        self.crawler.stats.inc_value("newsarchive/entry_point_errors")
        if self.mode == "backfill":
            self.logger.error(
                "site %s: no sitemap to backfill from (robots.txt names none and none is at %s); "
                "name its archive sitemaps (archive_sitemap) in a sites file",
                self.name,
                ", ".join(WELL_KNOWN_SITEMAPS),
            )
        else:
            self.logger.error(
                "site %s: no entry point found (no sitemap in robots.txt or at the usual places, no feed and "
                "no links to the site's own pages on %s)",
                self.name,
                self.front_page,
            )

    def _from_front_page(self, links: list[str]) -> Iterator[scrapy.Request]:
        """The last resort: the front page's links, and the section fronts it links to (one level deep)."""
        front = self.front_page
        limit = self.settings.getint("DISCOVERY_MAX_SECTIONS", defaults.DISCOVERY_MAX_SECTIONS)
        sections = [
            u
            for u in links
            if looks_like_section(u)
            and urlsplit(u).path.strip("/")
            and not any(p.search(u) for p in self._skip_re)
        ][: max(limit, 0)]
        self._found["sections"] = [front, *sections]
        yield from self._article_requests((Entry(u) for u in links), front)
        for url in sections:
            yield scrapy.Request(
                url, callback=self.parse_section, errback=self.entry_failed, cb_kwargs={"depth": 0}
            )

    # --- records ---
    def build_article(self, response: TextResponse, fields: dict[str, Any]) -> Article:
        item = super().build_article(response, fields)
        if not self.publisher:
            item["publisher"] = fields.get("site_publisher") or registrable_host(self.front_page)
        if not self.region:
            item["region"] = None
        if not (self.site_entry and self.site_entry.language):
            item["language"] = fields.get("language") or detect_language(fields.get("body")) or self.language
        return item
