"""Downloader middlewares of newsarchive."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, cast

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor, task
from w3lib.encoding import html_to_unicode
from w3lib.html import get_base_url, get_meta_refresh

from crawler import defaults
from crawler.discovery import cut_robots

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.interfaces import IReactorTime

log = logging.getLogger(__name__)

#: Scrapy's MetaRefreshMiddleware looks at the first 4,096 characters of a page ...
META_REFRESH_CHARS = 4096
#: ... which the first 16 KiB of its bytes hold (HeadMetaRefreshMiddleware)
META_REFRESH_HEAD_BYTES = 4 * META_REFRESH_CHARS


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Honour Retry-After on 429 and 503: wait that long (at most RETRY_AFTER_MAX seconds) before Scrapy's
    RetryMiddleware retries the request. A longer wait is not honoured: the response goes on as a failure."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX", defaults.RETRY_AFTER_MAX)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response
        stats = self.crawler.stats
        assert stats is not None
        if wait > self.max_wait:
            stats.inc_value("newsarchive/retry_after_too_long")
            log.warning(
                "%s asks to retry after %.0f s (more than RETRY_AFTER_MAX): not waiting", request.url, wait
            )
            return response
        stats.inc_value("newsarchive/retry_after")
        log.info(
            "%s answered %d, Retry-After %.1f s: waiting before the retry", request.url, response.status, wait
        )
        clock = cast("IReactorTime", reactor)
        await maybe_deferred_to_future(task.deferLater(clock, wait, lambda: None))
        return response


class CappedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, reading at most ROBOTSTXT_MAX_BYTES of each robots.txt: a 16 MiB one is
    cut (counted as newsarchive/capped/robots_txt) before the parser sees it, so it costs neither memory nor a
    blocked event loop."""

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        limit = self.crawler.settings.getint("ROBOTSTXT_MAX_BYTES", defaults.ROBOTSTXT_MAX_BYTES)
        if len(response.body) > limit:
            self._stats.inc_value("newsarchive/capped/robots_txt")
            log.warning(
                "robots.txt of %s has %d bytes: the first %d read (ROBOTSTXT_MAX_BYTES)",
                netloc,
                len(response.body),
                limit,
            )
            response = response.replace(body=cut_robots(response.body, limit))
        await super()._parse_robots(response, netloc, request)


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware reading only the page's first ``METAREFRESH_HEAD_BYTES`` bytes.

    Scrapy's looks for ``<meta http-equiv="refresh">`` in the first 4,096 characters of ``response.text``, which
    decodes the whole body first: about a tenth of the CPU of a bare fetch, for text nothing else in the crawl
    process reads (the extraction workers parse the bytes). This one decodes the head alone (its encoding from
    the Content-Type header, a BOM or a ``<meta charset>``, as w3lib finds it) and looks at the same 4,096
    characters: a UTF-8 character has at most 4 bytes, so 16 KiB hold them.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if (
            request.meta.get("dont_redirect", False)
            or request.method == "HEAD"
            or not isinstance(response, HtmlResponse)
            or urlparse_cached(request).scheme not in {"http", "https"}
        ):
            return response
        content_type = response.headers.get(b"Content-Type")
        encoding, text = html_to_unicode(
            content_type.decode("latin-1") if content_type else None, response.body[:META_REFRESH_HEAD_BYTES]
        )
        text = text[:META_REFRESH_CHARS]
        base_url = get_base_url(text, response.url, encoding)
        interval, url = get_meta_refresh(text, base_url, encoding, ignore_tags=self._ignore_tags)
        if not url:
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if urlparse_cached(redirected).scheme not in {"http", "https"}:
            return response
        if cast("float", interval) < self._maxdelay:
            return self._redirect(redirected, request, "meta refresh")
        return response
