"""Send a site's requests to a local mirror while records keep the site's real URLs.

With ``MIRROR_URL = "http://127.0.0.1:8800"`` every request for one of the running spider's hosts goes to that
server instead: same path and query, plain http, the real host in the ``Host`` header. The response is handed
back under the real URL, so discovery, robots.txt, redirects and the archive all see the real site. A request
for any other host is refused without a DNS lookup (a mirrored run never leaves the mirror).

The handler also enforces the address rule of crawler/netguard.py for every http(s) request: an IP-literal host
that is loopback, private, link-local, ... is refused before connecting, and a host whose every resolved address
was refused (by the resolver) fails with AddressRefused; both are counted as ``newsarchive/rejected/address``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from crawler.netguard import (
    STAT_ADDRESS,
    AddressPolicy,
    AddressRefused,
    check_host,
    ip_literal,
    refused_message,
)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred


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
        self.policy = AddressPolicy.from_settings(crawler.settings)
        self._hosts: set[str] | None = None

    def _mirrored(self, host: str) -> bool:
        if self._hosts is None:
            spider = getattr(self.crawler, "spider", None)
            self._hosts = mirror_hosts(spider) if spider is not None else set()
        # a site given by URL may read sitemaps on hosts its robots.txt names (crawler/spiders/discover.py)
        extra = getattr(getattr(self.crawler, "spider", None), "sitemap_hosts", ())
        return host in self._hosts or host in extra or any(host.endswith("." + h) for h in self._hosts)

    def _refuse(self, exc: AddressRefused) -> AddressRefused:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(STAT_ADDRESS)
        return exc

    async def download_request(self, request: Request) -> Response:
        host = (urlsplit(request.url).hostname or "").lower()
        if self.mirror and not self._mirrored(host):
            raise self._refuse(
                AddressRefused(f"{host} is not mirrored: refused under --mirror (no DNS lookup)")
            )
        if not self.mirror:
            try:
                check_host(host, self.policy)
            except AddressRefused as exc:
                raise self._refuse(exc) from None
            if request.meta.get("proxy") and ip_literal(host) is None:
                await self._check_before_proxy(host)
            try:
                return await self.inner.download_request(request)
            except Exception as exc:
                message = refused_message(host)
                if message is None:
                    raise
                raise self._refuse(AddressRefused(message)) from exc
        netloc = urlsplit(request.url).netloc
        local = request.replace(url=mirrored_url(request.url, self.mirror))
        local.headers[b"Host"] = netloc.encode("ascii", "ignore")
        response = await self.inner.download_request(local)
        return response.replace(url=request.url, request=request)

    async def _check_before_proxy(self, host: str) -> None:
        """Through a proxy, the proxy resolves the name: resolve it here first (through the guarded resolver) and
        refuse it when every address is refused. When this host cannot resolve the name, the proxy decides."""
        from twisted.internet import reactor

        try:
            await maybe_deferred_to_future(cast("Any", reactor).resolve(host))
        except DNSLookupError:
            message = refused_message(host)
            if message is not None:
                raise self._refuse(AddressRefused(f"{message}; checked before the proxy")) from None

    async def close(self) -> None:
        """Close the connection pool, waiting at most the handler's disconnect timeout.

        Scrapy's own close() calls the pool's deferred back from a timer unconditionally; on a loaded machine the
        pool can finish in the same loop turn as the timer fires, and Twisted then logs an AlreadyCalledError
        traceback at shutdown. This is the same close, with a timer that calls back only a deferred still waiting.
        """
        from twisted.internet import reactor

        pool: Any = self.inner._pool  # twisted's HTTPConnectionPool (untyped)
        done: Deferred[None] = pool.closeCachedConnections()

        def give_up() -> None:
            if not done.called:
                done.callback(None)

        timer = cast("ReactorBase", reactor).callLater(self.inner._disconnect_timeout, give_up)
        try:
            await maybe_deferred_to_future(done)
        finally:
            if timer.active():
                timer.cancel()
