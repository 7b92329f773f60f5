"""Redis state store: one seen-store shared by every worker of a distributed crawl, and the run locks.

URI: ``redis://[:password@]host:port/db`` (also ``rediss://``), optionally ``?prefix=NAME`` (default
``newsarchive``) to keep several archives in one database. Keys, all under the prefix:

- ``seen`` hash canonical URL -> JSON entry; ``byhash:<site>`` hash content_hash -> canonical URL;
- ``aliases`` hash URL -> canonical URL; ``pending`` hash commit -> JSON (crash recovery);
- ``nd:docs`` hash id -> JSON near-duplicate entry; ``nd:band:<key>`` set of ids;
- ``health:<site>`` list of JSON run health entries, oldest first; ``health:sites`` set of their sites;
- ``claim:url:<canonical>``, ``claim:hash:<site>:<hash>`` (see :meth:`RedisSeenStore.claim`) and
  ``owner:<token>``, the liveness key of the store instance that holds claims;
- ``lock:<site>`` a run lock: the holder as JSON, taken with SET NX PX (Redis expires it when the holder stops
  refreshing it; refresh and release act only while the key still holds our token); ``run:<site>`` whether
  the site's last run ended cleanly.

Multi-key updates run as Lua scripts or MULTI/EXEC transactions, so a reader never sees half a commit.
Needs a standalone Redis (or one shard: the scripts touch keys they compute).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipelines.redact import redact_text, redact_url
from pipelines.state.base import (
    DEFAULT_TTL,
    HealthEntry,
    LockHolder,
    NearDupEntry,
    PendingCommit,
    SeenEntry,
    StateError,
    pid_alive,
)
from pipelines.text import as_str

try:
    import redis
except ImportError as exc:  # an optional dependency
    raise StateError("a redis:// seen-store needs the redis package (pip install redis)") from exc

DEFAULT_PREFIX = "newsarchive"
#: seconds a claim's owner counts as alive after its last sign of life (the store refreshes its liveness key
#: every third of it); a distributed worker sets it below its heartbeat TTL (crawler/distributed/frontier.py)
OWNER_TTL = 30.0
#: claims are garbage after this long whatever happens
CLAIM_TTL_MS = 24 * 3600 * 1000

_MARK = """
local seen, prefix = KEYS[1], ARGV[1]
for i = 2, #ARGV do
  local e = cjson.decode(ARGV[i])
  local old = redis.call('HGET', seen, e.canonical_url)
  if old then
    local o = cjson.decode(old)
    if o.first_seen ~= nil and o.first_seen ~= cjson.null then e.first_seen = o.first_seen end
    if o.content_hash ~= e.content_hash then
      local idx = prefix .. ':byhash:' .. o.site
      if redis.call('HGET', idx, o.content_hash) == e.canonical_url then redis.call('HDEL', idx, o.content_hash) end
    end
  end
  redis.call('HSET', seen, e.canonical_url, cjson.encode(e))
  local idx = prefix .. ':byhash:' .. e.site
  local cur = redis.call('HGET', idx, e.content_hash)
  local keep = false
  if cur and cur ~= e.canonical_url then
    local other = redis.call('HGET', seen, cur)
    keep = other and cjson.decode(other).content_hash == e.content_hash
  end
  if not keep then redis.call('HSET', idx, e.content_hash, e.canonical_url) end
end
return 1
"""

_TOUCH = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
local e = cjson.decode(old)
e.last_fetched = ARGV[2]
if ARGV[3] ~= '' then e.etag = ARGV[3] end
if ARGV[4] ~= '' then e.last_modified = ARGV[4] end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
return 1
"""

_NEAR_DUP = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
local e = cjson.decode(ARGV[2])
if old and (e.cluster == nil or e.cluster == cjson.null) then
  local o = cjson.decode(old)
  e.cluster = o.cluster
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
return 1
"""

# KEYS: url claim, hash claim; ARGV: token, canonical URL, ttl ms, owner key prefix.
# Returns nil when claimed (or already ours), else the canonical URL the live holder archives.
_CLAIM = """
local function holder(key)
  local v = redis.call('GET', key)
  if not v then return nil end
  local sep = string.find(v, '\\n', 1, true)
  if not sep then return nil end
  local tok = string.sub(v, 1, sep - 1)
  if tok == ARGV[1] then return nil end
  if redis.call('EXISTS', ARGV[4] .. tok) == 1 then return string.sub(v, sep + 1) end
  return nil
end
local h = holder(KEYS[1])
if h then return h end
h = holder(KEYS[2])
if h then return h end
local val = ARGV[1] .. '\\n' .. ARGV[2]
redis.call('SET', KEYS[1], val, 'PX', ARGV[3])
redis.call('SET', KEYS[2], val, 'PX', ARGV[3])
return false
"""

# KEYS: claims; ARGV: token. Deletes the claims this store holds.
_UNCLAIM = """
local n = 0
for _, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. '\\n' then
    redis.call('DEL', key)
    n = n + 1
  end
