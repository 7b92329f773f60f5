"""The shared frontier: scrapy-redis's scheduler, dupefilter and priority queue, with leases.

Keys under ``<prefix>:<spider>:`` in Redis: ``requests`` (sorted set, the queue), ``dupefilter`` (set of
request fingerprints of the current run), ``workers`` (set of worker ids), ``worker:<id>`` (heartbeat with a
TTL, JSON ``{"busy": bool}``), ``inflight:<id>`` (hash lease -> "score\\n" + request: what the worker has
popped and not yet acknowledged), ``run`` (id of the current run).

Life of a request: a worker pops it atomically into its ``inflight`` hash (a lease). When the engine is done
with it (downloaded, callback run, its requests queued, its items through the pipelines) the lease is
acknowledged, unless the response produced items the archive has not committed yet: then it is acknowledged
once the seen-store holds them (the archive marks articles seen only after their part is committed). A
worker whose heartbeat expires is dead: any live worker moves its leases back into the queue (after marking
seen the commits it finished), so its requests, and the uncommitted articles they produced, are crawled again.
A closing worker puts its own unacknowledged leases back.

Fixes of scrapy-redis 0.9.1 on Scrapy 2.19: no blocking pop (BRPOP/idle_before_close would stall the
reactor); the close decision is run-wide (queue empty, no live worker busy, no dead worker's leases, for
DISTRIBUTED_IDLE_GRACE seconds, or DISTRIBUTED_IDLE_TIMEOUT at most) and taken by our own timer; the queue
and the dupefilter survive a worker's close; start requests go through the dupefilter even when they are
``dont_filter``, so every worker may yield the entry points and they are fetched once per run; stats calls
without the deprecated spider argument. The dupefilter is cleared when a run starts (a worker joins with no
other worker alive), so the next scheduled run reads the entry points again.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from typing import TYPE_CHECKING, Any, Self

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from crawler.distributed import DEFAULTS
from pipelines.state import ClaimingStore, state_for
from pipelines.text import as_str

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: request meta key: the lease a popped request is held under
META_LEASE = "newsarchive_lease"
#: queue entries that did not decode (not JSON, not a request of ours), dropped
STAT_BAD_ENTRY = "newsarchive/rejected/queue_entry"

# KEYS: queue, inflight hash; ARGV: lease id. Moves the first request into the worker's leases.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], ARGV[1], r[2] .. '\\n' .. r[1])
return r[1]
"""

# KEYS: queue, inflight hash; ARGV: lease ids (none: all). Puts leases back into the queue.
_REQUEUE = """
local fields = ARGV
if #fields == 0 then fields = redis.call('HKEYS', KEYS[2]) end
local n = 0
for _, f in ipairs(fields) do
  local v = redis.call('HGET', KEYS[2], f)
  if v then
    local sep = string.find(v, '\\n', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, sep - 1)), string.sub(v, sep + 1))
    redis.call('HDEL', KEYS[2], f)
    n = n + 1
  end
end
return n
"""

# KEYS: workers, dupefilter, run; ARGV: worker id, heartbeat key prefix, new run id, heartbeat, ttl ms.
# Joins the run; with no live worker a new run starts and the dupefilter is cleared.
_JOIN = """
local live = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if w ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. w) == 1 then live = live + 1 end
end
local run = redis.call('GET', KEYS[3])
if live == 0 or not run then
  redis.call('DEL', KEYS[2])
  redis.call('SET', KEYS[3], ARGV[3])
  run = ARGV[3]
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', ARGV[2] .. ARGV[1], ARGV[4], 'PX', ARGV[5])
return run
"""


class DupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's request dupefilter; its set is shared and lives until the next run starts."""

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: other workers of the run still use them."""


class LeaseQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue whose pop leases the request to the worker (see the module docstring)."""

    inflight_key = ""
    _pop_script: Any = None
    _requeue_script: Any = None
    _next_lease = 0

    def bind(self, inflight_key: str) -> None:
        self.inflight_key = inflight_key
        self._pop_script = self.server.register_script(_POP)
        self._requeue_script = self.server.register_script(_REQUEUE)

    def pop(self, timeout: int = 0) -> Request | None:
        while True:
            self._next_lease += 1
            lease = str(self._next_lease)
            data = self._pop_script(keys=[self.key, self.inflight_key], args=[lease])
            if data is None:
                return None
            try:
                request: Request = self._decode_request(data)
            except Exception as exc:
                # nothing of the entry ran: it is JSON (crawler/distributed/codec.py), never unpickled
                logger.warning("dropping a queued entry that is not a request of ours: %s", str(exc)[:200])
                stats = getattr(getattr(self.spider, "crawler", None), "stats", None)
                if stats is not None:
                    stats.inc_value(STAT_BAD_ENTRY)
                self.server.hdel(self.inflight_key, lease)
                continue
            request.meta[META_LEASE] = lease
            return request

    def requeue(self, inflight_key: str, leases: list[str] | None = None) -> int:
        """Put leases of ``inflight_key`` (all when None) back into the queue; how many."""
        return int(self._requeue_script(keys=[self.key, inflight_key], args=leases or []))


