from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.items import Article
from pipelines.archive import SCHEMA_PATH
from pipelines.archive.layout import COMMIT_RE
from pipelines.archive.pipeline import ArchivePipeline
from pipelines.archive.reader import ArchiveReader
from pipelines.normalise import NormalisePipeline
from pipelines.state import open_state, state_for
from pipelines.storage import FileStorage

HTML = "<html><body><h1>Titel</h1><p>Grüße aus Hannover</p></body></html>".encode()


class SiteSpider(Spider):
    name = "ndr"


class RecordingStorage(FileStorage):
    """A real FileStorage that remembers the order of puts and can refuse some keys."""

    def __init__(self, root: Path, refuse: str | None = None) -> None:
        super().__init__(root)
        self.puts: list[str] = []
        self.refuse = refuse

    def put(self, key: str, data: bytes) -> None:
        if self.refuse and self.refuse in key:
            raise PermissionError(13, "Permission denied", key)
        super().put(key, data)
        self.puts.append(key)


def make_crawler(tmp_path: Path, **settings: Any) -> Crawler:
    crawler = get_crawler(
        SiteSpider,
        {
            "ARCHIVE_URI": str(tmp_path / "archive"),
            "STATE_URI": f"sqlite:///{tmp_path}/state.sqlite",
            **settings,
        },
    )
    crawler.spider = SiteSpider.from_crawler(crawler)
    return crawler


def close(crawler: Crawler) -> None:
    state_for(crawler).close()  # what the spider_closed signal does (tests/test_state_sqlite.py)


def article(n: int, site: str = "ndr") -> dict[str, Any]:
    url = f"https://www.ndr.de/nachrichten/artikel-{n}.html"
    return {
        "url": url,
        "site": site,
        "publisher": "NDR",
        "region": "Niedersachsen",
        "language": "de",
        "title": f"Titel {n}",
        "body": f"Absatz eins von {n}.\n\nAbsatz zwei.",
        "authors": ["Anna Muster"],
        "published": "2024-05-01T10:00:00+02:00",
        "keywords": ["Hannover"],
        "paywalled": False,
        "extractor": {"method": "jsonld", "version": "1", "fields": {"body": "jsonld"}},
        "raw_response": {
            "url": url,
            "status": 200,
            "headers": [
                ["Content-Type", "text/html; charset=utf-8"],
                ["Content-Encoding", "gzip"],
                ["Content-Length", "17"],
                ["ETag", f'"etag-{n}"'],
            ],
            "body": HTML + str(n).encode(),
            "fetched_at": "2024-05-01T10:05:00+00:00",
            "request_headers": [["User-Agent", "newsarchive-test"]],
        },
    }


def archive_items(
    crawler: Crawler, items: list[Any], pipeline: ArchivePipeline | None = None
) -> ArchivePipeline:
    normalise = NormalisePipeline.from_crawler(crawler)
    pipeline = pipeline or ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(normalise.process_item(item))
    pipeline.close_spider()
    return pipeline


