"""Per-site run locks in Redis (same interface as SqliteLockStore in pipelines/state/locks.py).

A lock is one key ``<prefix>:lock:<site>`` holding the holder as JSON, taken with SET NX PX (Redis expires it
when the holder stops refreshing it); refresh and release are Lua scripts that act only while the key still
holds our token, so a run never extends or deletes a lock another run has taken since.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid

import redis

from pipelines.state.base import StateError
from pipelines.state.locks import DEFAULT_TTL, LockHolder, _pid_alive
from pipelines.state.redis import connect

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
    """Locks in Redis; one instance per run (its token identifies the run)."""

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
                if holder.host == self.host and holder.pid != self.pid and not _pid_alive(holder.pid):
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
