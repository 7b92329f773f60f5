from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from pipelines.archive.pipeline import ArchivePipeline
from pipelines.archive.reader import ArchiveError, ArchiveReader, open_archive
from pipelines.normalise import NormalisePipeline
from pipelines.state import state_for
from pipelines.storage import FileStorage, StorageError
from tests.threats import observe


class SiteSpider(Spider):
    name = "ndr"


def crawl(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    crawler = get_crawler(
        SiteSpider,
        {"ARCHIVE_URI": str(tmp_path / "archive"), "STATE_URI": f"sqlite:///{tmp_path}/state.sqlite"},
    )
    crawler.spider = SiteSpider.from_crawler(crawler)
    normalise, archive = NormalisePipeline.from_crawler(crawler), ArchivePipeline.from_crawler(crawler)
    archive.open_spider()
    for item in items:
        archive.process_item(normalise.process_item(item))
    archive.close_spider()
    state_for(crawler).close()


def item(n: int, site: str = "ndr") -> dict[str, Any]:
    return {"url": f"https://www.{site}.de/{n}.html", "site": site, "title": f"T{n}", "body": f"B{n}"}


def titles(records: Any) -> list[str]:
    return [r["title"] for r in records]


def test_cursor_and_site_filter(tmp_path: Path) -> None:
    crawl(tmp_path, [item(1), item(2, "mopo")])
    reader = open_archive(str(tmp_path / "archive"))
    assert titles(reader.records()) == ["T1", "T2"]
    first = reader.cursor
    assert first is not None and reader.manifests() == [first]
    crawl(tmp_path, [item(3)])
    assert titles(reader.records(after=first)) == ["T3"]
    second = reader.cursor
    assert second is not None and second > first
    assert titles(reader.records(after=second)) == [] and reader.cursor == second
    assert titles(reader.records(site="mopo")) == ["T2"]
    assert reader.manifests(after=first) == [second]
    # a corrupted cursor is an error, not "nothing after it"
    for garbage in ("garbage", first + "x", "zzzz", ""):
        with pytest.raises(ValueError, match="not a cursor"):
            list(reader.records(after=garbage))
    with pytest.raises(ValueError, match="is after"):
        list(reader.records(published_from="2024-02-01", published_to="2024-01-31"))


def test_uncommitted_part_is_invisible(tmp_path: Path) -> None:
    crawl(tmp_path, [item(1)])
    storage = FileStorage(tmp_path / "archive")
    orphan = json.dumps({**item(9), "id": "0" * 16}).encode() + b"\n"
    storage.put(
        "v1/articles/site=ndr/date=2024-01-01/20240101T000000Z-deadbeef-00000.jsonl.gz", gzip.compress(orphan)
    )
    storage.put("v1/manifests/not-a-commit.json", b"{}")
    assert titles(ArchiveReader(storage).records()) == ["T1"]


def test_tampered_part_is_an_error(tmp_path: Path) -> None:
    crawl(tmp_path, [item(1)])
    (part,) = (tmp_path / "archive" / "v1" / "articles").rglob("*.jsonl.gz")
    part.write_bytes(gzip.compress(b"{}\n"))
    with pytest.raises(ArchiveError, match="sha256"):
        list(open_archive(str(tmp_path / "archive")).records())


def test_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_archive(str(tmp_path / "nowhere"))


def test_record_without_raw(tmp_path: Path) -> None:
    crawl(tmp_path, [item(1)])
    reader = open_archive(str(tmp_path / "archive"))
    (record,) = reader.records()
    assert record["raw"] is None
    with pytest.raises(KeyError):
        reader.read_raw(record)
    assert not list((tmp_path / "archive" / "v1").glob("raw"))  # no empty WARC part


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("v1/articles/../../../etc/passwd", "'.' or '..' segment"),
        ("/etc/passwd", "absolute path"),
        ("v1/articles/.hidden", "hidden segment"),
    ],
)
def test_a_manifest_key_that_leaves_the_archive_is_a_clear_error(
    tmp_path: Path, key: str, reason: str
) -> None:
    """A tampered manifest naming ../ or an absolute path: one line, exit 2, nothing outside the archive read."""
    import subprocess
    import sys

    from tests.clirun import clean_env
    from tests.test_reading_support import sample_archive

    archive = sample_archive(tmp_path)
    manifest = sorted((archive / "v1/manifests").glob("*.json"))[0]
    data = json.loads(manifest.read_text())
    data["parts"][0]["key"] = key
    manifest.write_text(json.dumps(data))
    reader = open_archive(str(archive))
    with pytest.raises(ArchiveError, match=f"lists an unsafe key, not read: .*{reason}"):
        list(reader.records())
    for command in ("read", "verify"):
        proc = subprocess.run(
            [sys.executable, "-m", "crawler.cli", command, "--archive", str(archive)],
            capture_output=True, text=True, cwd=tmp_path, env=clean_env(), timeout=60,
        )  # fmt: skip
        assert proc.returncode == 2 if command == "read" else proc.returncode != 0, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        assert reason in proc.stderr + proc.stdout, proc.stderr + proc.stdout
        if command == "read" and ".." in key:
            observe(
                "manifest-key", f"read: exit {proc.returncode}; {proc.stderr.strip().splitlines()[-1][:260]}"
            )
