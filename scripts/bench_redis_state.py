"""Redis seen-store at scale: bytes, commands and Redis CPU per archived article, measured on a real redis-server.

    .venv/bin/python scripts/bench_redis_state.py [--articles 1000000] [--batch 500] [--json]

Starts a redis-server on 127.0.0.1 (Debian's package; no persistence, its own temporary directory) and loads
``--articles`` synthetic articles through the real write path of ``pipelines.state.redis.RedisSeenStore``, one
commit of ``--batch`` articles at a time, as ArchivePipeline does: ``prepare_commit`` (the pending commit),
``stage_near_dup`` for every article (a random 128 x 16-bit MinHash signature and its 32 LSH band keys: unrelated
articles, as almost all are) and ``mark_archived`` (seen entry, content-hash index, near-duplicate index, the
pending commit dropped). Synthetic entries look like real ones: a canonical URL of ~95 characters, an id, a
sha256 content hash, ISO timestamps, an ETag and a Last-Modified value.

Reported, from Redis' own INFO counters: bytes of ``used_memory`` per article (all keys, and per key family by
MEMORY USAGE), commands per article, Redis CPU seconds per article (redis-server is single-threaded: one core is
its ceiling, so 1 / that figure is the article rate at which one Redis saturates), and the same for the lookups
of the crawl (one ``get`` per discovered URL, one near-duplicate candidate lookup per new article).

``--compact`` also loads the same articles in a compact layout into another database, to measure it before it
is proposed (docs/SCALING.md): binary digests instead of URLs and hex hashes as hash fields, packed values, and
the entries spread over bucket hashes small enough for Redis' listpack encoding; the LSH bands likewise (a band
key -> article digests, in bucket hashes) instead of one set per band key.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import struct
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.cluster import BANDS, NUM_PERM, band_keys  # noqa: E402
from pipelines.state import NearDupEntry, SeenEntry  # noqa: E402
from pipelines.text import article_id  # noqa: E402

SITES = [f"site{n:03d}" for n in range(310)]  # about the regional titles of Germany
#: compact layout: entries per bucket hash aimed at (Redis keeps hashes of up to 128 small entries as a listpack)
COMPACT_PER_BUCKET = 64


def buckets_for(entries: int) -> int:
    """A power of two of buckets that holds ``entries`` at about COMPACT_PER_BUCKET each."""
    return 1 << max(0, (entries // COMPACT_PER_BUCKET - 1).bit_length())


def synthetic(n: int, rng: random.Random) -> tuple[SeenEntry, NearDupEntry]:
    site = SITES[n % len(SITES)]
    url = f"https://www.{site}.de/lokales/stadt-{n % 97}/ein-artikel-ueber-etwas-aus-der-region-{n}.html"
    digest = "sha256:" + hashlib.sha256(f"{n}".encode()).hexdigest()
    when = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00+00:00"
    entry = SeenEntry(
        canonical_url=url,
        id=article_id(url),
        site=site,
        content_hash=digest,
        revision=1,
        first_seen=when,
        last_fetched=when,
        etag=f'W/"{n:x}-{rng.getrandbits(32):08x}"',
        last_modified="Mon, 01 Dec 2026 10:00:00 GMT",
        published=when,
    )
    import numpy as np

    values = np.frombuffer(rng.randbytes(NUM_PERM * 4), dtype="<u4")
    near = NearDupEntry(
        id=entry.id,
        canonical_url=url,
        content_hash=digest,
        site=site,
        size=300 + n % 500,
        signature=(values & 0xFFFF).astype("<u2").tobytes(),
        bands=band_keys(values),
    )
    return entry, near


def info(db: Any) -> dict[str, float]:
    mem = db.info("memory")
    cpu = db.info("cpu")
    stats = db.info("stats")
    return {
        "used_memory": float(mem["used_memory"]),
        "cpu": float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]),
        "commands": float(stats["total_commands_processed"]),
        "time": time.monotonic(),
    }


def delta(after: dict[str, float], before: dict[str, float], n: int) -> dict[str, float]:
    return {
        "bytes_per_article": (after["used_memory"] - before["used_memory"]) / n,
        "commands_per_article": (after["commands"] - before["commands"]) / n,
        "redis_cpu_us_per_article": 1e6 * (after["cpu"] - before["cpu"]) / n,
        "wall_per_article_us": 1e6 * (after["time"] - before["time"]) / n,
    }


def family_bytes(db: Any, prefix: str, n: int, near: int) -> dict[str, float]:
    """Bytes per article of each key family (MEMORY USAGE; band sets sampled); nd:* per near-dup article."""
    out: dict[str, float] = {}
    for name in ("seen", "aliases", "pending"):
        out[name] = float(db.memory_usage(f"{prefix}:{name}", samples=0) or 0) / n
    out["nd:docs"] = float(db.memory_usage(f"{prefix}:nd:docs", samples=0) or 0) / near
    byhash = [k for k in db.scan_iter(f"{prefix}:byhash:*", count=1000)]
    out["byhash"] = sum(float(db.memory_usage(k, samples=0) or 0) for k in byhash) / n
    bands = []
    for key in db.scan_iter(f"{prefix}:nd:band:*", count=10000):
        bands.append(key)
        if len(bands) >= 20000:
            break
    keys = db.dbsize()
    if bands:
        sample = sum(float(db.memory_usage(k, samples=0) or 0) for k in bands) / len(bands)
        out["nd:band (sets)"] = sample * (keys - len(byhash) - 4) / near
    out["keys_per_article"] = keys / n
    return out


def load_real(
    uri: str, first: int, stop: int, batch: int, rng: random.Random, near_dup: bool
) -> tuple[list[str], list[tuple[int, ...]]]:
    """Articles ``first`` .. ``stop`` - 1 through RedisSeenStore's commit path (with the near-duplicate index
    or without it); a sample of their URLs and band keys for the lookups."""
    from pipelines.state.redis import RedisSeenStore

    store = RedisSeenStore(uri)
    urls: list[str] = []
    bands: list[tuple[int, ...]] = []
    started = time.monotonic()
    try:
        for start in range(first, stop, batch):
            entries = []
            for n in range(start, min(start + batch, stop)):
                entry, near = synthetic(n, rng)
                if near_dup:
                    store.stage_near_dup(near)
                entries.append(entry)
                if n % 997 == 0:
                    urls.append(entry.canonical_url)
                    bands.append(near.bands)
            commit = f"bench-{start // batch:08d}"
            store.prepare_commit(commit, entries)
            store.mark_archived(entries, commit=commit)
            if ((start - first) // batch) % 200 == 199:
                done = start + len(entries) - first
                rate = done / max(time.monotonic() - started, 1e-9)
                print(
                    f"  loaded {start + len(entries):,} articles ({rate:,.0f}/s)", file=sys.stderr, flush=True
                )
    finally:
        store.close()
    return urls, bands


def lookups(uri: str, urls: list[str], bands: list[tuple[int, ...]]) -> dict[str, dict[str, float]]:
    """Redis cost of the crawl's reads: get() of known and unknown URLs, near-duplicate candidate lookups."""
    from pipelines.state.redis import RedisSeenStore

    store = RedisSeenStore(uri)
    try:
        out = {}
        before = info(store.db)
        for url in urls:
            assert store.get(url) is not None
        out["get_known"] = delta(info(store.db), before, len(urls))
        before = info(store.db)
        for url in urls:
            store.get(url + "?unknown")
        out["get_unknown"] = delta(info(store.db), before, len(urls))
        before = info(store.db)
        for b in bands:
            store.near_dup_candidates(b)
        out["near_dup_candidates"] = delta(info(store.db), before, len(bands))
    finally:
        store.close()
    return out


