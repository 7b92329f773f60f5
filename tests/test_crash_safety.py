"""Exactly once under SIGKILL: a crawl killed at several points, then rerun, archives every article once.

The points inside a commit are hit deterministically with the archive pipeline's commit hook
(ARCHIVE_COMMIT_HOOK = tests/crashhook.py, NEWSARCHIVE_CRASH_AT); "while fetching" kills the crawl as soon as the
mirror has served its first article.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror, SiteSpec, build_mirror, path_key
from crawler.demo.server import MirrorServer
from crawler.sites import site_classes
from pipelines.archive.reader import open_archive
from tests.crashhook import ENV as CRASH_AT_ENV
from tests.crashhook import HOOK

REPO = Path(__file__).resolve().parents[1]
SITES = ["ndr", "regionalheute", "braunschweiger_zeitung", "wdr"]
ARGS = [
    *("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "AUTOTHROTTLE_MAX_DELAY=1"),
    *("-s", "ARCHIVE_PART_MAX_RECORDS=1"),
]


@pytest.fixture(scope="module")
def mirror() -> Mirror:
    classes = site_classes()
    return build_mirror([SiteSpec.from_spider(classes[s]) for s in SITES], fixtures_dir())


@pytest.fixture(scope="module")
def server(mirror: Mirror) -> Iterator[MirrorServer]:
    with MirrorServer(mirror) as srv:
        yield srv


def start(server: MirrorServer, work: Path, crash_at: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI", CRASH_AT_ENV)}
    hook: list[str] = []
    if crash_at:
        env[CRASH_AT_ENV] = crash_at
        env["PYTHONPATH"] = str(REPO)  # the hook lives in tests/
        hook = ["-s", f"ARCHIVE_COMMIT_HOOK={HOOK}"]
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", *SITES, "--mirror", server.url, *ARGS, *hook],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def archived_urls(work: Path) -> Counter[str]:
    return Counter(r["url"] for r in open_archive(str(work / "archive")).records())


def rerun_and_check(server: MirrorServer, mirror: Mirror, work: Path) -> str:
    proc = start(server, work)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr[-3000:]
    expected = {a.url for s in SITES for a in mirror.sites[s].articles}
    got = archived_urls(work)
    assert set(got) == expected
    assert all(n == 1 for n in got.values()), got
    return stderr


@pytest.mark.parametrize("crash_at", ["after-part:1", "after-part:4", "in-manifest:2", "after-manifest:2"])
def test_killed_inside_a_commit(crash_at: str, server: MirrorServer, mirror: Mirror, tmp_path: Path) -> None:
    proc = start(server, tmp_path, crash_at)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, stderr[-3000:]
    before = archived_urls(tmp_path)
    assert all(n == 1 for n in before.values())
    if crash_at.startswith("after-manifest"):
        assert before, "the killed commit's manifest was written"
    stderr = rerun_and_check(server, mirror, tmp_path)
    # a commit whose manifest exists but whose articles were not yet marked seen is marked by the rerun
    assert ("'newsarchive/recovered_commits': 1" in stderr) == crash_at.startswith("after-manifest")


def test_killed_while_fetching(server: MirrorServer, mirror: Mirror, tmp_path: Path) -> None:
    articles = {path_key(a.url) for s in SITES for a in mirror.sites[s].articles}
    seen = len(server.requests)
    proc = start(server, tmp_path)
    deadline = time.monotonic() + 60
    while not any(p in articles for _h, p, _s in server.requests[seen:]) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert all(n == 1 for n in archived_urls(tmp_path).values())
    rerun_and_check(server, mirror, tmp_path)


def test_pending_commits_without_manifest_are_dropped_only_when_old(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from pipelines.archive.layout import commit_name
    from pipelines.archive.pipeline import ArchivePipeline
    from pipelines.state import SeenEntry, state_for

    crawler = get_crawler(
        Spider, {"ARCHIVE_URI": str(tmp_path / "archive"), "STATE_URI": f"sqlite:///{tmp_path}/s.sqlite"}
    )
    pipeline = ArchivePipeline.from_crawler(crawler)
    store = state_for(crawler)
    entry = SeenEntry("https://www.ndr.de/a.html", "0123456789abcdef", "ndr", "sha256:x")
    old = commit_name("20000101T000000Z-00000000", 0, datetime(2000, 1, 1, tzinfo=UTC))
    young = commit_name("20990101T000000Z-00000000", 0)
    store.prepare_commit(old, [entry])
    store.prepare_commit(young, [entry])
    pipeline.recover()
    assert [p.commit for p in store.pending_commits()] == [young]
    assert store.get(entry.canonical_url) is None
    store.close()
