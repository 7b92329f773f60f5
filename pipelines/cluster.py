"""ClusterPipeline: near-duplicate (syndication) clusters with MinHash LSH over word shingles of the body.

Agency copy reappears across sites with another headline, a regional intro, a paragraph cut or other
boilerplate. Such copies are kept (they are different articles of different sites) and get a shared
``cluster`` id: **the id of the first archived article of the cluster**. ``near_duplicate_of`` is the id
of the closest earlier member. The first article keeps ``cluster: null`` when it was archived before any
copy was seen (records are immutable), so group by ``coalesce(cluster, id)``.

The index lives in the seen-store (SQLite: one row per article with its packed signature, one row per
LSH band key, looked up with SQL, so nothing is loaded at start). An article enters the index only with its
commit (``stage_near_dup``, written by ``mark_archived``); articles of the running crawl that are not yet
committed are matched from memory.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from itemadapter import ItemAdapter

from pipelines.state import NearDupEntry, SeenStore, state_for, state_uri

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

NUM_PERM = 128  #: MinHash permutations
BANDS = 32  #: LSH bands of ROWS values each: candidates from Jaccard ~0.4 up
ROWS = 4
SHINGLE_WORDS = 3  #: words per shingle (shingles() is written for three)
MIN_SHINGLES = 12  #: shorter bodies are not clustered (too little text to tell copies apart)
MIN_JACCARD = 0.45  #: estimated Jaccard similarity of a near-duplicate ...
MIN_CONTAINMENT = 0.75  #: ... or estimated share of the shorter text found in the longer one
SEED = 1
#: every this many articles, pending articles that their commit has put in the store's index are forgotten
PRUNE_EVERY = 500

_WORD = re.compile(r"\w+")
#: per seen-store URI: band key -> articles of the crawls of this process that are not yet committed
_PENDING: dict[str, dict[int, list[NearDupEntry]]] = {}


@dataclass(frozen=True, slots=True)
class Signature:
    """MinHash values (uint32) of a text and its number of distinct shingles."""

    values: np.ndarray[Any, np.dtype[np.uint32]]
    size: int

    def packed(self) -> bytes:
        """The low 16 bits of each value (b-bit MinHash: half the bytes, collision bias 2^-16)."""
        return (self.values & 0xFFFF).astype("<u2").tobytes()

    def bands(self) -> tuple[int, ...]:
        return band_keys(self.values)


def shingles(text: str) -> set[bytes]:
    """Word n-grams (SHINGLE_WORDS, case-folded, punctuation ignored) of ``text``."""
    words = _WORD.findall(text.casefold())
    return {f"{a} {b} {c}".encode() for a, b, c in zip(words, words[1:], words[2:], strict=False)}


#: MurmurHash3's 32-bit finalizer (datasketch's "affine32" pre-mix of each input hash)
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@cache
def _permutations() -> tuple[np.ndarray[Any, np.dtype[np.uint32]], np.ndarray[Any, np.dtype[np.uint32]]]:
    """The NUM_PERM affine permutations h -> a*h + b (mod 2^32, a odd) drawn from SEED as datasketch 2's
    "affine32" scheme draws them, so that signatures are datasketch's bit for bit (tests/test_cluster.py)."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def minhash(grams: Iterable[bytes]) -> np.ndarray[Any, np.dtype[np.uint32]]:
    """The MinHash values of ``grams``: datasketch's ``MinHash(num_perm=NUM_PERM, seed=SEED).update_batch`` with
    its default "affine32" scheme (the first 4 bytes of each SHA-1 as a little-endian uint32, mixed by the
    MurmurHash3 finalizer, then each permutation's minimum), in one numpy pass without datasketch's imports."""
    sha1 = hashlib.sha1
    # whole digests joined (no slice per shingle), then the first 4 bytes of each 20 as a little-endian uint32
    digests = np.frombuffer(b"".join([sha1(g).digest() for g in grams]), dtype="<u4")
    hv = digests.reshape(-1, 5)[:, 0].astype(np.uint32)
    s1, m1, s2, m2, s3 = _FMIX
    hv ^= hv >> s1
    hv *= m1
    hv ^= hv >> s2
    hv *= m2
    hv ^= hv >> s3
    a, b = _permutations()
    if not len(hv):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    values: np.ndarray[Any, np.dtype[np.uint32]] = (hv[:, None] * a + b).min(axis=0)
    return values


def signature(text: str) -> Signature | None:
    """The MinHash signature of ``text``, or None if it has fewer than MIN_SHINGLES shingles."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    return Signature(minhash(grams), len(grams))


def band_keys(values: np.ndarray[Any, Any]) -> tuple[int, ...]:
    """One signed 64-bit key per band: a hash of the band number and its ROWS values."""
    data = np.asarray(values, dtype="<u4")
    keys = []
    for band in range(BANDS):
        chunk = data[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, salt=band.to_bytes(16, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two packed signatures."""
    x, y = np.frombuffer(a, dtype="<u2"), np.frombuffer(b, dtype="<u2")
    return float(np.count_nonzero(x == y)) / len(x)


