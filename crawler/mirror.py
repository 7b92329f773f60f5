"""Send a site's requests to a local mirror while records keep the site's real URLs.

With ``MIRROR_URL = "http://127.0.0.1:8800"`` every request for one of the running spider's hosts goes to that
server instead: same path and query, plain http, the real host in the ``Host`` header. The response is handed
back under the real URL, so discovery, robots.txt, redirects and the archive all see the real site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def mirror_hosts(spider: object) -> set[str]:
    """The hosts a spider crawls: its domains and the hosts of its entry points."""
    hosts = {str(d).lower() for d in getattr(spider, "domains", [])}
    for attr in ("feeds", "news_sitemaps", "sitemaps", "sections"):
        for url in getattr(spider, attr, []):
            hosts.add((urlsplit(url).hostname or "").lower())
    template = getattr(spider, "archive_sitemap", None)
    if template:
        hosts.add((urlsplit(template).hostname or "").lower())
    hosts.discard("")
    return hosts


def mirrored_url(url: str, mirror: str) -> str:
    """``https://www.ndr.de/a/b?x=1`` -> ``http://127.0.0.1:8800/a/b?x=1``."""
    target = urlsplit(mirror)
    parts = urlsplit(url)
    return urlunsplit((target.scheme or "http", target.netloc, parts.path or "/", parts.query, ""))


class MirrorDownloadHandler(BaseDownloadHandler):
    """HTTP(S) download handler that redirects a site's hosts to ``MIRROR_URL`` when it is set."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.inner = HTTP11DownloadHandler(crawler)
        self.mirror = str(crawler.settings.get("MIRROR_URL") or "")
        self._hosts: set[str] | None = None

    def _mirrored(self, host: str) -> bool:
        if self._hosts is None:
            spider = getattr(self.crawler, "spider", None)
            self._hosts = mirror_hosts(spider) if spider is not None else set()
        # a site given by URL may read sitemaps on hosts its robots.txt names (crawler/spiders/discover.py)
        extra = getattr(getattr(self.crawler, "spider", None), "sitemap_hosts", ())
        return host in self._hosts or host in extra or any(host.endswith("." + h) for h in self._hosts)

    async def download_request(self, request: Request) -> Response:
        host = (urlsplit(request.url).hostname or "").lower()
        if not self.mirror or not self._mirrored(host):
            return await self.inner.download_request(request)
        netloc = urlsplit(request.url).netloc
        local = request.replace(url=mirrored_url(request.url, self.mirror))
        local.headers[b"Host"] = netloc.encode("ascii", "ignore")
        response = await self.inner.download_request(local)
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        await self.inner.close()