def load_compact(db: Any, articles: int, batch: int, seed: int) -> None:
    """The compact layout (see the module docstring), written with pipelined HSETs."""
    rng = random.Random(seed)
    pipe = db.pipeline(transaction=False)
    url_buckets, band_buckets = buckets_for(articles), buckets_for(articles * BANDS)
    for n in range(articles):
        entry, near = synthetic(n, rng)
        url_digest = hashlib.blake2b(entry.canonical_url.encode(), digest_size=10).digest()
        bucket = int.from_bytes(url_digest[:4], "little") % url_buckets
        content = bytes.fromhex(entry.content_hash.removeprefix("sha256:"))[:16]
        stamps = [
            int(time.mktime(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))) if s else 0
            for s in (entry.first_seen, entry.last_fetched, entry.published)
        ]
        value = struct.pack("<16sHIII", content, entry.revision, *stamps)
        value += (entry.etag or "").encode() + b"\n" + (entry.last_modified or "").encode()
        pipe.hset(f"c:s:{bucket}", url_digest, value)
        pipe.hset(f"c:h:{bucket}", content[:10], url_digest)
        pipe.hset(f"c:d:{bucket}", url_digest, struct.pack("<H", near.size) + near.signature)
        for band in near.bands:
            b = band.to_bytes(8, "little", signed=True)
            pipe.hset(f"c:b:{int.from_bytes(b[:4], 'little') % band_buckets}", b, url_digest)
        if n % batch == batch - 1:
            pipe.execute()
    pipe.execute()


