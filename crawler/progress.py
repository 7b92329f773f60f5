"""Live progress on a terminal and the per-site summary at the end of a crawl."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.extract.recognise import REASONS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


@dataclass
class SiteCounts:
    """The figures the progress line and the summary show for one site."""

    site: str
    pages: int = 0
    archived: int = 0
    revised: int = 0
    duplicates: int = 0
    unchanged: int = 0
    known: int = 0
    errors: int = 0
    archive_errors: int = 0
    failed: bool = False
    locked_by: str = ""
    health: dict[str, Any] | None = None  # the run's extraction health (crawler/health.py), if any
    drift: str = ""  # comma-separated fields whose health drifted ("" when none)
    refused: int = 0  # requests refused by the address rule (crawler/netguard.py)

    @classmethod
    def from_stats(cls, site: str, stats: dict[str, Any]) -> SiteCounts:
        def n(key: str) -> int:
            return int(stats.get(key, 0) or 0)

        found = n("newsarchive/discovered") + n("item_scraped_count") + n("item_dropped_count")
        return cls(
            site=site,
            pages=n("downloader/response_count"),
            archived=n("newsarchive/archived"),
            revised=n("newsarchive/revised"),
            duplicates=n("newsarchive/duplicate"),
            unchanged=n("newsarchive/unchanged"),
            known=n("newsarchive/known"),
            errors=errors(stats),
            archive_errors=n("newsarchive/archive_errors"),
            locked_by=str(stats.get("newsarchive/locked_by") or ""),
            health=health if isinstance(health := stats.get("newsarchive/health"), dict) else None,
            drift=str(stats.get("newsarchive/drift") or ""),
            refused=n("newsarchive/rejected/address"),
            failed=found == 0 and n("newsarchive/entry_point_errors") + n("newsarchive/discovery_errors") > 0,
        )


ERROR_STATS = (
    "newsarchive/fetch_errors",
    "newsarchive/entry_point_errors",
    "newsarchive/discovery_errors",
    "newsarchive/archive_errors",
    "spider_exceptions/count",
)
ERROR_PREFIXES = ("newsarchive/rejected/", "robotstxt/exception_count/")


def errors(stats: dict[str, Any]) -> int:
    """A site's errors in one crawl: resources that failed for good or were rejected (stats are per site;
    Scrapy's log_count/ERROR is not, when several sites crawl in one process)."""
    # pages the recogniser found to be no article (a section front, a form) are counted, not errors
    prefixed = sum(
        int(v or 0)
        for k, v in stats.items()
        if k.startswith(ERROR_PREFIXES) and k.rsplit("/", 1)[-1] not in REASONS
    )
    return prefixed + sum(int(stats.get(key, 0) or 0) for key in ERROR_STATS)


def summary_table(rows: list[SiteCounts]) -> str:
    """A plain-text table, one line per site, and a total.

    duplicates: the same article under another URL; unchanged: refetched, same content; known: already
    archived, not fetched again.
    """
    head = ("site", "pages", "archived", "revised", "duplicates", "unchanged", "known", "errors")
    lines: list[tuple[str, ...]] = [head]
    for r in rows:
        state = " (locked)" if r.locked_by else " (failed)" if r.failed else ""
        lines.append(
            (
                r.site + state,
                *map(str, (r.pages, r.archived, r.revised, r.duplicates, r.unchanged, r.known, r.errors)),
            )
        )
    fields = ("pages", "archived", "revised", "duplicates", "unchanged", "known")
    total = [sum(getattr(r, f) for r in rows) for f in fields]
    lines.append(("total", *map(str, total), str(sum(r.errors for r in rows))))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for i, line in enumerate(lines):
        cells = [line[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True))]
        out.append("  ".join(cells))
        if i == 0 or i == len(lines) - 2:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


class ProgressExtension:
    """Rewrites one status line on stderr once a second while crawls run (only when NEWSARCHIVE_PROGRESS)."""

    crawlers: ClassVar[list[Crawler]] = []
    _loop: ClassVar[task.LoopingCall | None] = None
    _started: ClassVar[float] = 0.0
    stream: ClassVar[TextIO] = sys.stderr

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        if not crawler.settings.getbool("NEWSARCHIVE_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        cls.crawlers.append(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def engine_started(self) -> None:
        cls = type(self)
        if cls._loop is None:
            cls._started = time.monotonic()
            cls._loop = task.LoopingCall(cls.render)
            cls._loop.start(1.0, now=False)

    def spider_closed(self) -> None:
        if all(c is self.crawler or c.engine is None or not c.crawling for c in type(self).crawlers):
            type(self).finish()

    @classmethod
    def finish(cls) -> None:
        """Stop the status line and clear it (the summary follows)."""
        if cls._loop is not None:
            if cls._loop.running:
                cls._loop.stop()
            cls._loop = None
            cls.stream.write("\r\x1b[K")
            cls.stream.flush()

    @classmethod
    def render(cls) -> None:
        stats: list[StatsCollector] = [c.stats for c in cls.crawlers if c.stats is not None]
        rows = [SiteCounts.from_stats("", s.get_stats()) for s in stats]
        pages = sum(r.pages for r in rows)
        elapsed = max(time.monotonic() - cls._started, 1e-6)
        archived = sum(r.archived for r in rows)
        duplicates = sum(r.duplicates + r.unchanged for r in rows)
        errors = sum(r.errors for r in rows)
        line = (
            f"pages {pages}  archived {archived}  duplicates {duplicates}  errors {errors}  "
            f"{pages / elapsed:.1f} pages/s  ({len(rows)} sites)"
        )
        cls.stream.write("\r\x1b[K" + line)
        cls.stream.flush()
