"""The Redis seen-store and run locks against a real redis-server (tests/redisserver.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from pipelines.state import NearDupEntry, SeenEntry, StateError, open_locks, open_state
from pipelines.state.redis import RedisLockStore, RedisSeenStore, split_uri
from tests.redisserver import RedisServer


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as srv:
        yield srv


@pytest.fixture
def url(server: RedisServer) -> str:
    server.flush()
    return server.url


def entry(url: str, digest: str = "sha256:a", **kw: object) -> SeenEntry:
    fields: dict[str, object] = {"id": "id-" + url[-1], "site": "ndr", "content_hash": digest}
    fields.update(kw)
    return SeenEntry(canonical_url=url, **fields)  # type: ignore[arg-type]


def test_open_state_and_locks_by_scheme(url: str) -> None:
    store = open_state(url + "?prefix=t1")
    assert isinstance(store, RedisSeenStore) and store.prefix == "t1"
    store.close()
    locks = open_locks(url)
    assert isinstance(locks, RedisLockStore)
    locks.close()
    assert split_uri("redis://h:1/2?prefix=x&db=3") == ("redis://h:1/2?db=3", "x")
    with pytest.raises(StateError, match="cannot reach Redis"):
        open_state("redis://127.0.0.1:1/0")


def test_round_trip_first_seen_kept_and_hash_index(url: str) -> None:
    store = RedisSeenStore(url)
    a = entry("https://x.de/a", first_seen="2024-01-01T00:00:00+00:00", etag='"1"')
    store.mark_archived(
        [a], aliases=[("https://x.de/a?utm=1", a.canonical_url), (a.canonical_url, a.canonical_url)]
    )
    assert store.get(a.canonical_url) == a
    assert store.get("https://x.de/none") is None
    assert store.find_by_hash("ndr", "sha256:a") == a
    assert store.find_by_hash("mdr", "sha256:a") is None
    assert store.resolve_alias("https://x.de/a?utm=1") == a.canonical_url
    assert store.resolve_alias(a.canonical_url) is None
    revised = entry("https://x.de/a", "sha256:b", revision=2, first_seen="2025-01-01T00:00:00+00:00")
    store.mark_archived([revised])
    got = store.get(a.canonical_url)
    assert got is not None and got.revision == 2 and got.first_seen == "2024-01-01T00:00:00+00:00"
    assert store.find_by_hash("ndr", "sha256:a") is None, "the old text is no longer the article's"
    assert store.find_by_hash("ndr", "sha256:b") == got
    store.add_alias("https://x.de/b", a.canonical_url)
    assert store.resolve_alias("https://x.de/b") == a.canonical_url
    store.close()


def test_touch_keeps_validators_unless_given(url: str) -> None:
    store = RedisSeenStore(url)
    store.mark_archived([entry("https://x.de/a", etag='"1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")])
    store.touch("https://x.de/a", "2025-02-02T00:00:00+00:00")
    got = store.get("https://x.de/a")
    assert got is not None and got.last_fetched == "2025-02-02T00:00:00+00:00" and got.etag == '"1"'
    store.touch("https://x.de/a", "2025-02-03T00:00:00+00:00", etag='"2"')
    got = store.get("https://x.de/a")
    assert got is not None and got.etag == '"2"' and got.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    store.touch("https://x.de/unknown", "2025-02-03T00:00:00+00:00")
    assert store.get("https://x.de/unknown") is None
    store.close()


def test_pending_commits_shared_between_instances(url: str) -> None:
    a, b = RedisSeenStore(url), RedisSeenStore(url)
    e = entry("https://x.de/a")
    a.prepare_commit("c2", [e], [("https://x.de/a2", e.canonical_url)])
    a.prepare_commit("c1", [])
    assert [p.commit for p in b.pending_commits()] == ["c1", "c2"]
    assert b.pending_commits()[1].entries == (e,)
    assert b.pending_commits()[1].aliases == (("https://x.de/a2", e.canonical_url),)
    b.mark_archived([e], commit="c2")
    b.discard_commit("c1")
    assert a.pending_commits() == []
    assert a.get(e.canonical_url) == e
    a.close()
    b.close()


def test_near_duplicate_index_written_with_the_commit(url: str) -> None:
    store = RedisSeenStore(url)
    e = entry("https://x.de/a")
    nd = NearDupEntry("id-a", e.canonical_url, e.content_hash, "ndr", 40, b"\x00\x01sig", (1, 2, -3), "cl-1")
    store.stage_near_dup(nd)
    assert store.near_dup_count() == 0, "staged entries wait for mark_archived"
    store.mark_archived([e])
    assert store.near_dup_count() == 1
    other = NearDupEntry("id-b", "https://x.de/b", "sha256:b", "ndr", 30, b"s2", (2, 9))
    store.stage_near_dup(other)
    store.mark_archived([entry("https://x.de/b", "sha256:b")])
    found = store.near_dup_candidates([2, -3, 7])
    assert [c.id for c in found] == ["id-a", "id-b"], "most shared bands first"
    assert found[0] == NearDupEntry(
        "id-a", e.canonical_url, e.content_hash, "ndr", 40, b"\x00\x01sig", (), "cl-1"
    )
    assert store.near_dup_candidates([]) == [] and store.near_dup_candidates([12345]) == []
    # a later upsert without a cluster keeps the cluster
    store.stage_near_dup(NearDupEntry("id-a", e.canonical_url, "sha256:c", "ndr", 41, b"x", (5,)))
    store.mark_archived([entry("https://x.de/a", "sha256:c", revision=2)])
    assert store.near_dup_candidates([5])[0].cluster == "cl-1"
    store.add_near_dups([NearDupEntry("id-z", "https://x.de/z", "sha256:z", "ndr", 3, b"z", (77,))])
    assert [c.id for c in store.near_dup_candidates([77])] == ["id-z"] and store.near_dup_count() == 3
    store.close()


def test_claims_between_workers(url: str, server: RedisServer) -> None:
    a, b = RedisSeenStore(url), RedisSeenStore(url)
    assert a.claim("https://x.de/a", "ndr", "sha256:a") is None
    assert a.claim("https://x.de/a", "ndr", "sha256:a") is None, "a claim of our own is ours again"
    assert b.claim("https://x.de/a", "ndr", "sha256:a") == "https://x.de/a", "same URL, live holder"
    assert b.claim("https://x.de/other", "ndr", "sha256:a") == "https://x.de/a", "same text, live holder"
    assert b.claim("https://x.de/b", "ndr", "sha256:b") is None
    a.mark_archived([entry("https://x.de/a")])  # archived: a's claims go
    assert b.claim("https://x.de/a", "ndr", "sha256:a2") is None
    # a holder that died (its liveness key expired) loses its claims
    c = RedisSeenStore(url)
    assert c.claim("https://x.de/c", "ndr", "sha256:c") is None
    server.client().delete(f"newsarchive:owner:{c.token}")
    assert b.claim("https://x.de/c", "ndr", "sha256:c") is None
    for s in (a, b, c):
        s.close()


def test_locks_refuse_refresh_and_release_by_token(url: str) -> None:
    a, b = RedisLockStore(url), RedisLockStore(url)
    assert a.acquire("ndr") is None
    assert a.acquire("ndr") is None, "our own lock"
    holder = b.acquire("ndr")
    assert holder is not None and holder.pid == os.getpid() and holder.token == a.token
    assert b.acquire("mdr") is None, "locks are per site"
    assert not b.refresh("ndr")
    b.release("ndr")  # not b's: nothing happens
    assert b.acquire("ndr") is not None
    assert a.refresh("ndr", ttl=60)
    a.release("ndr")
    assert b.acquire("ndr") is None
    assert not a.refresh("ndr")
    a.close()
    b.close()


def test_lock_expires_and_dead_local_holder_is_stale(url: str) -> None:
    a, b = RedisLockStore(url), RedisLockStore(url)
    assert a.acquire("ndr", ttl=0.2) is None
    assert b.acquire("ndr", ttl=0.2) is not None
    time.sleep(0.3)
    assert b.acquire("ndr") is None
    code = (
        "import sys; from pipelines.state.redis import RedisLockStore;"
        f"assert RedisLockStore({url!r}).acquire('wdr', ttl=600) is None"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert b.acquire("wdr") is None, "the holder's process on this host is gone"
    a.close()
    b.close()


def test_dedup_pipelines_of_two_workers_archive_an_article_once(url: str) -> None:
    from scrapy.exceptions import DropItem
    from scrapy.utils.test import get_crawler

    from pipelines.dedup import DedupPipeline

    def worker() -> tuple[DedupPipeline, RedisSeenStore]:
        crawler = get_crawler()
        assert crawler.stats is not None
        store = RedisSeenStore(url)
        return DedupPipeline(store, crawler.stats), store

    (a, store_a), (b, store_b) = worker(), worker()

    def item(canonical: str, digest: str) -> dict[str, object]:
        return {"canonical_url": canonical, "content_hash": digest, "site": "ndr"}

    assert a.process_item(item("https://x.de/a", "sha256:a"))["revision"] == 1
    with pytest.raises(DropItem, match="another worker"):
        b.process_item(item("https://x.de/a", "sha256:a"))  # e.g. reached through another URL
    with pytest.raises(DropItem, match="another worker"):
        b.process_item(item("https://x.de/copy", "sha256:a"))  # the same text under another URL
    assert store_b.resolve_alias("https://x.de/copy") == "https://x.de/a"
    assert b.process_item(item("https://x.de/b", "sha256:b"))["revision"] == 1
    store_a.close()  # worker a is gone before its commit: its claims lapse
    assert b.process_item(item("https://x.de/a", "sha256:a"))["revision"] == 1
    store_b.close()


def test_discovered_entry_points_are_kept_for_their_time_to_live(url: str) -> None:
    store = RedisSeenStore(url + "?prefix=disc")
    try:
        assert store.get_discovery("a_de") is None
        found = {"feeds": ["https://www.a.de/rss"], "sitemaps": []}
        store.put_discovery("a_de", found, ttl=60)
        assert store.get_discovery("a_de") == found
        store.put_discovery("b_de", found, ttl=0.05)
        time.sleep(0.1)
        assert store.get_discovery("b_de") is None
    finally:
        store.close()