def compact_family_bytes(db: Any, n: int) -> dict[str, float]:
    """Bytes per article of each family of the compact layout (MEMORY USAGE of up to 2,000 buckets each)."""
    out: dict[str, float] = {}
    names = {"c:s": "seen", "c:h": "by content hash", "c:d": "near-dup signatures", "c:b": "LSH bands"}
    for prefix, name in names.items():
        keys = []
        for key in db.scan_iter(f"{prefix}:*", count=10000):
            keys.append(key)
            if len(keys) >= 2000:
                break
        if not keys:
            continue
        size = sum(float(db.memory_usage(k, samples=0) or 0) for k in keys)
        entries = sum(int(db.hlen(k)) for k in keys)
        per_entry = size / max(entries, 1)
        out[name] = per_entry * (BANDS if prefix == "c:b" else 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=1_000_000, help="synthetic articles to load (1,000,000)"
    )
    parser.add_argument(
        "--batch", type=int, default=500, help="articles per commit (ARCHIVE_PART_MAX_RECORDS)"
    )
    parser.add_argument(
        "--near-dup-articles",
        type=int,
        default=100_000,
        help="the first N articles also enter the near-duplicate index (100,000; it takes ~8 KB an article)",
    )
    parser.add_argument("--compact", action="store_true", help="also measure the compact layout")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    if args.articles < 1000 or args.batch < 1:
        parser.error("--articles must be at least 1000 and --batch at least 1")

    from tests.redisserver import RedisServer

    results: dict[str, Any] = {"articles": args.articles, "batch": args.batch, "bands": BANDS}
    with RedisServer() as server:
        db = server.client()
        results["redis_version"] = db.info("server")["redis_version"]
        print(
            f"loading {args.articles:,} articles into redis-server {results['redis_version']}",
            file=sys.stderr,
        )
        rng = random.Random(1)
        near = min(args.near_dup_articles, args.articles)
        before = info(db)
        urls, bands = load_real(server.url, 0, near, args.batch, rng, near_dup=True)
        results["write"] = delta(info(db), before, near)
        if args.articles > near:
            before = info(db)
            more, _ = load_real(server.url, near, args.articles, args.batch, rng, near_dup=False)
            results["write_seen_only"] = delta(info(db), before, args.articles - near)
            urls += more
        results["families"] = family_bytes(db, "newsarchive", args.articles, near)
        results["reads"] = lookups(server.url, urls, bands)
        if args.compact:
            compact_db = redis_db(server.url, 1)
            before = info(compact_db)
            load_compact(compact_db, args.articles, args.batch, seed=1)
            after = info(compact_db)
            results["compact"] = delta(after, before, args.articles)
            enc = compact_db.object("encoding", "c:b:0")
            results["compact"]["bucket_encoding"] = enc.decode() if isinstance(enc, bytes) else str(enc)
            results["compact"]["keys_per_article"] = compact_db.dbsize() / args.articles
            results["compact_families"] = compact_family_bytes(compact_db, args.articles)
    report(results)
    if args.json:
        print(json.dumps(results, indent=1))


def redis_db(url: str, number: int) -> Any:
    import redis

    return redis.Redis.from_url(url.rsplit("/", 1)[0] + f"/{number}")


def report(r: dict[str, Any]) -> None:
    w = r["write"]
    print(
        f"\n{r['articles']:,} articles in redis-server {r['redis_version']}, commits of {r['batch']}, {os.cpu_count()} cores"
    )
    print(
        "\n| what | bytes / article | commands / article | Redis CPU / article | articles/s at one Redis core |"
    )
    print("|---|---:|---:|---:|---:|")
    rows = [("write (commit path, with the near-duplicate index)", w)]
    if "write_seen_only" in r:
        rows.append(("write (commit path, seen-store only)", r["write_seen_only"]))
    rows += [(f"read: {k}", v) for k, v in r["reads"].items()]
    if "compact" in r:
        rows.append(("write, compact layout", r["compact"]))
    for name, d in rows:
        cpu = d["redis_cpu_us_per_article"]
        rate = 1e6 / cpu if cpu > 0 else float("inf")
        size = f"{d['bytes_per_article']:,.0f}" if name.startswith("write") else "-"
        print(f"| {name} | {size} | {d['commands_per_article']:.1f} | {cpu:.1f} us | {rate:,.0f} |")
    print("\nbytes per article by key family (MEMORY USAGE; nd:* per article in the near-duplicate index):")
    for name, value in r["families"].items():
        print(f"  {name}: {value:,.1f}")
    if "compact" in r:
        print(
            f"  compact layout: {r['compact']['keys_per_article']:.3f} keys per article, buckets {r['compact']['bucket_encoding']}"
        )


if __name__ == "__main__":
    main()
