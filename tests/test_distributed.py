"""Distributed crawling against a real redis-server: three worker processes share one crawl.

A synthetic mirror of 3 sites x 170 articles (crawler/demo/synthetic.py) is crawled by three
``newsarchive crawl --distributed`` processes into one archive; every article must be archived exactly once,
also when one worker is killed with SIGKILL mid-crawl. Politeness: a server that counts requests in flight per
Host shows that three workers stay within CONCURRENT_REQUESTS_PER_DOMAIN together (and exceed it without the
shared politeness middleware).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror, Resource, SiteSpec
from crawler.demo.server import MirrorServer
from crawler.demo.synthetic import SyntheticMirror, build_synthetic_mirror, variant_url
from crawler.extract import extract
from crawler.sites import site_classes
from tests.redisserver import RedisServer

SITES = ["regionalheute", "braunschweiger_zeitung", "ndr"]
PER_SITE = 170
FAST = [
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_START_DELAY=0",
    "-s", "AUTOTHROTTLE_MAX_DELAY=1",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s", "DISTRIBUTED_HEARTBEAT_TTL=3",
    "-s", "DISTRIBUTED_IDLE_GRACE=1",
    "-s", "LOG_LEVEL=INFO",
]  # fmt: skip


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def synthetic() -> SyntheticMirror:
    classes = site_classes()
    return build_synthetic_mirror([SiteSpec.from_spider(classes[s]) for s in SITES], fixtures_dir(), PER_SITE)


@pytest.fixture(scope="module")
def mirror(synthetic: SyntheticMirror) -> Iterator[MirrorServer]:
    with MirrorServer(synthetic) as srv:
        yield srv


def start_worker(
    work: Path, mirror_url: str, redis_url: str, name: str, sites: list[str], *extra: str
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", *sites, "--mirror", mirror_url]
    cmd += ["--archive", str(work / "archive"), "--distributed", redis_url, "--no-progress", *FAST, *extra]
    with (work / f"{name}.out").open("w") as out, (work / f"{name}.log").open("w") as log:
        return subprocess.Popen(cmd, cwd=work, env=env, text=True, stdout=out, stderr=log)


def finish(procs: list[subprocess.Popen[str]], timeout: float = 150) -> list[int]:
    deadline = time.monotonic() + timeout
    codes = []
    for p in procs:
        try:
            codes.append(p.wait(timeout=max(1.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            p.kill()
            raise
    return codes


def read_archive(work: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "read", "--archive", str(work / "archive")],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def pages_per_worker(work: Path, names: list[str]) -> dict[str, int]:
    """The "pages" total of each worker's summary table."""
    out = {}
    for name in names:
        total = [line for line in (work / f"{name}.out").read_text().splitlines() if line.startswith("total")]
        out[name] = int(total[-1].split()[1]) if total else 0
    return out


def assert_exactly_once(records: list[dict[str, Any]], synthetic: SyntheticMirror) -> None:
    counts = Counter(r["url"] for r in records)
    doubled = {u: n for u, n in counts.items() if n > 1}
    assert not doubled, f"archived more than once: {list(doubled)[:5]}"
    expected = {u for site in SITES for u in synthetic.expected[site]}
    missing = expected - set(counts)
    assert not missing, f"{len(missing)} articles not archived, e.g. {sorted(missing)[:3]}"
    assert set(counts) == expected
    assert len({r["content_hash"] for r in records}) == len(records)


def test_synthetic_mirror_variants_are_unique_articles(synthetic: SyntheticMirror) -> None:
    classes = site_classes()
    assert synthetic.article_count == len(SITES) * PER_SITE
    for site in SITES:
        urls = synthetic.expected[site]
        assert len(set(urls)) == PER_SITE
        spider = classes[site]()
        assert all(spider.is_article_url(u) for u in urls)
        seen = set()
        for url in urls[:3]:
            host, path = url.split("/", 3)[2], "/" + url.split("/", 3)[3]
            page = synthetic.get(host, path)
            assert page is not None and page.status == 200
            fields = extract(page.body, url, classes[site].selectors)
            assert fields["canonical_url"] in (None, url)
            seen.add((fields["title"], fields["body"]))
        assert len(seen) == 3
    assert variant_url("https://x.de/a/slug-1234567.html", 0, 0) == "https://x.de/a/slug-1234568.html"
    assert variant_url("https://x.de/a/slug.html", 7, 1) == "https://x.de/a/v7-slug.html"


