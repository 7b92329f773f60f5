"""Benchmark the near-duplicate index (pipelines/cluster.py in the SQLite seen-store) at scale.

    .venv/bin/python scripts/bench_near_dup.py [--articles 1000000] [--queries 5000] [--dir DIR]

Inserting 1M MinHashes of real texts would mostly time the MinHash itself, so the index is filled with
synthetic signatures (random 32-bit values, as MinHash values are uniform); the per-article cost of
``signature()`` is measured separately on generated German-like texts. Queries are half copies (signatures
of inserted articles with a share of their values replaced, i.e. Jaccard 0.5-0.9) and half new articles;
a query is what the pipeline does per item: candidates by band keys (SQL) and verification.
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.cluster import NUM_PERM, Signature, best_match, signature  # noqa: E402
from pipelines.state import NearDupEntry, SqliteSeenStore  # noqa: E402

WORDS = (  # noqa: SIM905
    "die der das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch es an werden aus "
    "er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder aber "
    "vor zur bis mehr durch man sein wurde sei Stadt Polizei Landkreis Rathaus Bürgermeister Feuerwehr Schule "
    "Verkehr Straße Kreistag Gemeinde Landtag Minister Region Unfall Einsatz Million Euro Jahr Woche Montag"
).split()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def entry(i: int, values: np.ndarray, size: int) -> NearDupEntry:
    sig = Signature(values, size)
    return NearDupEntry(
        id=f"{i:016x}",
        canonical_url=f"https://www.example.de/a-{i}.html",
        content_hash=f"sha256:{i:064x}",
        site="example",
        size=size,
        signature=sig.packed(),
        bands=sig.bands(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-neardup-"))
    path = work / "bench.neardup.sqlite"
    for leftover in work.glob("bench.neardup.sqlite*"):
        leftover.unlink()
    rng = np.random.default_rng(1)
    prng = random.Random(1)

    # per-article cost of the signature itself
    texts = [" ".join(prng.choice(WORDS) for _ in range(400)) for _ in range(300)]
    t0 = time.perf_counter()
    for text in texts:
        signature(text)
    signature_ms = (time.perf_counter() - t0) / len(texts) * 1000

    store = SqliteSeenStore(path)
    rss_start = rss_mib()
    kept: dict[int, np.ndarray] = {}
    sample = set(prng.sample(range(args.articles), args.queries // 2))
    t0 = time.perf_counter()
    for start in range(0, args.articles, args.batch):
        n = min(args.batch, args.articles - start)
        block = rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
        batch = []
        for k in range(n):
            i = start + k
            if i in sample:
                kept[i] = block[k].copy()
            batch.append(entry(i, block[k], 300))
        store.add_near_dups(batch)
    insert_s = time.perf_counter() - t0
    rss_after_insert = rss_mib()

    queries: list[tuple[str, np.ndarray, bool]] = []
    for i, values in kept.items():
        copy = values.copy()
        changed = rng.choice(NUM_PERM, size=int(NUM_PERM * rng.uniform(0.1, 0.5)), replace=False)
        copy[changed] = rng.integers(0, 2**32, size=len(changed), dtype=np.uint32)
        queries.append((f"{i:016x}", copy, True))
    for _ in range(args.queries - len(queries)):
        queries.append(("", rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32), False))
    found = false_hits = 0
    t0 = time.perf_counter()
    for expected, values, is_copy in queries:
        sig = Signature(values, 300)
        match = best_match(sig, sig.packed(), store.near_dup_candidates(sig.bands()), own_id="query")
        if is_copy and match is not None and match.id == expected:
            found += 1
        if not is_copy and match is not None:
            false_hits += 1
    query_s = time.perf_counter() - t0
    store.close()
    disk = sum(p.stat().st_size for p in work.glob("bench.neardup.sqlite*"))
    result = {
        "articles": args.articles,
        "signature_ms_per_article": round(signature_ms, 2),
        "insert_s": round(insert_s, 1),
        "inserts_per_s": round(args.articles / insert_s),
        "queries": len(queries),
        "query_ms": round(query_s / len(queries) * 1000, 3),
        "copies_found": f"{found}/{len(kept)}",
        "false_matches": f"{false_hits}/{len(queries) - len(kept)}",
        "rss_before_mib": round(rss_start, 1),
        "rss_after_insert_mib": round(rss_after_insert, 1),
        "max_rss_mib": round(rss_mib(), 1),
        "disk_mib": round(disk / 2**20, 1),
        "bytes_per_article": round(disk / args.articles),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
