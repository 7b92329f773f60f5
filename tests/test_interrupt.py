"""Interrupts with real signals at random moments: the run ends within a bound with exit code 6, commits what it
archived, and after a last run every article is in the archive exactly once (docs/RELIABILITY.md).

The moments are random (the seed is printed on failure); whatever the moment, the assertions hold: a signal that
lands after the crawl finished finds exit code 0 instead of 6, nothing else changes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import pages_dir
from crawler.demo.mirror import SiteSpec, path_key
from crawler.demo.server import MirrorServer
from crawler.demo.synthetic import SyntheticMirror, build_synthetic_mirror
from crawler.shutdown import EXIT_INTERRUPTED
from crawler.sites import site_classes
from pipelines.archive.reader import open_archive
from tests.clirun import clean_env

SITES = ["ndr", "mdr"]
TIMEOUT = 20.0  # SHUTDOWN_TIMEOUT of these runs
ARGS = [
    *("-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ARCHIVE_PART_MAX_RECORDS=5"),
    *("-s", f"SHUTDOWN_TIMEOUT={TIMEOUT:g}", "-s", "LOG_LEVEL=INFO", "--no-progress"),
]
SEED = int(os.environ.get("INTERRUPT_SEED") or time.time())


@pytest.fixture(scope="module")
def mirror() -> SyntheticMirror:
    classes = site_classes()
    return build_synthetic_mirror([SiteSpec.from_spider(classes[s]) for s in SITES], pages_dir(), 30)


@pytest.fixture(scope="module")
def server(mirror: SyntheticMirror) -> Iterator[MirrorServer]:
    with MirrorServer(mirror) as srv:
        yield srv


def start(server: MirrorServer, work: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", *SITES, "--mirror", server.url, *ARGS],
        cwd=work,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_an_article(server: MirrorServer, mirror: SyntheticMirror, proc: subprocess.Popen[str]) -> None:
    articles = {path_key(u) for s in SITES for u in mirror.expected[s]}
    seen = len(server.requests)
    deadline = time.monotonic() + 60
    while not any(p in articles for _h, p, _s in server.requests[seen:]) and proc.poll() is None:
        assert time.monotonic() < deadline, "no article fetched within 60 s"
        time.sleep(0.005)


def interrupt(proc: subprocess.Popen[str], signals: list[tuple[float, int]]) -> tuple[int, str, str, float]:
    """Send each (pause, signal) in turn; the exit code, output and seconds from the first signal to the end."""
    first = 0.0
    for pause, signum in signals:
        time.sleep(pause)
        if proc.poll() is not None:
            break
        first = first or time.monotonic()
        proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=TIMEOUT + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the process outlived its bound after the interrupt (seed {SEED})")
    return proc.returncode, out, err, time.monotonic() - (first or time.monotonic())


def urls(work: Path) -> Counter[str]:
    archive = work / "archive"
    return Counter(r["url"] for r in open_archive(str(archive)).records()) if archive.exists() else Counter()


def test_interrupts_at_random_moments_lose_and_double_nothing(
    server: MirrorServer, mirror: SyntheticMirror, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    plans = [
        [(rng.uniform(0, 1.5), signal.SIGINT)],  # one interrupt: graceful
        [(rng.uniform(0, 1.5), signal.SIGTERM), (rng.uniform(0, 0.3), signal.SIGTERM)],  # twice: at once
    ]
    for plan in plans:
        before = urls(tmp_path)
        proc = start(server, tmp_path)
        wait_for_an_article(server, mirror, proc)
        code, out, err, took = interrupt(proc, plan)
        context = f"seed {SEED}, plan {plan}: exit {code}\n{out[-1500:]}\n{err[-3000:]}"
        assert code in (0, EXIT_INTERRUPTED), context
        after = urls(tmp_path)
        assert all(n == 1 for n in after.values()), context
        assert set(before) <= set(after), context  # nothing committed is lost
        if code == EXIT_INTERRUPTED:
            assert "shutting down" in err, context
            assert took < TIMEOUT + 10, context
            assert "Nothing new" not in out, context
            if len(plan) == 1:  # a single interrupt commits and says what it committed
                assert "Interrupted (SIG" in out, context
                assert "Traceback" not in err, context
    final = start(server, tmp_path)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, f"seed {SEED}\n{err[-3000:]}"
    got = urls(tmp_path)
    expected = {u for s in SITES for u in mirror.expected[s]}
    assert set(got) == expected, f"seed {SEED}"
    assert all(n == 1 for n in got.values()), f"seed {SEED}"


def test_max_articles_stops_scheduling(server: MirrorServer, mirror: SyntheticMirror, tmp_path: Path) -> None:
    limit = 3
    cmd = ["crawl", "ndr", "--mirror", server.url, "--max-articles", str(limit), *ARGS]
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *cmd],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = urls(tmp_path)
    # pages fetched before the N-th article was archived are in flight; none of them is archived beyond N
    assert len(got) == limit, (len(got), proc.stdout)
    assert all(n == 1 for n in got.values())
    assert "stopping" in proc.stderr
