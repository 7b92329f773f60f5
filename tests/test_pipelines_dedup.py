from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipelines.archive.pipeline import ArchivePipeline
from pipelines.archive.reader import open_archive
from pipelines.dedup import DedupPipeline
from pipelines.normalise import NormalisePipeline
from pipelines.state import open_state, state_for


class SiteSpider(Spider):
    name = "ndr"


def page(path: str, body: str = "Erster Absatz.\n\nZweiter Absatz.", **fields: Any) -> dict[str, Any]:
    url = f"https://www.ndr.de/{path}"
    item: dict[str, Any] = {"url": url, "site": "ndr", "title": "Titel", "body": body}
    item["raw_response"] = {
        "url": url,
        "status": 200,
        "headers": [["Content-Type", "text/html"]],
        "body": b"<p/>",
    }
    item.update(fields)
    return item


def run(tmp_path: Path, items: list[dict[str, Any]]) -> tuple[list[str], dict[str, Any]]:
    """One crawl through normalise -> dedup -> archive; per item "kept" or the drop's log level."""
    crawler = get_crawler(
        SiteSpider,
        {"ARCHIVE_URI": str(tmp_path / "archive"), "STATE_URI": f"sqlite:///{tmp_path}/state.sqlite"},
    )
    crawler.spider = SiteSpider.from_crawler(crawler)
    chain = [NormalisePipeline.from_crawler(crawler), DedupPipeline.from_crawler(crawler)]
    archive = ArchivePipeline.from_crawler(crawler)
    archive.open_spider()
    outcomes = []
    for item in items:
        try:
            for pipe in chain:
                item = pipe.process_item(item)
        except DropItem as drop:
            assert drop.log_level in ("DEBUG", "INFO")
            assert "raw_response" not in item  # never logged with the raw body
            outcomes.append(drop.log_level)
            continue
        archive.process_item(item)
        outcomes.append("kept")
    archive.close_spider()
    state_for(crawler).close()  # what spider_closed does
    assert crawler.stats is not None
    return outcomes, crawler.stats.get_stats()


def test_new_then_unchanged(tmp_path: Path) -> None:
    outcomes, stats = run(tmp_path, [page("a.html"), page("b.html", body="Anderer Text.")])
    assert outcomes == ["kept", "kept"]
    assert stats["newsarchive/new"] == 2 and stats["newsarchive/archived"] == 2
    outcomes, stats = run(tmp_path, [page("a.html?utm_source=rss"), page("b.html", body="Anderer Text.")])
    assert outcomes == ["DEBUG", "DEBUG"]
    assert stats["newsarchive/unchanged"] == 2
    assert "newsarchive/archived" not in stats


def test_same_url_twice_in_one_run(tmp_path: Path) -> None:
    outcomes, stats = run(tmp_path, [page("a.html"), page("a.html#kommentare", body="Anders.")])
    assert outcomes == ["kept", "DEBUG"]
    assert stats["newsarchive/duplicate"] == 1


def test_revised(tmp_path: Path) -> None:
    run(tmp_path, [page("a.html")])
    outcomes, stats = run(tmp_path, [page("a.html", body="Erster Absatz, korrigiert.")])
    assert outcomes == ["kept"]
    assert stats["newsarchive/revised"] == 1
    records = list(open_archive(str(tmp_path / "archive")).records())
    assert [r["revision"] for r in records] == [1, 2]
    assert records[1]["previous_hash"] == records[0]["content_hash"]
    store = open_state(f"sqlite:///{tmp_path}/state.sqlite")
    entry = store.get("https://www.ndr.de/a.html")
    assert entry is not None and (entry.revision, entry.content_hash) == (2, records[1]["content_hash"])
    store.close()


def test_same_content_under_another_url_is_an_alias(tmp_path: Path) -> None:
    # in one run (pending) ...
    outcomes, stats = run(tmp_path, [page("a.html"), page("kopie-von-a.html")])
    assert outcomes == ["kept", "INFO"]
    assert stats["newsarchive/duplicate"] == 1
    # ... and against the store in a later run
    outcomes, _ = run(tmp_path, [page("noch-eine-kopie.html")])
    assert outcomes == ["INFO"]
    store = open_state(f"sqlite:///{tmp_path}/state.sqlite")
    assert store.resolve_alias("https://www.ndr.de/kopie-von-a.html") == "https://www.ndr.de/a.html"
    assert store.resolve_alias("https://www.ndr.de/noch-eine-kopie.html") == "https://www.ndr.de/a.html"
    store.close()


def test_same_content_on_another_site_is_not_a_duplicate(tmp_path: Path) -> None:
    other = page("x.html", site="other")
    other["url"] = "https://www.other.de/x.html"
    outcomes, _ = run(tmp_path, [page("a.html"), other])
    assert outcomes == ["kept", "kept"]


def test_item_without_url_is_dropped_loudly(tmp_path: Path) -> None:
    crawler = get_crawler(SiteSpider, {"STATE_URI": f"sqlite:///{tmp_path}/state.sqlite"})
    dedup = DedupPipeline.from_crawler(crawler)
    with pytest.raises(DropItem) as drop:
        dedup.process_item({"title": "x"})
    assert drop.value.log_level == "ERROR"
    dedup.store.close()


def test_unchanged_refetch_updates_the_store(tmp_path: Path) -> None:
    run(tmp_path, [page("a.html")])
    refetch = page("a.html")
    refetch["raw_response"]["headers"] = [
        ["ETag", '"v2"'],
        ["Last-Modified", "Thu, 02 May 2024 10:00:00 GMT"],
    ]
    refetch["raw_response"]["fetched_at"] = "2030-01-01T00:00:00+00:00"
    outcomes, stats = run(tmp_path, [refetch])
    assert outcomes == ["DEBUG"] and stats["newsarchive/unchanged"] == 1
    store = open_state(f"sqlite:///{tmp_path}/state.sqlite")
    entry = store.get("https://www.ndr.de/a.html")
    assert entry is not None
    assert (entry.last_fetched, entry.etag, entry.revision) == ("2030-01-01T00:00:00+00:00", '"v2"', 1)
    assert entry.last_modified == "Thu, 02 May 2024 10:00:00 GMT"
    store.close()
