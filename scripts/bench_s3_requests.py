"""S3 requests per 1,000 archived articles with the default archive settings (docs/benchmarks.md, "S3").

    .venv/bin/python scripts/bench_s3_requests.py [--articles 1000] [--sites ndr mdr]

Serves a synthetic mirror (crawler/demo/synthetic.py) on 127.0.0.1, starts moto's S3 server on 127.0.0.1, crawls
into s3://bench/archive with the default ARCHIVE_PART_* settings (politeness off for the benchmark only) and
prints the requests the archive sent (newsarchive/s3_requests: every HTTP request of the S3 client, the start-up
probe and retries included) per 1,000 archived articles.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo import pages_dir  # noqa: E402
from crawler.demo.mirror import SiteSpec  # noqa: E402
from crawler.demo.server import MirrorServer  # noqa: E402
from crawler.demo.synthetic import build_synthetic_mirror  # noqa: E402
from crawler.sites import site_classes  # noqa: E402
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, MotoServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000, help="articles per site (1000)")
    parser.add_argument("--sites", nargs="+", default=["ndr"])
    args = parser.parse_args()
    classes = site_classes()
    mirror = build_synthetic_mirror(
        [SiteSpec.from_spider(classes[s]) for s in args.sites], pages_dir(), args.articles
    )
    with tempfile.TemporaryDirectory() as tmp, MotoServer() as moto, MirrorServer(mirror) as server:
        moto.create_bucket("bench")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVE_", "STATE_"))}
        env.update(
            AWS_ENDPOINT_URL=moto.endpoint, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY
        )
        env.update(AWS_REGION=REGION, AWS_S3_ADDRESSING_STYLE="path")
        stats = Path(tmp) / "stats.json"
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", *args.sites, "--archive", "s3://bench/archive"]
        cmd += ["--mirror", server.url, "--no-progress", "-s", f"NEWSARCHIVE_STATS_FILE={stats}"]
        for setting in ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
                        "COMPRESSION_ENABLED=False", "LOG_LEVEL=WARNING"):  # fmt: skip
            cmd += ["-s", setting]
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr[-3000:], file=sys.stderr)
            return 1
        per_site = json.loads(stats.read_text())
    archived = sum(int(s.get("newsarchive/archived", 0)) for s in per_site.values())
    requests = sum(int(s.get("newsarchive/s3_requests", 0)) for s in per_site.values())
    commits = sum(int(s.get("newsarchive/commits", 0)) for s in per_site.values())
    print("| sites | articles archived | commits | S3 requests | S3 requests per 1,000 articles |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| {' '.join(args.sites)} | {archived} | {commits} | {requests} | {1000 * requests / max(archived, 1):.1f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
