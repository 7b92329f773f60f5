from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from pipelines.state import SeenEntry, SqliteSeenStore, StateError, open_state, state_for


def entry(
    url: str, digest: str = "sha256:" + "a" * 64, revision: int = 1, when: str = "2024-05-01T10:00:00+00:00"
):
    return SeenEntry(
        canonical_url=url,
        id="0123456789abcdef",
        site="ndr",
        content_hash=digest,
        revision=revision,
        first_seen=when,
        last_fetched=when,
        etag='"abc"',
        last_modified="Wed, 01 May 2024 10:00:00 GMT",
        published="2024-05-01T09:00:00+02:00",
    )


def test_round_trip(tmp_path: Path) -> None:
    store = SqliteSeenStore(tmp_path / "s.sqlite")
    assert store.get("https://www.ndr.de/a.html") is None
    first = entry("https://www.ndr.de/a.html")
    store.mark_archived([first, entry("https://www.ndr.de/b.html", "sha256:" + "b" * 64)])
    assert store.get("https://www.ndr.de/a.html") == first
    assert store.find_by_hash("ndr", "sha256:" + "b" * 64).canonical_url == "https://www.ndr.de/b.html"
    assert store.find_by_hash("other_site", "sha256:" + "b" * 64) is None
    # a revision keeps first_seen
    store.mark_archived(
        [entry("https://www.ndr.de/a.html", "sha256:" + "c" * 64, 2, "2024-06-01T00:00:00+00:00")]
    )
    again = store.get("https://www.ndr.de/a.html")
    assert again is not None
    assert (again.revision, again.content_hash) == (2, "sha256:" + "c" * 64)
    assert (again.first_seen, again.last_fetched) == (
        "2024-05-01T10:00:00+00:00",
        "2024-06-01T00:00:00+00:00",
    )
    store.add_alias("https://www.ndr.de/copy.html", "https://www.ndr.de/a.html")
    assert store.resolve_alias("https://www.ndr.de/copy.html") == "https://www.ndr.de/a.html"
    store.close()
    reopened = SqliteSeenStore(tmp_path / "s.sqlite")
    assert reopened.get("https://www.ndr.de/b.html") is not None
    reopened.close()


def test_wal_mode_and_index(tmp_path: Path) -> None:
    SqliteSeenStore(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {row[1] for row in db.execute("PRAGMA index_list(seen)")}
    assert "seen_site_hash" in indexes
    db.close()


def test_mark_archived_is_one_transaction(tmp_path: Path) -> None:
    store = SqliteSeenStore(tmp_path / "s.sqlite")
    bad = SeenEntry(canonical_url="https://x.de/2", id=None, site="x", content_hash="h")  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        store.mark_archived([entry("https://x.de/1"), bad])
    assert store.get("https://x.de/1") is None
    store.close()


def test_open_state_uris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for uri, path in [
        (f"sqlite:///{tmp_path}/abs.sqlite", tmp_path / "abs.sqlite"),
        ("sqlite:rel/dir/rel.sqlite", tmp_path / "rel/dir/rel.sqlite"),
        ("plain.db", tmp_path / "plain.db"),
        ("archive.state.sqlite", tmp_path / "archive.state.sqlite"),
    ]:
        open_state(uri).close()
        assert path.is_file(), uri
    for uri in ["redis://localhost:6379/0", "state.txt", "sqlite://host/x.sqlite", ""]:
        with pytest.raises(StateError) as err:
            open_state(uri)
        assert "\n" not in str(err.value)


def test_state_for_shares_one_store_and_closes_it(tmp_path: Path) -> None:
    crawler = get_crawler(Spider, {"STATE_URI": f"sqlite:///{tmp_path}/s.sqlite"})
    store = state_for(crawler)
    assert state_for(crawler) is store
    spider = Spider("x")
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    with pytest.raises(sqlite3.ProgrammingError):
        store.get("https://x.de/")
    fresh = state_for(crawler)
    assert fresh is not store
    fresh.close()


def test_touch_updates_last_fetched_and_validators(tmp_path: Path) -> None:
    store = SqliteSeenStore(tmp_path / "s.sqlite")
    store.mark_archived([entry("https://www.ndr.de/a.html")])
    store.touch("https://www.ndr.de/a.html", "2024-05-02T00:00:00+00:00", etag='"new"')
    got = store.get("https://www.ndr.de/a.html")
    assert got is not None
    assert (got.last_fetched, got.etag, got.first_seen) == (
        "2024-05-02T00:00:00+00:00",
        '"new"',
        "2024-05-01T10:00:00+00:00",
    )
    assert got.last_modified == "Wed, 01 May 2024 10:00:00 GMT"  # kept when the response had none
    store.touch("https://www.ndr.de/unknown.html", "2024-05-02T00:00:00+00:00")  # no-op
    assert store.get("https://www.ndr.de/unknown.html") is None
    store.close()


def test_pending_commit_survives_a_restart_until_resolved(tmp_path: Path) -> None:
    store = SqliteSeenStore(tmp_path / "s.sqlite")
    first = entry("https://www.ndr.de/a.html")
    store.prepare_commit("c1", [first], [("https://www.ndr.de/amp-a.html", "https://www.ndr.de/a.html")])
    store.prepare_commit("c2", [entry("https://www.ndr.de/b.html")])
    store.close()
    store = SqliteSeenStore(tmp_path / "s.sqlite")
    pending = store.pending_commits()
    assert [p.commit for p in pending] == ["c1", "c2"]
    assert pending[0].entries == (first,)
    store.mark_archived(pending[0].entries, pending[0].aliases, commit="c1")
    store.discard_commit("c2")
    assert store.pending_commits() == []
    assert store.get("https://www.ndr.de/a.html") == first
    assert store.resolve_alias("https://www.ndr.de/amp-a.html") == "https://www.ndr.de/a.html"
    assert store.get("https://www.ndr.de/b.html") is None
    store.close()


def test_recovered_commit_enters_the_near_duplicate_index(tmp_path: Path) -> None:
    from pipelines.state import NearDupEntry

    store = SqliteSeenStore(tmp_path / "s.sqlite")
    first = entry("https://www.ndr.de/a.html")
    near = NearDupEntry(
        first.id, first.canonical_url, first.content_hash, "ndr", 40, b"\x01\x00" * 128, (7, -9)
    )
    store.stage_near_dup(near)
    store.prepare_commit("c1", [first])
    store.close()  # killed after the manifest: the staged entry is gone from memory
    store = SqliteSeenStore(tmp_path / "s.sqlite")
    (pending,) = store.pending_commits()
    store.mark_archived(pending.entries, pending.aliases, commit=pending.commit)
    assert store.near_dup_count() == 1
    (found,) = store.near_dup_candidates([7])
    assert (found.id, found.size, found.signature) == (near.id, 40, near.signature)
    store.close()


def test_discovered_entry_points_are_kept_for_their_time_to_live(tmp_path: Path) -> None:
    import time

    store = SqliteSeenStore(tmp_path / "s.sqlite")
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
    reopened = SqliteSeenStore(tmp_path / "s.sqlite")
    try:
        assert reopened.get_discovery("a_de") == found
    finally:
        reopened.close()
