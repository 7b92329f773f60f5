"""One run per site: the lock in the state store, and overlapping crawls."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.runner import EXIT_LOCKED
from crawler.sites import site_classes
from pipelines.state import SqliteLockStore
from tests.clirun import FAST


def test_second_holder_is_refused_until_release(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    a, b = SqliteLockStore(db), SqliteLockStore(db)
    assert a.acquire("ndr") is None
    holder = b.acquire("ndr")
    assert holder is not None and holder.pid == os.getpid() and "pid" in holder.describe()
    assert b.acquire("mdr") is None, "locks are per site"
    a.release("ndr")
    assert b.acquire("ndr") is None
    assert not a.refresh("ndr"), "a lost lock cannot be refreshed"
    assert b.refresh("ndr")


def test_expired_lock_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    a, b = SqliteLockStore(db), SqliteLockStore(db)
    assert a.acquire("ndr", ttl=0.2) is None
    assert b.acquire("ndr", ttl=0.2) is not None
    time.sleep(0.3)
    assert b.acquire("ndr") is None


def test_lock_of_a_dead_process_on_this_host_is_stale(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    code = (
        "import sys, time; from pipelines.state import SqliteLockStore;"
        "s = SqliteLockStore(sys.argv[1]); assert s.acquire('ndr', ttl=3600) is None;"
        "print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    assert SqliteLockStore(db).acquire("ndr") is not None, "held by a live process"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert SqliteLockStore(db).acquire("ndr") is None, "dead holder's lock is stale at once"


@pytest.fixture(scope="module")
def server() -> Iterator[MirrorServer]:
    mirror = build_mirror([SiteSpec.from_spider(site_classes()["ndr"])], fixtures_dir())
    with MirrorServer(mirror) as srv:
        yield srv


def crawl(server: MirrorServer, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "ndr", "--mirror", server.url, *FAST],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_overlapping_run_exits_with_a_clear_message(server: MirrorServer, tmp_path: Path) -> None:
    other_run = SqliteLockStore(tmp_path / "archive.state.sqlite")
    assert other_run.acquire("ndr") is None
    before = len(server.requests)
    proc = crawl(server, tmp_path)
    assert proc.returncode == EXIT_LOCKED, proc.stdout + proc.stderr
    assert "another run holds it" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert len(server.requests) == before, "a locked-out run sends no request"
    other_run.release("ndr")
    proc = crawl(server, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ndr" in proc.stdout


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_run_knows_whether_the_previous_one_finished_cleanly(backend: str, tmp_path: Path) -> None:
    from pipelines.state import open_locks
    from tests.redisserver import RedisServer

    with contextlib.ExitStack() as stack:
        uri = stack.enter_context(RedisServer()).url if backend == "redis" else str(tmp_path / "s.sqlite")
        store = open_locks(uri)
        assert store.begin_run("ndr"), "no run before: nothing to distrust"
        assert not store.begin_run("ndr"), "the previous run never ended (killed)"
        store.end_run("ndr", clean=False)
        assert not store.begin_run("ndr"), "the previous run was cut short"
        store.end_run("ndr", clean=True)
        assert store.begin_run("ndr")
        assert store.begin_run("mdr"), "per site"
        store.close()