end
return n
"""


def split_uri(uri: str) -> tuple[str, str]:
    """(connection URL without our own query parameters, key prefix) of a redis:// URI."""
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("redis", "rediss", "unix"):
        raise StateError(f"not a Redis URI: {redact_url(uri)!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), DEFAULT_PREFIX) or DEFAULT_PREFIX
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


def connect(uri: str) -> tuple[redis.Redis, str]:
    """A checked client (PING) and the key prefix for ``uri``; StateError with one line when unusable."""
    url, prefix = split_uri(uri)
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=30, socket_connect_timeout=10, health_check_interval=30
        )
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise StateError(f"cannot reach Redis at {redact_url(url)}: {redact_text(str(exc))}") from exc
    return client, prefix


def _seen(raw: Any) -> SeenEntry | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return SeenEntry(**{k: data.get(k) for k in SeenEntry.__slots__})


def _near_dup_json(entry: NearDupEntry) -> str:
    return json.dumps(
        {
            "id": entry.id,
            "canonical_url": entry.canonical_url,
            "content_hash": entry.content_hash,
            "site": entry.site,
            "size": entry.size,
            "signature": base64.b64encode(entry.signature).decode("ascii"),
            "cluster": entry.cluster,
        }
    )


class RedisSeenStore:
    """Seen-store in Redis (see the module docstring); safe to share between threads."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.db, self.prefix = connect(uri)
        p = self.prefix
        self.k_seen, self.k_aliases, self.k_pending = f"{p}:seen", f"{p}:aliases", f"{p}:pending"
        self.k_docs = f"{p}:nd:docs"
        self.token = uuid.uuid4().hex
        self._mark = self.db.register_script(_MARK)
        self._touch = self.db.register_script(_TOUCH)
        self._near_dup = self.db.register_script(_NEAR_DUP)
        self._claim = self.db.register_script(_CLAIM)
        self._unclaim = self.db.register_script(_UNCLAIM)
        self._staged: dict[tuple[str, str], NearDupEntry] = {}
        self._lock = threading.Lock()
        self._claims: dict[str, tuple[str, str]] = {}  # canonical URL -> (site, content_hash) we hold
        self._alive: threading.Event | None = None
        self.owner_ttl = OWNER_TTL

    def __repr__(self) -> str:
        return f"RedisSeenStore({redact_url(self.uri)!r})"

    def get(self, canonical_url: str) -> SeenEntry | None:
        return _seen(self.db.hget(self.k_seen, canonical_url))

    def find_by_hash(self, site: str, content_hash: str) -> SeenEntry | None:
        target = self.db.hget(f"{self.prefix}:byhash:{site}", content_hash)
        if target is None:
            return None
        entry = self.get(as_str(target))
        return entry if entry is not None and entry.content_hash == content_hash else None

    def mark_archived(
        self,
        entries: Sequence[SeenEntry],
        aliases: Sequence[tuple[str, str]] = (),
        commit: str | None = None,
    ) -> None:
        with self._lock:
            staged = [
                s for e in entries if (s := self._staged.get((e.canonical_url, e.content_hash))) is not None
            ]
        pipe = self.db.pipeline(transaction=True)
        if entries:
            self._mark(
                keys=[self.k_seen],
                args=[self.prefix, *(json.dumps(asdict(e)) for e in entries)],
                client=pipe,
            )
        for url, target in aliases:
            if url != target:
                pipe.hset(self.k_aliases, url, target)
        for s in staged:
            self._near_dup(keys=[self.k_docs], args=[s.id, _near_dup_json(s)], client=pipe)
            for band in s.bands:
                pipe.sadd(f"{self.prefix}:nd:band:{band}", s.id)
        if commit is not None:
            pipe.hdel(self.k_pending, commit)
        try:
            pipe.execute()
        except redis.RedisError as exc:
            raise StateError(f"cannot update the seen-store: {exc}") from exc
        with self._lock:
            for s in staged:
                self._staged.pop((s.canonical_url, s.content_hash), None)
            released = [e.canonical_url for e in entries if e.canonical_url in self._claims]
            held = [(url, *self._claims.pop(url)) for url in released]
        if held:
            self._unclaim(
                keys=[k for url, site, h in held for k in self._claim_keys(url, site, h)], args=[self.token]
            )

    def touch(
        self, canonical_url: str, fetched_at: str, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        self._touch(keys=[self.k_seen], args=[canonical_url, fetched_at, etag or "", last_modified or ""])

    def add_alias(self, url: str, canonical_url: str) -> None:
        if url != canonical_url:
            self.db.hset(self.k_aliases, url, canonical_url)

    def resolve_alias(self, url: str) -> str | None:
        value = self.db.hget(self.k_aliases, url)
        return None if value is None else as_str(value)

    # --- crash recovery ---
    def prepare_commit(
        self, commit: str, entries: Sequence[SeenEntry], aliases: Sequence[tuple[str, str]] = ()
    ) -> None:
        payload = json.dumps({"entries": [asdict(e) for e in entries], "aliases": [list(a) for a in aliases]})
        self.db.hset(self.k_pending, commit, payload)

    def pending_commits(self) -> list[PendingCommit]:
        rows = self.db.hgetall(self.k_pending)
        out = []
        for name, payload in sorted((as_str(k), v) for k, v in rows.items()):
            data = json.loads(payload)
            out.append(
                PendingCommit(
                    name,
                    tuple(SeenEntry(**e) for e in data["entries"]),
                    tuple((str(a), str(b)) for a, b in data["aliases"]),
                )
            )
        return out

    def discard_commit(self, commit: str) -> None:
        self.db.hdel(self.k_pending, commit)

    # --- near-duplicate index ---
    def stage_near_dup(self, entry: NearDupEntry) -> None:
        with self._lock:
            self._staged[(entry.canonical_url, entry.content_hash)] = entry

    def add_near_dups(self, entries: Sequence[NearDupEntry]) -> None:
        """Write index entries directly, in one transaction (bulk loads and benchmarks)."""
        pipe = self.db.pipeline(transaction=True)
        for s in entries:
            self._near_dup(keys=[self.k_docs], args=[s.id, _near_dup_json(s)], client=pipe)
            for band in s.bands:
                pipe.sadd(f"{self.prefix}:nd:band:{band}", s.id)
        pipe.execute()

    def near_dup_candidates(self, bands: Sequence[int], limit: int = 50) -> list[NearDupEntry]:
        if not bands:
            return []
        pipe = self.db.pipeline(transaction=False)
        for band in bands:
            pipe.smembers(f"{self.prefix}:nd:band:{band}")
        shared: Counter[str] = Counter()
        for members in pipe.execute():
            shared.update(as_str(m) for m in members)
        top = [doc for doc, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
        if not top:
            return []
        out = []
        for raw in self.db.hmget(self.k_docs, top):
            if raw is None:
                continue
            d = json.loads(raw)
            out.append(
                NearDupEntry(
                    id=str(d["id"]),
                    canonical_url=str(d["canonical_url"]),
                    content_hash=str(d["content_hash"]),
                    site=str(d["site"]),
                    size=int(d["size"]),
                    signature=base64.b64decode(d["signature"]),
                    cluster=None if d.get("cluster") is None else str(d["cluster"]),
                )
            )
        return out

    def near_dup_count(self) -> int:
        return int(self.db.hlen(self.k_docs))

    # --- extraction health history ---
    def add_health(self, entry: HealthEntry, keep: int = 50) -> None:
        key = f"{self.prefix}:health:{entry.site}"
        pipe = self.db.pipeline(transaction=True)
        pipe.rpush(key, json.dumps(asdict(entry), sort_keys=True))
        pipe.ltrim(key, -max(keep, 1), -1)
        pipe.sadd(f"{self.prefix}:health:sites", entry.site)
        pipe.execute()

    def get_meta(self, key: str) -> str | None:
        value = self.db.hget(f"{self.prefix}:meta", key)
        return None if value is None else as_str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.db.hset(f"{self.prefix}:meta", key, value)

    def is_empty(self) -> bool:
        return not any(self.db.exists(k) for k in (self.k_seen, self.k_aliases, self.k_pending))

    def health_history(self, site: str | None = None, limit: int = 50) -> list[HealthEntry]:
        if limit <= 0:
            return []
        sites = (
            [site]
            if site is not None
            else sorted(as_str(s) for s in self.db.smembers(f"{self.prefix}:health:sites"))
        )
        out = []
        for name in sites:
            for raw in self.db.lrange(f"{self.prefix}:health:{name}", -limit, -1):
                data = json.loads(raw)
                out.append(
                    HealthEntry(str(data["site"]), str(data["run"]), str(data["at"]), dict(data["health"]))
                )
        return out

    # --- cross-worker claims ---
    def _claim_keys(self, canonical_url: str, site: str, content_hash: str) -> tuple[str, str]:
        return f"{self.prefix}:claim:url:{canonical_url}", f"{self.prefix}:claim:hash:{site}:{content_hash}"

    def claim(self, canonical_url: str, site: str, content_hash: str) -> str | None:
        """Claim an article this worker is about to archive (as new or as a revision).

        None: claimed, go on. Otherwise another live worker is archiving the same canonical URL (the URL is
        returned) or the same (site, content_hash) under another canonical URL (that URL is returned): the
        item is a duplicate. A claim lasts until the article is marked archived; a claim whose holder died
        (its liveness key expired) is taken over.
        """
        self._keep_alive()
        held = self._claim(
            keys=list(self._claim_keys(canonical_url, site, content_hash)),
            args=[self.token, canonical_url, CLAIM_TTL_MS, f"{self.prefix}:owner:"],
        )
        if held is None:
            with self._lock:
                self._claims[canonical_url] = (site, content_hash)
            return None
        return as_str(held)

    def _keep_alive(self) -> None:
        """Start the thread that keeps this store's liveness key while the store is open."""
        with self._lock:
            if self._alive is not None:
                return
            self._alive = stop = threading.Event()
        key = f"{self.prefix}:owner:{self.token}"
        self.db.set(key, 1, px=int(self.owner_ttl * 1000))

        def refresh() -> None:
            while not stop.wait(self.owner_ttl / 3):
                try:
                    self.db.set(key, 1, px=int(self.owner_ttl * 1000))
                except redis.RedisError:
                    continue

        threading.Thread(target=refresh, name="seen-store-owner", daemon=True).start()

    # --- discovered entry points of sites given by URL (DiscoveryCache) ---
    def get_discovery(self, site: str) -> dict[str, Any] | None:
        raw = self.db.get(f"{self.prefix}:discovery:{site}")
        found = json.loads(raw) if raw is not None else None
        return found if isinstance(found, dict) else None

    def put_discovery(self, site: str, found: dict[str, Any], ttl: float) -> None:
        self.db.set(
            f"{self.prefix}:discovery:{site}", json.dumps(found, sort_keys=True), px=max(int(ttl * 1000), 1)
        )

    def close(self) -> None:
        with self._lock:
            stop, self._alive = self._alive, None
        if stop is not None:
            stop.set()
            with contextlib.suppress(redis.RedisError):
                self.db.delete(f"{self.prefix}:owner:{self.token}")
        self.db.close()


