"""Faults of the machine itself: a full disk and an unwritable archive root give a clear error and a non-zero
exit, and leave the seen-store unchanged (so the next run archives what this one could not)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.runner import EXIT_ARCHIVE_ERROR, EXIT_USAGE
from crawler.sites import site_classes
from tests.clirun import FAST


@pytest.fixture(scope="module")
def server() -> Iterator[MirrorServer]:
    mirror = build_mirror([SiteSpec.from_spider(site_classes()["ndr"])], fixtures_dir())
    with MirrorServer(mirror) as srv:
        yield srv


def tmpfs(path: Path, options: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    yield from tmpfs(tmp_path / "full", "size=12k")


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    yield from tmpfs(tmp_path / "ro", "ro,size=1m")


def crawl(server: MirrorServer, archive: Path, state: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    args = ["crawl", "ndr", "--mirror", server.url, "--archive", str(archive), "--state", str(state), *FAST]
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def seen_rows(state: Path) -> int:
    if not state.exists():
        return 0
    with sqlite3.connect(state) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return int(db.execute("SELECT COUNT(*) FROM seen").fetchone()[0]) if "seen" in tables else 0


def test_disk_full(server: MirrorServer, full_disk: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    proc = crawl(server, full_disk / "archive", state)
    assert proc.returncode == EXIT_ARCHIVE_ERROR, proc.stdout + proc.stderr[-2000:]
    assert "could not be written to the archive" in proc.stdout
    assert "No space left on device" in proc.stderr
    assert seen_rows(state) == 0, "nothing marked seen: the next run archives it"
    # with room again, the next run archives the article
    proc = crawl(server, tmp_path / "archive", state)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert seen_rows(state) == 1


def test_unwritable_archive_root(server: MirrorServer, read_only: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    before = len(server.requests)
    proc = crawl(server, read_only / "archive", state)
    assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr[-2000:]
    assert "cannot use the archive" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(server.requests) == before, "fails at start, before any request to a site"
    assert seen_rows(state) == 0
