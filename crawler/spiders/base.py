"""NewsSpider: discovery and article parsing shared by every site.

A site file sets data only (name, publisher, region, hosts, entry points, URL rules, selectors where the
generic extraction falls short); behaviour lives here, with named hooks a site may override:
``is_article_url``, ``build_article``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit
from weakref import WeakKeyDictionary

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from w3lib.encoding import http_content_type_encoding

from crawler import defaults
from crawler.discovery import DiscoveryError, Entry, Sitemap, newest, parse_feed, read_sitemap
from crawler.extract import SiteSelectors, looks_binary
from crawler.extract.recognise import rejection
from crawler.items import Article
from crawler.mirror import mirror_hosts
from crawler.netguard import Refused
from crawler.offthread import ExtractPool, PageResult, process_page
from crawler.places.coverage import site_coverage
from crawler.shutdown import Stopping
from pipelines.archive.warc import strip_credentials
from pipelines.state import SeenEntry, state_for
from pipelines.text import canonical, parse_flag, registrable_host, to_datetime

# a page without a headline needs at least this many words of text to be taken for an article
MIN_UNTITLED_WORDS = 25

KIND_FEED = "feed"
KIND_SITEMAP = "sitemap"
KIND_SECTION = "section"

#: revisit policy defaults (settings REVISIT_MAX_AGE_HOURS, REVISIT_INTERVAL_HOURS; 0 turns revisits off)
#: request meta key: canonical URL of the known article a request refetches
META_KNOWN = "newsarchive_known"


def month_range(start: date, end: date) -> list[tuple[int, int]]:
    """The (year, month) pairs from start's month to end's month, inclusive."""
    months: list[tuple[int, int]] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


class NewsSpider(scrapy.Spider):
    """Generic news spider. Modes: ``incremental`` (feeds, news sitemaps, sections) or ``backfill``."""

    # --- site data (set by each site file) ---
    publisher: ClassVar[str] = ""
    region: ClassVar[str] = ""
    language: ClassVar[str] = "de"
    domains: ClassVar[list[str]] = []
    feeds: ClassVar[list[str]] = []
    news_sitemaps: ClassVar[list[str]] = []
    sitemaps: ClassVar[list[str]] = []
    sections: ClassVar[list[str]] = []
    archive_sitemap: ClassVar[str | None] = None
    archive_since: ClassVar[str | None] = None  # "YYYY-MM": the first month the archive sitemaps cover
    article_url: ClassVar[str] = r"."
    skip: ClassVar[list[str]] = []
    selectors: ClassVar[SiteSelectors | None] = None

    # --- set by crawler.extensions.SiteLock when the run opens ---
    #: another run holds the site's lock: start nothing
    locked_out: bool = False
    #: the site's previous run finished cleanly: an incremental run may stop early at known articles
    previous_run_clean: bool = False

    # skipped on every site: media, tickers, galleries, index and search pages
    common_skip: ClassVar[list[str]] = [
        r"/(video|videos|podcast|podcasts|audio|mediathek|bildergalerie|galerie|gallery|fotostrecke)/",
        r"(live-?ticker|liveblog)",
        r"/(suche|search|tag|tags|thema|autor|autoren|impressum|datenschutz)/",
        r"\.(jpe?g|png|gif|webp|svg|pdf|mp3|mp4|zip|css|js)(\?|$)",
    ]

    def __init__(
        self,
        *args: Any,
        mode: str = "incremental",
        date_from: str | None = None,
        date_to: str | None = None,
        recheck: bool | str = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recheck = parse_flag(recheck)
        if mode not in ("incremental", "backfill"):
            raise ValueError(f"unknown mode {mode!r}: use incremental or backfill")
        self.mode = mode
        self.date_from = date.fromisoformat(date_from) if date_from else None
        self.date_to = date.fromisoformat(date_to) if date_to else None
        if mode == "backfill" and not self.can_backfill():
            raise ValueError(f"site {self.name} has no archive sitemaps to backfill from")
        self.site_domains = sorted({_registrable(d) for d in self.domains})  # ndr.de for www.ndr.de
        # entry points may live on another host (e.g. a sitemap on a CDN host): allowed, but never articles
        self.allowed_domains = sorted({*self.site_domains, *(_registrable(h) for h in mirror_hosts(self))})
        self._article_re = re.compile(self.article_url)
        self._listed: set[str] = set()
        self._skip_re = [re.compile(p) for p in [*self.common_skip, *self.skip]]
        self._extract_pool: ExtractPool | None = None  # started with the first article (crawler.offthread)
        self._pool_checked = False
        # the bounded frontier: article requests queued this run (FRONTIER_MAX_URLS), and a backfill's walk of
        # sitemap indexes, one child at a time (SITEMAP_INDEX_CHILDREN a run, resumed by the next run)
        self._queued = 0
        self._pending_children: list[tuple[str, int]] = []  # (url, depth), the next one last
        self._walking = False
        self._children_read = 0
        self._done_children: set[str] | None = None  # read completely by earlier runs of this backfill
        self._complete_children: list[str] = []  # read completely by this run
        self._exchanges: WeakKeyDictionary[Response, dict[str, Any]] = WeakKeyDictionary()  # see exchange()

    # --- hooks ---
    def can_backfill(self) -> bool:
        """Whether a backfill (``--from/--to``) has documents to read: the monthly archive sitemaps."""
        return bool(self.archive_sitemap)

    def page_rejected(self, url: str, reason: str) -> None:
        """Called for a fetched page that is no article (``reason`` from crawler/extract/recognise.py)."""

    def is_article_url(self, url: str) -> bool:
        """Whether a discovered URL is worth fetching as an article."""
        host = (urlsplit(url).hostname or "").lower()
        if not any(host == d or host.endswith("." + d) for d in self.site_domains):
            return False
        if any(p.search(url) for p in self._skip_re):
            return False
        return bool(self._article_re.search(url))

    def build_article(self, response: TextResponse, fields: dict[str, Any]) -> Article:
        """Turn extracted fields and the response into an Article item."""
        return Article(
            url=response.url,
            canonical_url=fields.get("canonical_url") or response.url,
            site=self.name,
            publisher=self.publisher,
            region=self.region,
            language=fields.get("language") or self.language,
            title=fields.get("title"),
            kicker=fields.get("kicker"),
            lead=fields.get("lead"),
            body=fields.get("body") or "",
            authors=list(fields.get("authors") or []),
            published=fields.get("published"),
            modified=fields.get("modified"),
            section=fields.get("section"),
            keywords=list(fields.get("keywords") or []),
            image=fields.get("image"),
            paywalled=bool(fields.get("paywalled")),
            extractor=fields.get("extractor"),
            places=list(fields.get("places") or []),
            place=fields.get("place"),
            crawled_at=datetime.now(UTC).isoformat(timespec="seconds"),
            raw_response={**self.exchange(response), "body": response.body},
        )

    # --- discovery ---
    def entry_points(self) -> Iterator[tuple[str, str]]:
        """(url, kind) of the documents this run starts from."""
        if self.mode == "backfill":
            assert self.archive_sitemap is not None
            start = self.date_from or date(2000, 1, 1)
            if self.archive_since:
                start = max(start, date.fromisoformat(self.archive_since + "-01"))
            end = self.date_to or datetime.now(UTC).date()
            # dict: a yearly template yields each year once
            urls = {self.archive_sitemap.format(year=y, month=m): None for y, m in month_range(start, end)}
            for url in urls:
                yield url, KIND_SITEMAP
            return
        for url in self.feeds:
            yield url, KIND_FEED
        for url in self.news_sitemaps:
            yield url, KIND_SITEMAP
        for url in self.sections:
            yield url, KIND_SECTION
        if not (self.feeds or self.news_sitemaps or self.sections):
            for url in self.sitemaps:
                yield url, KIND_SITEMAP

    async def start(self) -> AsyncIterator[Any]:
        if self.locked_out:
            return  # another run of this site holds its lock (crawler.extensions.SiteLock)
        for url, kind in self.entry_points():
            callback = {KIND_FEED: self.parse_feed, KIND_SITEMAP: self.parse_sitemap}.get(
                kind, self.parse_section
            )
            yield scrapy.Request(
                url, callback=callback, errback=self.entry_failed, cb_kwargs={"depth": 0}, priority=10
            )

    def entry_failed(self, failure: Any) -> None:
        if failure.check(Stopping):
            return  # the crawl is stopping (an interrupt, --max-articles): not a failure of the site
        self.crawler.stats.inc_value("newsarchive/entry_point_errors")
        self.logger.error("entry point failed: %s (%s)", failure.request.url, failure.getErrorMessage())

    def fetch_failed(self, failure: Any) -> None:
        """An article that could not be fetched, after Scrapy's retries: logged with the reason and counted."""
        reason = failure_reason(failure)
        if failure.check(Stopping):
            return  # the crawl is stopping: the article is fetched by the next run
        if failure.check(Refused):
            # counted as newsarchive/rejected/scheme or .../address where it was refused (crawler/netguard.py)
            self.logger.warning("not fetched: %s (%s)", failure.request.url, reason)
            return
        if failure.check(IgnoreRequest) and "robots.txt" in reason:
            self.crawler.stats.inc_value("newsarchive/robots_forbidden")
            return
        self.crawler.stats.inc_value("newsarchive/fetch_errors")
        self.crawler.stats.inc_value(f"newsarchive/fetch_errors/{type(failure.value).__name__}")
        self.logger.error("cannot fetch %s: %s", failure.request.url, reason)

    def _in_range(self, entry: Entry) -> bool:
        if entry.date is None or self.mode != "backfill":
            return True
        day = entry.date.date()
        return not (self.date_from and day < self.date_from) and not (self.date_to and day > self.date_to)

    def is_known(self, url: str) -> bool:
        """Whether the seen-store holds the article at ``url`` (by canonical URL or an alias of it)."""
        return self.seen_entry(url) is not None

    def seen_entry(self, url: str) -> SeenEntry | None:
        """The seen-store's entry of the article at ``url`` (by canonical URL, else through an alias).

        An alias counts only once its article is archived: an alias recorded for an article of a run
        that was killed before its commit does not hide the article from the next run.
        """
        store = state_for(self.crawler)
        key = canonical(url)
        entry = store.get(key)
        if entry is None and (target := store.resolve_alias(key)) is not None:
            entry = store.get(target)
        return entry

    def refetch_reason(self, entry: SeenEntry, now: datetime | None = None) -> str | None:
        """Why a known article is fetched again: ``recheck`` (``crawl --recheck``), ``revisit`` (younger
        than REVISIT_MAX_AGE_HOURS and not fetched for REVISIT_INTERVAL_HOURS), or None (not refetched)."""
        if self.recheck:
            return "recheck"
        max_age = self.settings.getfloat("REVISIT_MAX_AGE_HOURS", defaults.REVISIT_MAX_AGE_HOURS)
        interval = self.settings.getfloat("REVISIT_INTERVAL_HOURS", defaults.REVISIT_INTERVAL_HOURS)
        born = to_datetime(entry.published) or to_datetime(entry.first_seen)
        if max_age <= 0 or born is None:
            return None
        now = now or datetime.now(UTC)
        last = to_datetime(entry.last_fetched) or born
        if now - born < timedelta(hours=max_age) and now - last >= timedelta(hours=interval):
            return "revisit"
        return None

    def refetch_request(self, url: str, entry: SeenEntry, source: str) -> scrapy.Request:
        """A conditional request (If-None-Match / If-Modified-Since from the store) that accepts a 304."""
        headers = {}
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.fetch_failed,
            headers=headers,
            cb_kwargs={"source": source},
            meta={"handle_httpstatus_list": [304], META_KNOWN: entry.canonical_url},
        )

    # --- the bounded frontier (every cap counted as newsarchive/capped/<what>) ---
    def capped(self, what: str, count: int = 1) -> None:
        """Count ``count`` things left out by a cap (``newsarchive/capped/<what>``, named in the summary)."""
        if count > 0:
            self.crawler.stats.inc_value(f"newsarchive/capped/{what}", count)

    def _setting(self, name: str) -> int:
        return self.settings.getint(name, getattr(defaults, name))

    def frontier_full(self) -> bool:
        """Whether this run queued FRONTIER_MAX_URLS article requests of the site already."""
        return self._queued >= self._setting("FRONTIER_MAX_URLS")

    def read_sitemap(self, response: Response) -> Sitemap:
        """The newest FRONTIER_DOCUMENT_URLS entries of a sitemap (streamed; the rest counted, not kept)."""
        sitemap = read_sitemap(response.body, self._setting("FRONTIER_DOCUMENT_URLS"))
        if sitemap.dropped:
            self.capped("document_urls", sitemap.dropped)
            self.logger.warning(
                "%s lists more than %d URLs: the newest read, %d left out (FRONTIER_DOCUMENT_URLS)",
                response.url,
                len(sitemap.entries),
                sitemap.dropped,
            )
        return sitemap

    def newest_entries(self, entries: list[Entry], source: str) -> list[Entry]:
        """The newest FRONTIER_DOCUMENT_URLS of a feed's or page's entries (the rest counted)."""
        kept, dropped = newest(entries, self._setting("FRONTIER_DOCUMENT_URLS"))
        if dropped:
            self.capped("document_urls", dropped)
            self.logger.warning("%s lists more than %d URLs: %d left out", source, len(kept), dropped)
        return kept

    def _article_requests(self, entries: Iterable[Entry], source: str) -> Iterator[scrapy.Request]:
        fresh = [e for e in entries if self._in_range(e)]
        # newest first; undated entries keep their document order after the dated ones
        fresh.sort(key=lambda e: e.date.timestamp() if e.date and e.date.tzinfo else 0.0, reverse=True)
        # stopping early is safe only when the last run of the site finished cleanly (crawler.extensions.SiteLock
        # sets previous_run_clean): a killed run leaves unarchived articles between known ones
        early = self.mode == "incremental" and not self.recheck and self.previous_run_clean
        stop_after = (
            self.settings.getint("INCREMENTAL_STOP_AFTER_KNOWN", defaults.INCREMENTAL_STOP_AFTER_KNOWN)
            if early
            else 0
        )
        known_in_a_row = 0
        max_urls = self._setting("FRONTIER_MAX_URLS")
        for position, entry in enumerate(fresh):
            if self._queued >= max_urls:
                # the site's frontier is full for this run: the rest (the oldest) wait for the next run
                left = sum(1 for e in fresh[position:] if e.url not in self._listed)
                self.capped("urls", left)
                self.logger.warning(
                    "%s: %d URL(s) not queued: %d queued this run already (FRONTIER_MAX_URLS)",
                    source,
                    left,
                    max_urls,
                )
                return
            if entry.url in self._listed:
                continue  # listed by another entry point of this run already
            self._listed.add(entry.url)
            if not self.is_article_url(entry.url):
                self.crawler.stats.inc_value("newsarchive/skipped_urls")
                continue
            seen = self.seen_entry(entry.url)
            if seen is not None and (reason := self.refetch_reason(seen)) is not None:
                # known, but young or rechecked: fetched again, conditionally
                self.crawler.stats.inc_value(f"newsarchive/refetch_{reason}")
                self._queued += 1
                yield self.refetch_request(entry.url, seen, source)
                continue
            if seen is not None:
                # not refetched: the archive holds it already
                self.crawler.stats.inc_value("newsarchive/known")
                known_in_a_row += 1
                if stop_after and known_in_a_row >= stop_after:
                    self.crawler.stats.inc_value("newsarchive/stopped_early")
                    self.logger.info("%s: %d known articles in a row, stopping early", source, known_in_a_row)
                    return
                continue
            known_in_a_row = 0
            self.crawler.stats.inc_value("newsarchive/discovered")
            self._queued += 1
            yield scrapy.Request(
                entry.url,
                callback=self.parse_article,
                errback=self.fetch_failed,
                cb_kwargs={"source": source},
            )

    def _discovery_failed(self, response: Response, exc: Exception) -> None:
        self.crawler.stats.inc_value("newsarchive/discovery_errors")
        self.logger.error("cannot read %s: %s", response.url, exc)

    def parse_feed(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        if self._skip_when_full(response):
            return
        try:
            entries = parse_feed(response.body)
        except DiscoveryError as exc:
            self._discovery_failed(response, exc)
            return
        yield from self._article_requests(self.newest_entries(entries, response.url), response.url)

    def _skip_when_full(self, response: Response) -> bool:
        """A discovery document arriving once the frontier is full is not parsed (counted)."""
        if not self.frontier_full():
            return False
        self.capped("documents")
        self.logger.info("%s not read: the frontier is full for this run (FRONTIER_MAX_URLS)", response.url)
        return True

    def parse_sitemap(
        self, response: Response, depth: int = 0, child: bool = False
    ) -> Iterator[scrapy.Request]:
        if not self._skip_when_full(response):
            try:
                sitemap = self.read_sitemap(response)
            except DiscoveryError as exc:
                self._discovery_failed(response, exc)
            else:
                capped = self.crawler.stats.get_value("newsarchive/capped/urls", 0)
                yield from self.sitemap_requests(response, sitemap.kind, sitemap.entries, depth)
                complete = self.crawler.stats.get_value("newsarchive/capped/urls", 0) == capped
                if child and sitemap.kind == "urlset" and complete:
                    self._complete_children.append(response.url)
        if child:  # a backfill's walk of an index goes on with the next child
            yield from self._next_child()

    def sitemap_requests(
        self, response: Response, kind: str, entries: list[Entry], depth: int
    ) -> Iterator[scrapy.Request]:
        """The requests a parsed sitemap leads to: its articles, or the child sitemaps of an index."""
        if kind == "urlset":
            yield from self._article_requests(entries, response.url)
            return
        if depth >= 3:
            self._discovery_failed(response, DiscoveryError("sitemap indexes nested too deep"))
            return
        children = [
            entry
            for entry in entries
            if entry.url != response.url
            and not any(p.search(entry.url) for p in self._skip_re)
            and self._in_range_sitemap(entry)
        ]
        if self.mode == "backfill":
            yield from self._walk_index(children, depth)
            return
        limit = self._setting("SITEMAP_INDEX_CHILDREN")
        if len(children) > limit:
            self.capped("index_children", len(children) - limit)
            children = children[:limit]  # the newest (read_sitemap's order)
        for entry in children:
            yield scrapy.Request(
                entry.url,
                callback=self.parse_sitemap,
                errback=self.entry_failed,
                cb_kwargs={"depth": depth + 1},
            )

    # --- a backfill walks sitemap indexes lazily: one child at a time, SITEMAP_INDEX_CHILDREN a run ---
    def _resume_key(self) -> str:
        return f"{self.name}/backfill/{self.date_from or ''}..{self.date_to or ''}"

    def _walk_index(self, children: list[Entry], depth: int) -> Iterator[scrapy.Request]:
        if self._done_children is None:
            getter = getattr(state_for(self.crawler), "get_discovery", None)
            found = getter(self._resume_key()) if getter is not None else None
            done = found.get("done") if isinstance(found, dict) else None
            self._done_children = {str(u) for u in done} if isinstance(done, list) else set()
        todo = [e.url for e in children if e.url not in self._done_children]
        if len(todo) < len(children):
            self.crawler.stats.inc_value(
                "newsarchive/backfill/children_done_before", len(children) - len(todo)
            )
        self._pending_children.extend((url, depth + 1) for url in reversed(todo))
        if not self._walking:
            yield from self._next_child()

    def _next_child(self) -> Iterator[scrapy.Request]:
        self._walking = False
        if not self._pending_children:
            return
        if self._children_read >= self._setting("SITEMAP_INDEX_CHILDREN") or self.frontier_full():
            return  # the rest waits for the next run (counted when the spider closes)
        url, depth = self._pending_children.pop()
        self._children_read += 1
        self._walking = True
        yield scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self.child_failed,
            cb_kwargs={"depth": depth, "child": True},
        )

    def child_failed(self, failure: Any) -> Iterator[scrapy.Request]:
        self.entry_failed(failure)
        yield from self._next_child()

    def closed(self, reason: str) -> None:
        """Count what a cap left for the next run; keep a clean backfill run's resume point."""
        self.capped("index_children", len(self._pending_children))
        if self._pending_children:
            self.logger.warning(
                "%d sitemap(s) of the backfill left for the next run (SITEMAP_INDEX_CHILDREN %d a run)",
                len(self._pending_children),
                self._setting("SITEMAP_INDEX_CHILDREN"),
            )
        if reason != "finished" or not self._complete_children:
            return  # a run cut short may not have fetched what it queued: the next run reads those again
        putter = getattr(state_for(self.crawler), "put_discovery", None)
        if putter is not None:
            done = sorted({*(self._done_children or ()), *self._complete_children})
            putter(self._resume_key(), {"done": done}, defaults.BACKFILL_RESUME_TTL)

    def _in_range_sitemap(self, entry: Entry) -> bool:
        # a child sitemap last changed before the backfill range starts holds nothing of that range
        if self.mode != "backfill" or entry.date is None or self.date_from is None:
            return True
        return entry.date.date() >= self.date_from

    def parse_section(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self._discovery_failed(response, DiscoveryError("section page is not text"))
            return
        links = [urljoin(response.url, href) for href in response.css("a::attr(href)").getall()]
        entries = [Entry(u.split("#")[0]) for u in dict.fromkeys(links)]
        yield from self._article_requests(self.newest_entries(entries, response.url), response.url)
        nxt = response.css('a[rel~="next"]::attr(href), link[rel~="next"]::attr(href)').get()
        max_pages = self.settings.getint("SECTION_MAX_PAGES", defaults.SECTION_MAX_PAGES)
        if nxt and depth + 1 < max_pages:
            yield response.follow(
                nxt, callback=self.parse_section, errback=self.entry_failed, cb_kwargs={"depth": depth + 1}
            )

    # --- articles ---
    async def parse_article(self, response: Response, source: str = "") -> AsyncIterator[Article]:
        if response.status == 304:
            self.not_modified(response)
            return
        reason = self.not_an_article(response)
        if reason:
            self.crawler.stats.inc_value(f"newsarchive/rejected/{reason.split(':')[0]}")
            self.logger.warning("not archived: %s (%s)", response.url, reason)
            return
        fields, precomputed = await self.process_page(response)
        if not fields.get("title") and len((fields.get("body") or "").split()) < MIN_UNTITLED_WORDS:
            self.crawler.stats.inc_value("newsarchive/rejected/no article")
            self.logger.warning("not archived: %s (no article: no headline and no text)", response.url)
            return
        if reason := rejection(fields):
            # the page itself says it is no article: a section front, a form, a gallery... (extract/recognise.py)
            self.crawler.stats.inc_value(f"newsarchive/rejected/{reason}")
            self.logger.info("not archived: %s (not an article: %s)", response.url, reason)
            self.page_rejected(response.url, reason)
            return
        # an article extracted badly (a title but no body, say) is archived all the same, with its raw response,
        # so that it can be re-extracted once its site file is fixed
        assert isinstance(response, TextResponse)  # not_an_article() said so
        article = self.build_article(response, fields)
        # hash, signature and WARC records computed beside the parse (the pipelines check they still match)
        with suppress(KeyError):  # an item type of a hook without the field: the pipelines compute them
            article["precomputed"] = precomputed
        yield article

    async def extract_fields(self, response: Response) -> dict[str, Any]:
        """The page's article fields (see process_page)."""
        return (await self.process_page(response))[0]

    async def process_page(self, response: Response) -> PageResult:
        """The page's fields and what is computed from them and the exchange (crawler.offthread.process_page):
        in the extraction worker processes (EXTRACT_WORKERS), else inline."""
        if not self._pool_checked:
            self._pool_checked = True
            self._extract_pool = ExtractPool.for_crawler(self.crawler)
        charset = _header_charset(response)
        exchange = self.exchange(response)
        coverage = site_coverage(self)
        if self._extract_pool is not None:
            try:
                return await self._extract_pool.process(
                    response.body, charset, response.url, self.selectors, exchange, coverage
                )
            except CancelledError:  # the crawl is stopping (crawler/shutdown.py): no worker to wait for
                pass
            except Exception as exc:  # a worker died or the pool stopped: extract here instead
                self.crawler.stats.inc_value("newsarchive/extract_pool_errors")
                self.logger.warning(
                    "extraction worker failed on %s (%s): extracting inline", response.url, exc
                )
        return process_page(response.body, charset, response.url, self.selectors, exchange, coverage)

    def exchange(self, response: Response) -> dict[str, Any]:
        """:func:`exchange_of` ``response``, built once for the worker's WARC records and the item's raw_response
        (the same fetch time in both)."""
        exchange = self._exchanges.get(response)
        if exchange is None:
            exchange = self._exchanges[response] = exchange_of(response)
        return exchange

    def not_an_article(self, response: Response) -> str:
        """Why a fetched page cannot be an article ("" when it may be one)."""
        if not response.body.strip():
            return "empty response"
        if not isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type") or b""
            return f"not an HTML page: {content_type.decode('latin-1') or 'no type'}"
        if looks_binary(response.body):
            return "binary body: not text"
        return ""

    def not_modified(self, response: Response) -> None:
        """A refetch answered 304: nothing to archive; the store notes the fetch (and new validators)."""
        self.crawler.stats.inc_value("newsarchive/not_modified")
        known = response.meta.get(META_KNOWN)
        if not known:
            return

        def header(name: str) -> str | None:
            value = response.headers.get(name)
            return value.decode("latin-1") if value else None

        state_for(self.crawler).touch(
            str(known),
            datetime.now(UTC).isoformat(timespec="seconds"),
            etag=header("ETag"),
            last_modified=header("Last-Modified"),
        )


def exchange_of(response: Response) -> dict[str, Any]:
    """The HTTP exchange of ``response`` for its WARC records: an item's raw_response without the body."""
    request = response.request
    sent = (
        [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in request.headers.items() for v in vs]
        if request is not None
        else []
    )
    # Proxy-Authorization, Authorization and Cookie never leave the crawl: the WARC request record names them
    kept, removed = strip_credentials(sent)
    return {
        "url": response.url,
        "status": response.status,
        "headers": [
            [k.decode("latin-1"), v.decode("latin-1")] for k, vs in response.headers.items() for v in vs
        ],
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "request_headers": [list(pair) for pair in kept],
        **({"removed_headers": removed} if removed else {}),
    }


def _header_charset(response: Response) -> str | None:
    """The charset the Content-Type header declares, if any."""
    content_type = response.headers.get("Content-Type")
    return http_content_type_encoding(content_type.decode("latin-1")) if content_type else None


def failure_reason(failure: Any) -> str:
    """A one-line reason for a failed download, also for Twisted's nested ResponseFailed errors."""
    value = failure.value
    inner = getattr(value, "reasons", None)
    if inner:
        parts = [
            f"{type(r.value).__name__}: {r.getErrorMessage()}" if hasattr(r, "value") else str(r)
            for r in inner
        ]
        return f"{type(value).__name__} ({'; '.join(parts)})"
    return str(failure.getErrorMessage() or type(value).__name__)


def _registrable(host: str) -> str:
    """``www.ndr.de`` -> ``ndr.de``, by the public suffix list (pipelines.text.registrable_host)."""
    return registrable_host(f"https://{host}/")