# --- run locks ---
# ARGV: token, new value, ttl ms
_REFRESH = """
local v = redis.call('GET', KEYS[1])
if not v or cjson.decode(v).token ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""

# ARGV: token
_RELEASE = """
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# delete the key only if it still holds exactly this value (a stale holder we found)
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLockStore:
    """Run locks in Redis (see the module docstring); one instance per run (its token identifies the run)."""

    def __init__(self, uri: str) -> None:
        self.db, self.prefix = connect(uri)
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.token = uuid.uuid4().hex
        self._refresh = self.db.register_script(_REFRESH)
        self._release = self.db.register_script(_RELEASE)
        self._delete_if = self.db.register_script(_DELETE_IF)
        self._acquired: dict[str, float] = {}

    def _key(self, site: str) -> str:
        return f"{self.prefix}:lock:{site}"

    def _value(self, site: str, acquired_at: float, ttl: float) -> str:
        return json.dumps(
            {
                "site": site,
                "host": self.host,
                "pid": self.pid,
                "token": self.token,
                "acquired_at": acquired_at,
                "expires_at": time.time() + ttl,
            }
        )

    def begin_run(self, site: str) -> bool:
        previous = self.db.getset(f"{self.prefix}:run:{site}", "running")
        return previous is None or previous in (b"clean", "clean")

    def end_run(self, site: str, clean: bool) -> None:
        self.db.set(f"{self.prefix}:run:{site}", "clean" if clean else "unclean")

    def acquire(self, site: str, ttl: float = DEFAULT_TTL) -> LockHolder | None:
        key, px = self._key(site), max(1, int(ttl * 1000))
        try:
            for _attempt in range(3):
                now = time.time()
                if self.db.set(key, self._value(site, now, ttl), nx=True, px=px):
                    self._acquired[site] = now
                    return None
                raw = self.db.get(key)
                if raw is None:
                    continue  # expired in between
                holder = LockHolder(**{k: v for k, v in json.loads(raw).items() if k in LockHolder.__slots__})
                if holder.token == self.token:
                    self.refresh(site, ttl)
                    return None
                if holder.host == self.host and holder.pid != self.pid and not pid_alive(holder.pid):
                    self._delete_if(keys=[key], args=[raw])  # its process on this host is gone
                    continue
                return holder
        except redis.RedisError as exc:
            raise StateError(f"cannot take the run lock of {site}: {exc}") from exc
        raise StateError(f"cannot take the run lock of {site}: it keeps changing hands")

    def refresh(self, site: str, ttl: float = DEFAULT_TTL) -> bool:
        acquired = self._acquired.get(site, time.time())
        value = self._value(site, acquired, ttl)
        return bool(self._refresh(keys=[self._key(site)], args=[self.token, value, max(1, int(ttl * 1000))]))

    def release(self, site: str) -> None:
        self._release(keys=[self._key(site)], args=[self.token])
        self._acquired.pop(site, None)

    def close(self) -> None:
        self.db.close()