def test_three_workers_archive_every_article_once(
    redis_server: RedisServer, mirror: MirrorServer, synthetic: SyntheticMirror, tmp_path: Path
) -> None:
    redis_server.flush()
    names = ["w1", "w2", "w3"]
    started = time.monotonic()
    procs = [start_worker(tmp_path, mirror.url, redis_server.url, n, SITES) for n in names]
    assert finish(procs) == [0, 0, 0], [(tmp_path / f"{n}.log").read_text()[-3000:] for n in names]
    wall = time.monotonic() - started
    assert_exactly_once(read_archive(tmp_path), synthetic)
    pages = pages_per_worker(tmp_path, names)
    print(f"\n3 workers, {synthetic.article_count} articles: pages per worker {pages}, wall {wall:.1f} s")
    assert sum(pages.values()) >= synthetic.article_count
    assert sum(1 for n in pages.values() if n > 0) >= 2, pages  # the work was shared
    assert not redis_server.client().keys("newsarchive:*:inflight:*"), "leases left behind"

    # the next run starts a new run id: the dupefilter is cleared, the entry points are read again and
    # every article is known from the shared seen-store
    again = start_worker(tmp_path, mirror.url, redis_server.url, "again", SITES)
    assert finish([again]) == [0]
    summary = (tmp_path / "again.out").read_text()
    total = next(line for line in summary.splitlines() if line.startswith("total")).split()
    assert int(total[1]) > 0 and int(total[2]) == 0 and int(total[6]) > 0, summary  # pages, archived, known


def test_sigkill_of_a_worker_loses_nothing(
    redis_server: RedisServer, mirror: MirrorServer, synthetic: SyntheticMirror, tmp_path: Path
) -> None:
    redis_server.flush()
    names = ["w1", "w2", "w3"]
    before = len(mirror.requests)
    procs = [start_worker(tmp_path, mirror.url, redis_server.url, n, SITES) for n in names]
    # kill w1 once a third of the articles have been fetched and it holds leases (requests it popped whose
    # articles are not committed yet): they must go back into the queue
    client = redis_server.client()

    def w1_leases() -> int:
        keys = client.keys(f"newsarchive:*:inflight:*:{procs[0].pid}:*")
        return sum(int(client.hlen(k)) for k in keys)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        len(mirror.requests) - before < synthetic.article_count // 3 or w1_leases() == 0
    ):
        assert procs[0].poll() is None, "w1 finished before it could be killed"
        time.sleep(0.05)
    assert w1_leases() > 0, "w1 holds leases when it is killed"
    procs[0].send_signal(signal.SIGKILL)
    assert finish(procs[1:]) == [0, 0], [(tmp_path / f"{n}.log").read_text()[-3000:] for n in names[1:]]
    assert procs[0].wait() == -signal.SIGKILL
    logs = "".join((tmp_path / f"{n}.log").read_text() for n in names[1:])
    assert "is gone:" in logs and "went back into the queue" in logs  # a survivor requeued w1's leases
    assert_exactly_once(read_archive(tmp_path), synthetic)


# ---------------------------------------------------------------- politeness


class CountingServer(MirrorServer):
    """A MirrorServer that answers slowly and records the most requests in flight per Host at once."""

    def __init__(self, mirror: Mirror, latency: float) -> None:
        super().__init__(mirror)
        self.latency = latency
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def resolve(self, host_header: str, path: str) -> tuple[str, Resource]:
        host = host_header.lower().split(":")[0]
        with self._count_lock:
            self.in_flight[host] += 1
            self.peak[host] = max(self.peak[host], self.in_flight[host])
        time.sleep(self.latency)
        return super().resolve(host_header, path)

    def log(self, host: str, path: str, status: int) -> None:
        with self._count_lock:
            self.in_flight[host] -= 1
        super().log(host, path, status)


def polite_crawl(redis_server: RedisServer, tmp_path: Path, *extra: str) -> tuple[int, float, int]:
    """Three workers crawl one site of 40 articles; (peak requests in flight on its host, wall, requests)."""
    redis_server.flush()
    classes = site_classes()
    site_mirror = build_synthetic_mirror([SiteSpec.from_spider(classes["ndr"])], fixtures_dir(), 40)
    limit = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "AUTOTHROTTLE_ENABLED=False"]
    with CountingServer(site_mirror, latency=0.1) as server:
        started = time.monotonic()
        procs = [
            start_worker(tmp_path, server.url, redis_server.url, f"p{i}", ["ndr"], *limit, *extra)
            for i in range(3)
        ]
        assert finish(procs, timeout=100) == [0, 0, 0]
        wall = time.monotonic() - started
        assert_site = {r["url"] for r in read_archive(tmp_path)}
        assert assert_site == set(site_mirror.expected["ndr"])
        return server.peak["www.ndr.de"], wall, len(server.requests)


def test_three_workers_keep_the_per_site_limit_together(redis_server: RedisServer, tmp_path: Path) -> None:
    peak, wall, requests = polite_crawl(redis_server, tmp_path)
    print(f"\nshared politeness: peak {peak} in flight (limit 2), {requests} requests in {wall:.1f} s")
    assert 1 <= peak <= 2


def test_without_shared_politeness_three_workers_exceed_the_limit(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    peak, wall, requests = polite_crawl(redis_server, tmp_path, "-s", "DISTRIBUTED_POLITENESS=False")
    print(
        f"\nno shared politeness: peak {peak} in flight (limit 2 per worker), {requests} requests in {wall:.1f} s"
    )
    assert peak > 2
