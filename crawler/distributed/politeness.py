"""Per-site politeness shared by every worker: one concurrency limit and one minimum delay per host.

Each worker's Scrapy slot limits only that worker, so three workers would hit a site with three times
CONCURRENT_REQUESTS_PER_DOMAIN. This downloader middleware, last before the download, takes a slot of the
host's Redis semaphore first: a sorted set ``<prefix>:polite:<host>:slots`` of leases (member = request
token, score = expiry in Redis server time). A Lua script grants a slot only while fewer than
CONCURRENT_REQUESTS_PER_DOMAIN leases are live and at least the site's delay has passed since the last grant
to any worker; the delay is the largest of DOWNLOAD_DELAY, this worker's slot delay (AutoThrottle's current
value) and the delay another worker published for the host. The slot is released when the response (or the
error) comes back; a dead worker's slots expire after DISTRIBUTED_SLOT_TTL. Within a worker, one request per
host polls Redis at a time, the others wait their turn in order.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, reactor, task

from crawler.distributed import DEFAULTS
from pipelines.state.redis import connect

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

META_SLOT = "newsarchive_polite_slot"
POLL_SECONDS = 0.02

# KEYS: slots zset, last-grant key, shared delay key; ARGV: token, limit, lease ms, min delay ms.
# Returns 0 when granted, else a hint of how many ms to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 20 end
local delay = tonumber(ARGV[4])
local shared = tonumber(redis.call('GET', KEYS[3]) or '0')
if shared > delay then delay = shared end
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if now - last < delay then return delay - (now - last) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
redis.call('SET', KEYS[2], now, 'PX', delay + 1000)
return 0
"""


class SharedPoliteness:
    """Downloader middleware: take the host's shared slot before a download, give it back after."""

    def __init__(self, crawler: Crawler, uri: str) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db, prefix = connect(uri)
        self.prefix = f"{prefix}:polite"
        self.limit = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8))
        self.base_delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
        lease = settings.getfloat("DISTRIBUTED_SLOT_TTL", DEFAULTS["DISTRIBUTED_SLOT_TTL"])
        self.lease_ms = int(1000 * (lease or settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 30))
        self.acquire_script = self.db.register_script(_ACQUIRE)
        self.tokens = itertools.count(1)
        self.worker = f"{id(self):x}"
        self.turns: dict[str, defer.DeferredLock] = {}
        self.published: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        uri = crawler.settings.get("DISTRIBUTED_URL")
        if not uri or not crawler.settings.getbool("DISTRIBUTED_POLITENESS", True):
            raise NotConfigured
        return cls(crawler, str(uri))

    def _keys(self, host: str) -> list[str]:
        base = f"{self.prefix}:{host}"
        return [f"{base}:slots", f"{base}:last", f"{base}:delay"]

    def _delay_ms(self, request: Request) -> int:
        """This worker's idea of the site's delay: DOWNLOAD_DELAY or AutoThrottle's current slot delay."""
        delay = self.base_delay
        engine = self.crawler.engine
        if engine is not None:
            key = engine.downloader.get_slot_key(request)
            slot = engine.downloader.slots.get(key)
            if slot is not None:
                delay = max(delay, float(slot.delay))
        return int(delay * 1000)

    async def process_request(self, request: Request) -> None:
        host = (urlsplit(request.url).hostname or "").lower()
        token = f"{self.worker}:{next(self.tokens)}"
        keys = self._keys(host)
        turn = self.turns.setdefault(host, defer.DeferredLock())
        await maybe_deferred_to_future(turn.acquire())
        try:
            while True:
                wait = int(
                    self.acquire_script(
                        keys=keys, args=[token, self.limit, self.lease_ms, self._delay_ms(request)]
                    )
                )
                if wait == 0:
                    break
                await maybe_deferred_to_future(
                    task.deferLater(reactor, max(POLL_SECONDS, min(wait / 1000, 1.0)))  # type: ignore[arg-type]
                )
        finally:
            turn.release()
        request.meta[META_SLOT] = (host, token)

    def _release(self, request: Request) -> None:
        held = request.meta.pop(META_SLOT, None)
        if held is None:
            return
        host, token = held
        keys = self._keys(host)
        pipe = self.db.pipeline(transaction=False)
        pipe.zrem(keys[0], token)
        delay = self._delay_ms(request)
        if delay != self.published.get(host):  # AutoThrottle moved this worker's delay: share it
            self.published[host] = delay
            pipe.set(keys[2], delay, px=60_000)
        pipe.execute()

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Any:
        self._release(request)
        return None