def containment(j: float, size_a: int, size_b: int) -> float:
    """Estimated share of the smaller shingle set inside the other, from Jaccard and the set sizes."""
    if j <= 0 or not size_a or not size_b:
        return 0.0
    overlap = j * (size_a + size_b) / (1 + j)
    return min(1.0, overlap / min(size_a, size_b))


def is_near_duplicate(j: float, size_a: int, size_b: int) -> bool:
    return j >= MIN_JACCARD or containment(j, size_a, size_b) >= MIN_CONTAINMENT


def best_match(
    sig: Signature, packed: bytes, candidates: list[NearDupEntry], own_id: str
) -> NearDupEntry | None:
    """The most similar candidate that is a near-duplicate (not the article itself), or None."""
    best: tuple[float, NearDupEntry] | None = None
    for c in candidates:
        if c.id == own_id:
            continue
        j = jaccard(packed, c.signature)
        if is_near_duplicate(j, sig.size, c.size) and (best is None or j > best[0]):
            best = (j, c)
    return None if best is None else best[1]


class ClusterPipeline:
    """Set ``cluster`` / ``near_duplicate_of`` (runs between dedup and archive; never drops an item).

    Stats: ``newsarchive/near_duplicate`` (items that joined a cluster), ``newsarchive/near_dup_skipped``
    (bodies too short to compare).
    """

    def __init__(
        self, store: SeenStore, stats: StatsCollector, pending: dict[int, list[NearDupEntry]] | None = None
    ) -> None:
        self.store = store
        self.stats = stats
        # band key -> articles of this run not yet in the store's index
        self.pending: dict[int, list[NearDupEntry]] = pending if pending is not None else defaultdict(list)
        self._added = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        # the sites crawled together in one process (one crawler each) share the uncommitted articles
        shared = _PENDING.setdefault(state_uri(crawler.settings), defaultdict(list))
        return cls(state_for(crawler), crawler.stats, shared)

    def candidates(self, bands: tuple[int, ...]) -> list[NearDupEntry]:
        found = {c.id: c for c in self.store.near_dup_candidates(bands)}
        for key in bands:
            for c in self.pending.get(key, ()):
                found[c.id] = c  # this run's version is the newer one
        return list(found.values())

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        own_id = str(adapter.get("id") or "")
        body = str(adapter.get("body") or "")
        # the signature computed next to the parse, when the item carries one for this very body
        pre = adapter.get("precomputed")
        sig = pre.signature if pre is not None and getattr(pre, "body", None) == body else signature(body)
        if sig is None or not own_id:
            self.stats.inc_value("newsarchive/near_dup_skipped")
            return item
        packed, bands = sig.packed(), sig.bands()
        match = best_match(sig, packed, self.candidates(bands), own_id)
        cluster = None
        if match is not None:
            cluster = match.cluster or match.id
            adapter["cluster"] = cluster
            # a later revision of a cluster's first article matches its copies: it is nobody's copy
            adapter["near_duplicate_of"] = None if cluster == own_id else match.id
            self.stats.inc_value("newsarchive/near_duplicate")
            logger.debug("%s is a near duplicate of %s (cluster %s)", own_id, match.id, cluster)
        entry = NearDupEntry(
            id=own_id,
            canonical_url=str(adapter.get("canonical_url") or ""),
            content_hash=str(adapter.get("content_hash") or ""),
            site=str(adapter.get("site") or ""),
            size=sig.size,
            signature=packed,
            bands=bands,
            cluster=cluster,
        )
        self.store.stage_near_dup(entry)
        for key in bands:
            self.pending[key].append(entry)
        self._added += 1
        if self._added % PRUNE_EVERY == 0:
            self.prune()
        return item

    def prune(self) -> int:
        """Forget pending articles whose commit is done: the store's index finds them now, and a long crawl
        does not hold every article's signature in memory. Returns the number of band entries dropped."""
        committed: dict[str, bool] = {}

        def done(entry: NearDupEntry) -> bool:
            if entry.id not in committed:
                seen = self.store.get(entry.canonical_url)
                # the near-duplicate index is written in the transaction that marks the article seen
                committed[entry.id] = seen is not None and seen.content_hash == entry.content_hash
            return committed[entry.id]

        dropped = 0
        for key in list(self.pending):
            kept = [e for e in self.pending[key] if not done(e)]
            dropped += len(self.pending[key]) - len(kept)
            if kept:
                self.pending[key] = kept
            else:
                del self.pending[key]
        return dropped
