"""Benchmark the SQLite seen-store at scale: bulk inserts, lookups of known and unknown URLs, memory, disk.

    .venv/bin/python scripts/bench_seen_store.py [--articles 1000000] [--lookups 200000] [--dir DIR]

Entries are written the way the archive pipeline writes them (``mark_archived`` of one commit's batch);
lookups are what the spider does per discovered URL (``get``; for unknown URLs also ``resolve_alias``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.state import SeenEntry, SqliteSeenStore  # noqa: E402
from pipelines.text import article_id  # noqa: E402

SITES = ["ndr", "br", "wdr", "mdr", "waz", "tagesspiegel", "rbb24", "hessenschau"]


def url(i: int) -> str:
    site = SITES[i % len(SITES)]
    return f"https://www.{site}.de/nachrichten/region/artikel-mit-einem-langen-titel-{i:08d}.html"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500, help="entries per mark_archived (one commit)")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the database goes (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-seen-"))
    path = work / "bench.state.sqlite"
    for leftover in work.glob("bench.state.sqlite*"):
        leftover.unlink()
    store = SqliteSeenStore(path)
    rss_start = rss_mib()
    t0 = time.perf_counter()
    for start in range(0, args.articles, args.batch):
        batch = []
        for i in range(start, min(start + args.batch, args.articles)):
            u = url(i)
            batch.append(
                SeenEntry(
                    canonical_url=u,
                    id=article_id(u),
                    site=SITES[i % len(SITES)],
                    content_hash=f"sha256:{i:064x}",
                    first_seen="2026-11-27T10:00:00+00:00",
                    last_fetched="2026-11-27T10:00:00+00:00",
                    etag=f'"{i:020x}"',
                    last_modified="Fri, 27 Nov 2026 10:00:00 GMT",
                    published="2026-11-27T09:00:00+01:00",
                )
            )
        store.mark_archived(batch)
    insert_s = time.perf_counter() - t0
    rng = random.Random(1)
    known = [url(rng.randrange(args.articles)) for _ in range(args.lookups)]
    unknown = [url(args.articles + rng.randrange(10 * args.articles)) for _ in range(args.lookups)]
    t0 = time.perf_counter()
    hits = sum(store.get(u) is not None for u in known)
    known_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    misses = sum(store.get(u) is None and store.resolve_alias(u) is None for u in unknown)
    unknown_s = time.perf_counter() - t0
    store.close()
    disk = sum(p.stat().st_size for p in work.glob("bench.state.sqlite*"))
    result = {
        "articles": args.articles,
        "insert_s": round(insert_s, 1),
        "inserts_per_s": round(args.articles / insert_s),
        "known_lookups_per_s": round(args.lookups / known_s),
        "unknown_lookups_per_s": round(args.lookups / unknown_s),
        "hits_ok": hits == args.lookups and misses == args.lookups,
        "max_rss_mib": round(rss_mib(), 1),
        "rss_before_mib": round(rss_start, 1),
        "disk_mib": round(disk / 2**20, 1),
        "bytes_per_article": round(disk / args.articles),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
