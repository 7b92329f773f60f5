"""Scale-out benchmark: one worker against three on the same synthetic mirror, side by side in one run.

    .venv/bin/python scripts/bench_distributed.py --per-site 300 --workers 1 3

Starts a redis-server (tests/redisserver.py) and a synthetic mirror (crawler/demo/synthetic.py) on
127.0.0.1, then for each worker count crawls the mirror from scratch (empty Redis, empty archive) with that
many ``newsarchive crawl --distributed`` processes, and prints wall time, pages per worker and pages/s as a
Markdown table. Politeness delays are off (DOWNLOAD_DELAY=0, AutoThrottle start 0) so the figures measure the
crawler, not the waiting; every article is checked to be archived exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.demo import pages_dir  # noqa: E402
from crawler.demo.mirror import SiteSpec  # noqa: E402
from crawler.demo.server import MirrorServer  # noqa: E402
from crawler.demo.synthetic import build_synthetic_mirror  # noqa: E402
from crawler.sites import site_classes  # noqa: E402
from tests.redisserver import RedisServer  # noqa: E402

SITES = ["regionalheute", "braunschweiger_zeitung", "ndr"]
SETTINGS = [
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_START_DELAY=0",
    "AUTOTHROTTLE_MAX_DELAY=1",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "DISTRIBUTED_IDLE_GRACE=1",
    "COMPRESSION_ENABLED=False",  # the mirror would gzip every page: its CPU, not the crawl's
    "LOG_LEVEL=WARNING",
]


def crawl(
    workers: int, mirror_url: str, redis: RedisServer, work: Path
) -> tuple[float, list[int], list[str]]:
    """Wall seconds, pages per worker and archived URLs of one crawl with ``workers`` processes."""
    redis.flush()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", *SITES, "--mirror", mirror_url, "--no-progress"]
    cmd += ["--archive", str(work / "archive")]
    if workers:
        cmd += ["--distributed", redis.url]
    for setting in SETTINGS:
        cmd += ["-s", setting]
    started = time.monotonic()
    procs = [
        subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for _ in range(max(workers, 1))
    ]
    outputs = [p.communicate()[0] for p in procs]
    wall = time.monotonic() - started
    if any(p.returncode for p in procs):
        raise SystemExit(f"a worker failed: exit codes {[p.returncode for p in procs]}")
    pages = []
    for out in outputs:
        total = [line for line in out.splitlines() if line.startswith("total")]
        pages.append(int(total[-1].split()[1]) if total else 0)
    read = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "read", "--archive", str(work / "archive")],
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
    )
    urls = [json.loads(line)["url"] for line in read.stdout.splitlines()]
    return wall, pages, urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-site", type=int, default=300, help="articles per site (3 sites)")
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 3],
        help="worker counts to compare (0: one plain crawl, no --distributed)",
    )
    args = parser.parse_args(argv)
    classes = site_classes()
    mirror = build_synthetic_mirror(
        [SiteSpec.from_spider(classes[s]) for s in SITES], pages_dir(), args.per_site
    )
    expected = {u for s in SITES for u in mirror.expected[s]}
    rows = []
    with RedisServer() as redis, MirrorServer(mirror) as server, tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            wall, pages, urls = crawl(workers, server.url, redis, Path(tmp) / f"w{workers}")
            counts = Counter(urls)
            if set(counts) != expected or max(counts.values()) != 1:
                raise SystemExit(f"{workers} worker(s): the archive does not hold every article exactly once")
            rows.append((workers, wall, pages))
    print(f"{len(expected)} articles on {len(SITES)} sites, {os.cpu_count()} CPU cores\n")
    print("| workers | wall time (s) | pages per worker | pages/s | speed-up |")
    print("|--------:|--------------:|:-----------------|--------:|---------:|")
    base = rows[0][1]
    for workers, wall, pages in rows:
        label = str(workers) if workers else "1 (no --distributed)"
        print(
            f"| {label} | {wall:.1f} | {', '.join(map(str, pages))} | {sum(pages) / wall:.1f} | {base / wall:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
