"""``newsarchive reextract``: replay archived raw responses through the current extractors.

A run of the site's own spider class (so its current ``selectors`` and ``build_article`` hook apply, and its run
lock keeps a crawl of the same site out) whose ``start()`` yields, instead of requests, one item per latest
archived record of the site, extracted again from the record's raw WARC response. The items go through the
normal pipelines: normalise, dedup (a changed text is a new revision, an unchanged one is dropped), clusters,
archive (parts, manifest, seen-store). A new record points at the original raw response (no WARC is written
again), keeps the original ``crawled_at`` and has ``extractor.reextracted_at``.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

from crawler.commands import add_locations, archive_uri, iso_date
from crawler.runner import EXIT_ARCHIVE_ERROR, EXIT_LOCKED, EXIT_OK, UsageError, parse_overrides

STAT = "newsarchive/reextract"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "reextract",
        help="extract archived articles again from their raw responses (after a site file was fixed)",
        description="Replay the archived raw HTTP responses of a site's articles (the latest revision of each) "
        "through the current extractors and site selectors. Articles whose title or body change are archived "
        "as a new revision (extractor version recorded); unchanged ones are left alone.",
    )
    p.add_argument(
        "--site",
        required=True,
        metavar="SITE",
        help="the site whose articles to extract again: a site name, or the front-page URL of a site crawled by URL",
    )
    add_locations(p)
    p.add_argument(
        "--from",
        dest="date_from",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="only articles fetched (crawled_at, UTC) on or after this day, e.g. the day the layout changed",
    )
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.set_defaults(func=run)


def raw_exchange(warc_gz: bytes) -> tuple[bytes, dict[str, str]] | None:
    """Body and HTTP headers of the response record in a one-record WARC.gz (None if there is none)."""
    from warcio.archiveiterator import ArchiveIterator

    for record in ArchiveIterator(io.BytesIO(warc_gz)):
        if record.rec_type == "response":
            headers = {k: v for k, v in (record.http_headers.headers if record.http_headers else [])}
            body: bytes = record.content_stream().read()
            return body, headers
    return None


def crawled_day(record: dict[str, Any]) -> date | None:
    try:
        value = datetime.fromisoformat(str(record.get("crawled_at")))
    except ValueError:
        return None
    return (value.astimezone(UTC) if value.tzinfo else value).date()


def reextract_spider(base: type[Any]) -> type[Any]:
    """The site's spider class with a ``start()`` that yields re-extracted articles."""
    from scrapy.http import HtmlResponse

    from crawler.extract import decode_html, extract
    from crawler.places.coverage import site_coverage
    from crawler.spiders.base import MIN_UNTITLED_WORDS, _header_charset
    from pipelines.archive.reader import ArchiveError, open_archive
    from pipelines.state import state_for
    from pipelines.storage import StorageError

    class Reextract(base):  # type: ignore[misc,valid-type]
        reextract_from: date | None = None
        snapshots: dict[str, Any] = {}

        def article_from_record(self, record: dict[str, Any], reader: Any, now: str) -> Any:
            """The item re-extracted from the record's raw response, or None."""
            stats = self.crawler.stats
            try:
                exchange = raw_exchange(reader.read_raw(record))
            except (KeyError, ValueError, StorageError, ArchiveError, OSError) as exc:
                stats.inc_value(f"{STAT}/unreadable")
                self.logger.error("cannot read the raw response of %s: %s", record.get("url"), exc)
                return None
            if exchange is None:
                stats.inc_value(f"{STAT}/unreadable")
                return None
            body, headers = exchange
            url = str(record.get("url") or "")
            response = HtmlResponse(url, body=body, headers={"Content-Type": headers.get("Content-Type", "")})
            fields = extract(
                decode_html(body, _header_charset(response)), url, self.selectors, site_coverage(self)
            )
            if not fields.get("title") and len((fields.get("body") or "").split()) < MIN_UNTITLED_WORDS:
                stats.inc_value(f"{STAT}/no_article")
                self.logger.warning("no article in the raw response of %s any more: left as it is", url)
                return None
            item = self.build_article(response, fields)
            item.pop("raw_response", None)  # the raw response is archived already: the record points at it
            item["canonical_url"] = record.get("canonical_url") or url
            item["aliases"] = list(record.get("aliases") or [])
            item["crawled_at"] = record.get("crawled_at")
            item["raw"] = record.get("raw")
            if isinstance(item.get("extractor"), dict):
                item["extractor"] = {**item["extractor"], "reextracted_at": now}
            return item

        async def start(self) -> AsyncIterator[Any]:
            if self.locked_out:
                return
            stats = self.crawler.stats
            reader = open_archive(self.settings.get("ARCHIVE_URI"), self.settings)
            store = state_for(self.crawler)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            for record in reader.records(site=self.name, latest=True):
                if (
                    self.reextract_from is not None
                    and (crawled_day(record) or date.min) < self.reextract_from
                ):
                    continue
                stats.inc_value(f"{STAT}/records")
                if not record.get("raw"):
                    stats.inc_value(f"{STAT}/no_raw")
                    continue
                canonical = str(record.get("canonical_url") or "")
                if (entry := store.get(canonical)) is not None:
                    self.snapshots[canonical] = entry
                item = self.article_from_record(record, reader, now)
                if item is not None:
                    yield item

    Reextract.__name__ = Reextract.__qualname__ = f"Reextract_{base.__name__}"
    return Reextract


