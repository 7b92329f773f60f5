"""End to end: crawl the offline mirror in a subprocess, then read the archive back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.evaluate import date_match, token_f1
from crawler.sites import site_classes
from tests.clirun import FAST, cli

SITES = ["regionalheute", "braunschweiger_zeitung", "ndr"]


def expected_articles(site: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((fixtures_dir() / site).glob("*/expected.json"))]


@pytest.fixture(scope="module")
def server() -> Iterator[MirrorServer]:
    classes = site_classes()
    mirror = build_mirror([SiteSpec.from_spider(classes[s]) for s in SITES], fixtures_dir())
    with MirrorServer(mirror) as srv:
        yield srv


def read_back(archive: Path, *extra: str) -> tuple[list[dict[str, Any]], str]:
    proc = cli("read", "--archive", str(archive), *extra, cwd=archive.parent)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


@pytest.fixture(scope="module")
def crawled(server: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    work = tmp_path_factory.mktemp("crawl")
    proc = cli("crawl", *SITES, "--mirror", server.url, *FAST, cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return work / "archive", proc.stdout


def test_every_article_archived_once_with_expected_fields(crawled: tuple[Path, str]) -> None:
    archive, summary = crawled
    assert (archive.parent / "archive.state.sqlite").exists(), "seen-store beside the archive by default"
    records, _ = read_back(archive)
    urls = Counter(r["url"] for r in records)
    assert all(n == 1 for n in urls.values()), urls
    for site in SITES:
        expected = expected_articles(site)
        assert expected, site
        got = {r["url"]: r for r in records if r["site"] == site}
        assert set(got) == {e["url"] for e in expected}, site
        for e in expected:
            r = got[e["url"]]
            assert r["title"] == e["title"], e["url"]
            assert token_f1(e["body"], r["body"]) >= 0.95, e["url"]
            if e.get("published"):
                assert date_match(e["published"], r["published"]), (e["published"], r["published"])
            assert r["raw"]["warc"].startswith("v1/raw/")
            assert r["extractor"]["method"] in {"selectors", "jsonld", "microdata", "opengraph", "fallback"}
            assert r["publisher"] and r["region"] and r["id"] and r["content_hash"]
    for site in SITES:
        assert site in summary


def test_regionalheute_body_has_no_credits_or_footer(crawled: tuple[Path, str]) -> None:
    records, _ = read_back(crawled[0], "--site", "regionalheute")
    assert len(records) == 1
    body = records[0]["body"]
    assert "Foto:" not in body and "Symbolfoto" not in body
    assert "mehr News aus der Region" not in body


def test_cursor_continues_after_last_commit(crawled: tuple[Path, str]) -> None:
    _, stderr = read_back(crawled[0])
    cursor = stderr.strip().splitlines()[-1].removeprefix("cursor: ").strip()
    assert cursor
    later, _ = read_back(crawled[0], "--after", cursor)
    assert later == []
    ndr, _ = read_back(crawled[0], "--site", "ndr")
    assert ndr and {r["site"] for r in ndr} == {"ndr"}


def test_second_run_archives_nothing_new(crawled: tuple[Path, str], server: MirrorServer) -> None:
    archive, _ = crawled
    before, _ = read_back(archive)
    proc = cli("crawl", *SITES, "--mirror", server.url, *FAST, cwd=archive.parent)
    assert proc.returncode == 0, proc.stderr
    assert "Nothing new" in proc.stdout
    after, _ = read_back(archive)
    assert len(after) == len(before)


def test_robots_txt_is_obeyed(crawled: tuple[Path, str], server: MirrorServer) -> None:
    paths = [path for _host, path, _status in server.requests]
    assert any(p == "/robots.txt" for p in paths)
    assert not any(p.startswith("/suche/") for p in paths)


def test_plain_scrapy_crawl_uses_the_same_defaults(server: MirrorServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ndr", "-s", f"MIRROR_URL={server.url}", *FAST],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    records, _ = read_back(tmp_path / "archive")
    assert {r["url"] for r in records} == {e["url"] for e in expected_articles("ndr")}