class Scheduler(RedisScheduler):  # type: ignore[misc]
    """scrapy-redis's Scheduler with leases, heartbeats, a run-wide idle close and the 0.9.1 fixes."""

    crawler: Crawler
    queue: LeaseQueue
    queue_key: str

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        instance: Self = cls.from_settings(crawler.settings)
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.setup(crawler)
        return instance

    def setup(self, crawler: Crawler) -> None:
        s = crawler.settings

        def setting(name: str) -> float:
            return s.getfloat(name, DEFAULTS[name])

        self.interval = setting("DISTRIBUTED_HEARTBEAT_INTERVAL")
        self.ttl = setting("DISTRIBUTED_HEARTBEAT_TTL")
        self.grace = setting("DISTRIBUTED_IDLE_GRACE")
        self.idle_timeout = setting("DISTRIBUTED_IDLE_TIMEOUT")
        self.worker = s.get("DISTRIBUTED_WORKER_ID") or (
            f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        )
        self.leases: dict[str, Request] = {}  # popped, the engine still at work on them
        self.items: dict[str, list[tuple[str, str]]] = {}  # lease -> (canonical_url, content_hash) scraped
        self.uncommitted: dict[str, list[tuple[str, str]]] = {}  # done leases waiting for their commit
        self.acked = 0
        self.requeued = 0
        self.idle_since: float | None = None
        self.waiting_since: float | None = None
        self.closing = False
        self.commits_seen: Any = None
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    # --- keys ---
    def _key(self, name: str) -> str:
        base: str = self.queue_key.rsplit(":", 1)[0]
        return f"{base}:{name}"  # beside "<prefix>:<spider>:requests"

    def _hb_prefix(self) -> str:
        return self._key("worker:")

    def _inflight(self, worker: str) -> str:
        return self._key(f"inflight:{worker}")

    # --- scheduler interface ---
    def open(self, spider: Spider) -> None:
        self.queue_key = self.queue_key % {"spider": spider.name}
        super().open(spider)
        self.queue.bind(self._inflight(self.worker))
        store = state_for(self.crawler)
        if isinstance(store, ClaimingStore):
            # the claims of a dead worker (pipelines/state/redis.py) must lapse before its leases are requeued,
            # else the requeued articles would be dropped as "being archived by another worker"
            store.owner_ttl = max(0.5, self.ttl - 2 * self.interval)
        join = self.server.register_script(_JOIN)
        new_run = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
        run = as_str(
            join(
                keys=[self._key("workers"), self.df.key, self._key("run")],
                args=[
                    self.worker,
                    self._hb_prefix(),
                    new_run,
                    self._heartbeat_value(True),
                    int(self.ttl * 1000),
                ],
            )
        )
        assert self.stats is not None
        self.stats.set_value("newsarchive/distributed_run", run)
        self.stats.set_value("newsarchive/worker", self.worker)
        logger.info("worker %s %s run %s", self.worker, "started" if run == new_run else "joined", run)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("is_start_request"):
            request.dont_filter = False  # every worker yields the entry points: fetch them once per run
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        if self.closing:
            return None
        request = self.queue.pop()
        if request is not None:
            self.leases[str(request.meta[META_LEASE])] = request
            if self.stats is not None:
                self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    def close(self, reason: str) -> None:
        """Pipelines are closed (parts committed): acknowledge what is archived, put the rest back, leave."""
        self.closing = True
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if reason == "finished":
            self._collect_done()  # else downloads cut short look done: they stay leased and go back
        self._check_commits(final=True)
        back = self.queue.requeue(self._inflight(self.worker))
        self.requeued += back
        self.server.srem(self._key("workers"), self.worker)
        self.server.delete(self._hb_prefix() + self.worker)
        if self.stats is not None:
            self.stats.set_value("newsarchive/leases_acked", self.acked)
            self.stats.set_value("newsarchive/leases_requeued", self.requeued)
        if back:
            logger.warning("worker %s put %d unfinished request(s) back into the queue", self.worker, back)

    # --- acknowledgements ---
    def item_scraped(self, item: Any, response: Response | None = None, spider: Spider | None = None) -> None:
        request = getattr(response, "request", None)
        lease = request.meta.get(META_LEASE) if request is not None else None
        canonical, digest = item.get("canonical_url"), item.get("content_hash")
        if lease is not None and canonical and digest:
            self.items.setdefault(str(lease), []).append((str(canonical), str(digest)))

    def _in_progress(self) -> set[Request] | None:
        slot = getattr(self.crawler.engine, "_slot", None)
        inprogress = getattr(slot, "inprogress", None)
        return inprogress if isinstance(inprogress, set) else None

    def _collect_done(self) -> None:
        """Leases the engine is done with: acknowledged now, or when their items are committed."""
        busy = self._in_progress()
        if busy is None:
            return  # engine internals unknown: everything is settled at close
        ack = []
        for lease in [lease for lease, request in self.leases.items() if request not in busy]:
            del self.leases[lease]
            items = self.items.pop(lease, [])
            if items:
                self.uncommitted[lease] = items
            else:
                ack.append(lease)
        self._ack(ack)

    def _check_commits(self, final: bool = False) -> None:
        assert self.stats is not None
        commits = self.stats.get_value("newsarchive/commits")
        if not self.uncommitted or (commits == self.commits_seen and not final):
            return
        self.commits_seen = commits
        store = state_for(self.crawler)
        ack = []
        for lease, items in list(self.uncommitted.items()):
            if all((e := store.get(c)) is not None and e.content_hash == h for c, h in items):
                ack.append(lease)
                del self.uncommitted[lease]
        self._ack(ack)

    def _ack(self, leases: list[str]) -> None:
        if leases:
            self.server.hdel(self._inflight(self.worker), *leases)
            self.acked += len(leases)

    # --- heartbeat, dead workers, idle close ---
    def _engine_idle(self) -> bool:
        engine = self.crawler.engine
        try:
            return engine is not None and engine.spider_is_idle()
        except (RuntimeError, AttributeError):  # not open yet, or closing
            return False

    @staticmethod
    def _heartbeat_value(busy: bool) -> str:
        return json.dumps({"busy": busy})

    def tick(self) -> None:
        try:
            self._tick()
        except redis.RedisError as exc:
            logger.error("worker %s cannot reach Redis: %s", self.worker, exc)

    def _tick(self) -> None:
        self._collect_done()
        self._check_commits()
        pipe = self.server.pipeline(transaction=False)
        busy = bool(self.leases) or not self._engine_idle()
        pipe.set(self._hb_prefix() + self.worker, self._heartbeat_value(busy), px=int(self.ttl * 1000))
        pipe.sadd(self._key("workers"), self.worker)
        pipe.execute()
        others = self._others()
        if self._reap(others):
            self.idle_since = None
        if busy:
            self.idle_since = self.waiting_since = None
            return
        now = time.monotonic()
        if len(self.queue):
            self.idle_since = None
            self._poke()
            return
        self.waiting_since = self.waiting_since or now
        busy_others = [w for w, state in others.items() if state is not None and state.get("busy")]
        if busy_others:
            self.idle_since = None
            if now - self.waiting_since < self.idle_timeout:
                return
            logger.warning(
                "workers %s still busy after %.0f s: closing anyway", busy_others, self.idle_timeout
            )
        elif self.idle_since is None:
            self.idle_since = now
            return
        elif now - self.idle_since < self.grace:
            return
        self._close_spider()

    def _others(self) -> dict[str, dict[str, Any] | None]:
        """Other workers of the run and their heartbeat (None: expired)."""
        members = [as_str(m) for m in self.server.smembers(self._key("workers"))]
        members = [m for m in members if m != self.worker]
        if not members:
            return {}
        beats = self.server.mget([self._hb_prefix() + m for m in members])
        return {m: (json.loads(b) if b is not None else None) for m, b in zip(members, beats, strict=True)}

    def _reap(self, others: dict[str, dict[str, Any] | None]) -> int:
        """Requeue the leases of dead workers; how many requests went back."""
        dead = [w for w, beat in others.items() if beat is None]
        if not dead:
            return 0
        self._settle_commits()
        total = 0
        for worker in dead:
            n = self.queue.requeue(self._inflight(worker))
            self.server.srem(self._key("workers"), worker)
            if n:
                logger.warning("worker %s is gone: %d of its request(s) went back into the queue", worker, n)
                assert self.stats is not None
                self.stats.inc_value("newsarchive/leases_reaped", n)
            total += n
        return total

    def _settle_commits(self) -> None:
        """Mark seen the commits whose manifest is written (a worker may have died right after writing it), so
        the requeued requests of their articles are not archived twice."""
        from pipelines.archive.layout import manifest_key
        from pipelines.storage import open_storage

        store = state_for(self.crawler)
        pending = store.pending_commits()
        if not pending:
            return
        storage = open_storage(self.crawler.settings.get("ARCHIVE_URI"), self.crawler.settings)
        for p in pending:
            if storage.exists(manifest_key(p.commit)):
                store.mark_archived(p.entries, p.aliases, commit=p.commit)

    def _poke(self) -> None:
        """Make an idle engine ask for requests now (others queued some) instead of at its next heartbeat."""
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _close_spider(self) -> None:
        engine = self.crawler.engine
        if engine is None or self.closing:
            return
        self.closing = True
        logger.info("worker %s: the run is finished, closing", self.worker)
        deferred_from_coro(engine.close_spider_async(reason="finished"))

    def spider_idle(self, spider: Spider) -> None:
        """The engine would close: only our timer decides (other workers may still queue requests)."""
        if not self.closing:
            raise DontCloseSpider