def restore_fetch_state(uri: str, snapshots: dict[str, Any]) -> None:
    """Put back what the store knew about the last fetch of each article (time, ETag, Last-Modified):
    a re-extraction fetches nothing, so the revisit policy and conditional requests go on as before."""
    from pipelines.state import open_state

    store = open_state(uri)
    try:
        for canonical, entry in snapshots.items():
            fetched = entry.last_fetched or entry.first_seen
            if fetched:
                store.touch(canonical, fetched, etag=entry.etag, last_modified=entry.last_modified)
    finally:
        store.close()


def run(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import CrawlOptions, build_settings, check_locations
    from crawler.sites import SitesError, UnknownSites, resolve_sites
    from pipelines.state import state_uri

    opts = CrawlOptions(
        sites=[args.site],
        archive_uri=archive_uri(args),
        state_uri=args.state,
        overrides=parse_overrides(args.set or []),
        extra_settings={"HEALTH_ENABLED": False, "LOG_LEVEL": "WARNING"},
    )
    settings = build_settings(opts)
    try:  # a built-in site, a sites-file entry, or a site given by its front-page URL
        classes = resolve_sites([args.site], settings)
    except (SitesError, UnknownSites) as exc:
        raise UsageError(str(exc)) from exc
    site_cls = next(iter(classes.values()))
    args.site = site_cls.name
    check_locations(settings)
    process = CrawlerProcess(settings)
    spidercls = reextract_spider(site_cls)
    crawler = process.create_crawler(spidercls)
    snapshots: dict[str, Any] = {}
    process.crawl(
        crawler,
        reextract_from=date.fromisoformat(args.date_from) if args.date_from else None,
        snapshots=snapshots,
    )
    process.start()
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    restore_fetch_state(state_uri(settings), snapshots)

    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    if stats.get("newsarchive/locked_by"):
        print(
            f"site {args.site} is being crawled by another run ({stats['newsarchive/locked_by']})",
            file=sys.stderr,
        )
        return EXIT_LOCKED
    print(
        f"reextract {args.site}: {n(f'{STAT}/records')} record(s) read, {n('newsarchive/revised')} new revision(s), "
        f"{n('newsarchive/unchanged')} unchanged, {n('newsarchive/duplicate')} duplicate(s), "
        f"{n(f'{STAT}/no_raw')} without raw response, {n(f'{STAT}/no_article')} no longer an article, "
        f"{n(f'{STAT}/unreadable')} unreadable; {n('newsarchive/archived')} record(s) archived"
    )
    return EXIT_ARCHIVE_ERROR if n("newsarchive/archive_errors") else EXIT_OK
