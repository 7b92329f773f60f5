"""Crash safety beyond the unit test: kill one crawl with SIGKILL at random moments, rerun after each kill, and
check that the final archive holds every article exactly once (docs/RELIABILITY.md, "Twenty SIGKILLs").

    .venv/bin/python scripts/kill_crawl.py [--kills 20] [--articles 400] [--seed N] [--signal KILL|INT|TERM|INT2]

With --signal INT or TERM the runs are interrupted instead (crawler/shutdown.py), INT2 sends two SIGINTs 0-0.3 s
apart: each run must end within SHUTDOWN_TIMEOUT + 10 s with exit code 6 (or 0 when it finished first).

A synthetic mirror (crawler/demo/synthetic.py) of ndr and mdr is served on 127.0.0.1; every run crawls both
sites into one local archive with small parts (ARCHIVE_PART_MAX_RECORDS=7), so kills land while fetching, while
parts are written, between a part and its manifest and while the seen-store is updated. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo import pages_dir  # noqa: E402
from crawler.demo.mirror import SiteSpec  # noqa: E402
from crawler.demo.server import MirrorServer  # noqa: E402
from crawler.demo.synthetic import build_synthetic_mirror  # noqa: E402
from crawler.sites import site_classes  # noqa: E402
from pipelines.archive.reader import open_archive  # noqa: E402

SITES = ["ndr", "mdr"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--articles", type=int, default=400, help="articles per site")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--signal", choices=["KILL", "INT", "TERM", "INT2"], default="KILL")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    classes = site_classes()
    mirror = build_synthetic_mirror(
        [SiteSpec.from_spider(classes[s]) for s in SITES], pages_dir(), args.articles
    )
    expected = {url for site in SITES for url in mirror.expected[site]}
    print(
        f"seed {args.seed}: {len(expected)} articles on {', '.join(SITES)}; {args.kills} SIG{args.signal}s, "
        "then a last run"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    with tempfile.TemporaryDirectory() as tmp, MirrorServer(mirror) as server:
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", *SITES, "--mirror", server.url, "--no-progress"]
        for setting in ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_START_DELAY=0", "ARCHIVE_PART_MAX_RECORDS=7",
                        "COMPRESSION_ENABLED=False", "LOG_LEVEL=ERROR", "RUN_LOCK_TTL=5"):  # fmt: skip
            cmd += ["-s", setting]
        archive = Path(tmp) / "archive"
        codes: Counter[int] = Counter()
        outlived: list[int] = []
        shrank: list[int] = []
        for n in range(1, args.kills + 1):
            before = count(archive)
            proc = subprocess.Popen(
                cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            launched = time.monotonic()
            if args.signal == "KILL":
                moment = rng.uniform(0.3, 4.0)
            else:  # an interrupt lands while the crawl runs: after the process has started up and fetches
                seen = len(server.requests)
                started = time.monotonic()
                while (
                    len(server.requests) == seen and proc.poll() is None and time.monotonic() < started + 60
                ):
                    time.sleep(0.01)
                moment = time.monotonic() - started + rng.uniform(0.0, 3.0)
            time.sleep(max(0.0, moment - (time.monotonic() - launched)))
            state = "killed" if proc.poll() is None else f"had exited ({proc.returncode})"
            sent = time.monotonic()
            if args.signal == "KILL":
                proc.send_signal(signal.SIGKILL)
            else:
                proc.send_signal(signal.SIGTERM if args.signal == "TERM" else signal.SIGINT)
                if args.signal == "INT2":
                    time.sleep(rng.uniform(0, 0.3))
                    proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                state += ", OUTLIVED ITS BOUND"
                outlived.append(n)
            took = time.monotonic() - sent
            codes[proc.returncode] += 1
            after = count(archive)
            print(
                f"kill {n:2d} after {moment:4.2f} s: {state}, exit {proc.returncode} {took:4.1f} s later; "
                f"committed records {before} -> {after}"
            )
            if after < before:
                shrank.append(n)
        final = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
        records = list(open_archive(str(archive)).records()) if archive.exists() else []
    urls = Counter(r["url"] for r in records)
    twice = [u for u, c in urls.items() if c > 1]
    missing = expected - set(urls)
    extra = set(urls) - expected
    print(
        f"last run exit {final.returncode}; records {len(records)}, distinct {len(urls)}, expected {len(expected)}"
    )
    print(f"missing {len(missing)}, twice {len(twice)}, unexpected {len(extra)}")
    print(
        f"exit codes of the signalled runs: {dict(sorted(codes.items()))}; outlived the bound: {outlived or 'none'}"
    )
    ok = final.returncode == 0 and not missing and not twice and not extra and not outlived and not shrank
    print("EVERY ARTICLE EXACTLY ONCE" if ok else "FAILED")
    return 0 if ok else 1


def count(archive: Path) -> int:
    if not archive.exists():
        return 0
    return sum(1 for _ in open_archive(str(archive)).records())


if __name__ == "__main__":
    sys.exit(main())