def test_commit_puts_parts_then_manifest_and_marks_seen(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.storage = storage = RecordingStorage(tmp_path / "archive")
    archive_items(crawler, [article(1), article(2), article(3, site="Other Site!")], pipeline)
    close(crawler)
    manifests = [k for k in storage.puts if k.startswith("v1/manifests/")]
    assert len(manifests) == 1 and storage.puts[-1] == manifests[0]
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    run = pipeline.run
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", run)
    assert sorted(storage.puts[:-1]) == sorted(
        [
            f"v1/articles/site=ndr/date={day}/{run}-00000.jsonl.gz",
            f"v1/raw/site=ndr/date={day}/{run}-00000.warc.gz",
            f"v1/articles/site=other_site/date={day}/{run}-00001.jsonl.gz",
            f"v1/raw/site=other_site/date={day}/{run}-00001.warc.gz",
        ]
    )
    manifest = json.loads(storage.get(manifests[0]))
    commit = manifests[0].removeprefix("v1/manifests/").removesuffix(".json")
    assert COMMIT_RE.match(commit) and commit.endswith(f"-{run}-00000")
    assert (manifest["schema_version"], manifest["commit"], manifest["run"], manifest["records"]) == (
        1,
        commit,
        run,
        3,
    )
    assert manifest["crawler"]["spider"] == "ndr"
    for part in manifest["parts"]:
        data = storage.get(part["key"])
        assert part["bytes"] == len(data) and part["sha256"] == hashlib.sha256(data).hexdigest()
        assert part["kind"] in ("articles", "raw") and part["date"] == day
    assert {p["records"] for p in manifest["parts"] if p["site"] == "ndr"} == {2}
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert (stats["newsarchive/archived"], stats["newsarchive/parts"], stats["newsarchive/commits"]) == (
        3,
        4,
        1,
    )
    store = open_state(f"sqlite:///{tmp_path}/state.sqlite")
    seen = store.get("https://www.ndr.de/nachrichten/artikel-1.html")
    assert seen is not None and seen.etag == '"etag-1"' and seen.site == "ndr"
    store.close()


def test_records_validate_against_the_schema(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    bare = {"url": "https://www.ndr.de/x.html", "site": "ndr", "title": None, "body": ""}
    archive_items(crawler, [article(1), Article(**article(2)), bare])
    close(crawler)
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    lines = []
    for path in sorted((tmp_path / "archive" / "v1" / "articles").rglob("*.jsonl.gz")):
        lines += gzip.decompress(path.read_bytes()).decode().splitlines()
    assert len(lines) == 3
    for line in lines:
        record = json.loads(line)
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, errors
        assert "raw_response" not in record
    assert json.loads(lines[2])["raw"] is None
    # records written since the kicker field: minor version 1, kicker present (null without one)
    assert all(json.loads(line)["schema_minor"] == 1 and "kicker" in json.loads(line) for line in lines)


def test_a_record_of_minor_version_0_still_validates() -> None:
    """Records written before ``kicker`` and ``schema_minor`` existed stay valid v1 records."""
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
    old = {
        "id": "0123456789abcdef", "url": "https://www.ndr.de/x.html", "canonical_url": "https://www.ndr.de/x.html",
        "site": "ndr", "publisher": "NDR", "region": None, "language": "de", "title": "Titel", "lead": None,
        "body": "Text", "authors": [], "published": None, "modified": None, "section": None, "keywords": [],
        "image": None, "paywalled": False, "crawled_at": "2024-05-01T10:00:00+00:00", "revision": 1,
        "previous_hash": None, "content_hash": "sha256:" + "0" * 64, "aliases": [], "cluster": None,
        "near_duplicate_of": None, "raw": None, "extractor": None, "schema_version": 1,
    }  # fmt: skip
    assert not [e.message for e in validator.iter_errors(old)]
    assert not [e.message for e in validator.iter_errors({**old, "kicker": "Wetter", "schema_minor": 1})]
    assert [e.message for e in validator.iter_errors({**old, "kicker": 3})]
    assert [e.message for e in validator.iter_errors({**old, "schema_minor": -1})]


def test_raw_points_at_a_warc_response_record(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    item = Article(**article(7))
    pipeline = archive_items(crawler, [item])
    close(crawler)
    assert "raw_response" not in item and item["raw"]["warc"].endswith(".warc.gz")
    reader = ArchiveReader(pipeline.storage)
    (record,) = reader.records()
    raw = record["raw"]
    assert raw == item["raw"]
    with (tmp_path / "archive" / raw["warc"]).open("rb") as fh:
        fh.seek(raw["offset"])
        warc = next(iter(ArchiveIterator(io.BytesIO(fh.read(raw["length"])))))
    assert warc.rec_type == "response"
    assert warc.rec_headers.get_header("WARC-Record-ID") == raw["record_id"]
    assert warc.rec_headers.get_header("WARC-Target-URI") == record["url"]
    assert warc.rec_headers.get_header("WARC-Date") == "2024-05-01T10:05:00.000000Z"
    assert warc.http_headers.get_statuscode() == "200"
    assert warc.http_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert warc.http_headers.get_header("Content-Encoding") is None
    assert warc.content_stream().read() == HTML + b"7"
    assert reader.read_payload(record) == HTML + b"7"
    # the whole file is a valid WARC/1.1: warcinfo, then response + request
    with (tmp_path / "archive" / raw["warc"]).open("rb") as fh:
        kinds = [(r.rec_type, r.rec_headers.protocol) for r in ArchiveIterator(fh)]
    assert kinds == [("warcinfo", "WARC/1.1"), ("response", "WARC/1.1"), ("request", "WARC/1.1")]


def test_failed_manifest_put_marks_nothing_and_next_run_archives(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = make_crawler(tmp_path)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.storage = broken = RecordingStorage(tmp_path / "archive", refuse="v1/manifests/")
    with caplog.at_level(logging.ERROR):
        archive_items(crawler, [article(1), article(2)], pipeline)
    close(crawler)
    assert crawler.stats.get_value("newsarchive/archive_errors") == 1  # type: ignore[union-attr]
    assert crawler.stats.get_value("newsarchive/archived") is None  # type: ignore[union-attr]
    (message,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Permission denied" in message and "next run" in message
    store = open_state(f"sqlite:///{tmp_path}/state.sqlite")
    assert store.get("https://www.ndr.de/nachrichten/artikel-1.html") is None
    store.close()
    assert list(ArchiveReader(broken).records()) == []  # the written parts are invisible

    again = make_crawler(tmp_path)
    archive_items(again, [article(1), article(2)])
    close(again)
    records = list(ArchiveReader(FileStorage(tmp_path / "archive")).records())
    assert [r["title"] for r in records] == ["Titel 1", "Titel 2"]


def test_parts_close_on_record_count(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, ARCHIVE_PART_MAX_RECORDS=2)
    archive_items(crawler, [article(n) for n in range(5)])
    close(crawler)
    assert crawler.stats.get_value("newsarchive/commits") == 3  # type: ignore[union-attr]
    reader = ArchiveReader(FileStorage(tmp_path / "archive"))
    commits = reader.manifests()
    assert [c[-5:] for c in commits] == ["00000", "00001", "00002"]
    assert [r["title"] for r in reader.records()] == [f"Titel {n}" for n in range(5)]


def test_parts_close_on_size_and_age(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, ARCHIVE_PART_MAX_BYTES=1)
    archive_items(crawler, [article(1), article(2)])
    close(crawler)
    assert crawler.stats.get_value("newsarchive/commits") == 2  # type: ignore[union-attr]
    crawler = make_crawler(tmp_path / "b", ARCHIVE_PART_MAX_AGE=0)
    archive_items(crawler, [article(1)])
    close(crawler)
    assert crawler.stats.get_value("newsarchive/commits") == 1  # type: ignore[union-attr]
