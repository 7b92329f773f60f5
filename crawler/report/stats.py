"""One streaming pass over the archive's committed manifests and records, counting what the report shows."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.archive.export import partition_of
from pipelines.archive.reader import ArchiveReader

#: manifest keys whose values (nested dicts of numbers) are shown as crawl errors, if present
MANIFEST_STAT_KEYS = ("stats", "errors")


@dataclass
class Revised:
    id: str
    site: str
    title: str
    url: str
    revision: int


@dataclass
class Member:
    id: str
    site: str
    title: str
    url: str


@dataclass
class ArchiveStats:
    """What the report shows; memory grows with the number of distinct article ids (a set of ids)."""

    commits: int = 0
    first_commit: str | None = None
    last_commit: str | None = None
    parts: int = 0
    bytes: int = 0
    records: int = 0
    articles: int = 0
    per_day: Counter[tuple[str, str]] = field(default_factory=Counter)  # (site, day|unknown) -> articles
    revisions: int = 0
    revised: dict[str, Revised] = field(default_factory=dict)
    clusters: dict[str, list[Member]] = field(default_factory=lambda: defaultdict(list))
    methods: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    checks: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    manifest_stats: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    # district key -> articles whose main place is in it / articles naming a place in it; sites with such articles
    district_main: Counter[str] = field(default_factory=Counter)
    district_named: Counter[str] = field(default_factory=Counter)
    district_sites: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    with_place: int = 0  # articles with a main place
    # site -> [(commit, health)] from the manifests' "health" key (crawler/health.py), in commit order
    health: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=lambda: defaultdict(list))

    @property
    def sites(self) -> list[str]:
        return sorted({site for site, _ in self.per_day} | set(self.methods))

    def syndicated(self) -> list[tuple[str, list[Member]]]:
        """Clusters with more than one distinct article, largest first."""
        found = []
        for cluster, members in self.clusters.items():
            unique = list({m.id: m for m in members}.values())
            if len(unique) > 1:
                found.append((cluster, unique))
        return sorted(found, key=lambda item: (-len(item[1]), item[0]))


def _flatten(value: Any, prefix: str = "") -> dict[str, float]:
    """Numbers of a nested manifest dict as {"a/b": n}; anything else is ignored."""
    if isinstance(value, bool):
        return {prefix: float(value)} if prefix else {}
    if isinstance(value, int | float):
        return {prefix: float(value)} if prefix else {}
    if isinstance(value, Mapping):
        flat: dict[str, float] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}/{key}" if prefix else str(key)))
        return flat
    return {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def add_record(stats: ArchiveStats, record: Mapping[str, Any]) -> None:
    site, _ = partition_of(record)
    stats.records += 1
    record_id = _text(record.get("id"))
    title = _text(record.get("title"))
    url = _text(record.get("canonical_url") or record.get("url"))
    extractor = record.get("extractor")
    method = extractor.get("method") if isinstance(extractor, Mapping) else None
    stats.methods[site][_text(method) or "unknown"] += 1
    checks = stats.checks[site]
    checks["records"] += 1
    if not _text(record.get("body")).strip():
        checks["empty body"] += 1
    if not title.strip():
        checks["missing title"] += 1
    if not record.get("published"):
        checks["missing published"] += 1
    try:
        revision = int(record.get("revision") or 1)
    except (TypeError, ValueError):
        revision = 1
    if revision > 1:
        stats.revisions += 1
        known = stats.revised.get(record_id)
        if known is None or revision > known.revision:
            stats.revised[record_id] = Revised(record_id, site, title, url, revision)
    # the first copy of a cluster was archived before the second was seen (records are immutable): its
    # cluster is its own id
    stats.clusters[_text(record.get("cluster")) or record_id].append(Member(record_id, site, title, url))


def add_places(stats: ArchiveStats, record: Mapping[str, Any]) -> None:
    """Count an article's districts once (its first record; a record without places counts nowhere)."""
    site, _ = partition_of(record)
    place = record.get("place")
    if isinstance(place, Mapping) and isinstance(place.get("district"), str):
        stats.with_place += 1
        stats.district_main[place["district"]] += 1
    named = {
        p["district"]
        for p in record.get("places") or ()
        if isinstance(p, Mapping) and isinstance(p.get("district"), str)
    }
    for district in named:
        stats.district_named[district] += 1
        stats.district_sites[district].add(site)


def collect(reader: ArchiveReader) -> ArchiveStats:
    """Count over every committed commit (its manifest and its records), in commit order."""
    stats = ArchiveStats()
    seen: set[str] = set()
    for commit in reader.manifests():
        manifest = reader.manifest(commit)
        stats.commits += 1
        stats.first_commit = stats.first_commit or commit
        stats.last_commit = commit
        parts = manifest.get("parts") or []
        stats.parts += len(parts)
        stats.bytes += sum(int(p.get("bytes") or 0) for p in parts if isinstance(p, Mapping))
        crawler = manifest.get("crawler")
        spider = _text(crawler.get("spider") if isinstance(crawler, Mapping) else None) or "?"
        health = manifest.get("health")
        if isinstance(health, Mapping):
            for site, value in health.items():
                if isinstance(value, Mapping):
                    stats.health[str(site)].append((commit, dict(value)))
        for key in MANIFEST_STAT_KEYS:
            if key in manifest:
                for name, number in _flatten(manifest[key], key).items():
                    stats.manifest_stats[spider][name] += number
        for part in parts:
            if isinstance(part, Mapping) and part.get("kind") == "articles":
                for record in reader.part_records(part):
                    add_record(stats, record)
                    record_id = _text(record.get("id"))
                    if record_id not in seen:
                        seen.add(record_id)
                        stats.articles += 1
                        stats.per_day[partition_of(record)] += 1
                        add_places(stats, record)
    return stats
