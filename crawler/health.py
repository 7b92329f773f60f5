"""Extraction health per site and run, and drift against the site's recent history (docs/HEALTH.md).

Every article extracted in a run counts, whether the archive kept it or the dedup dropped it as unchanged or
duplicate (signals ``item_scraped``, ``item_dropped``, ``item_error``); pages rejected as no article come
from the ``newsarchive/rejected/<reason>`` stats (the total, and per reason as ``rejected_reasons``). At the
end of the run :class:`HealthMonitor` compares the run with the site's history in the state store, records it
there, puts it into the archive's last manifest of the run (key ``health``) and into the stats
(``newsarchive/health``, ``newsarchive/drift``).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import defaults
from crawler.shutdown import stopping_reason
from pipelines.archive.layout import new_run_id
from pipelines.archive.pipeline import archive_closing
from pipelines.state import HealthEntry, open_state, state_uri

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from pipelines.archive.pipeline import ArchivePipeline

logger = logging.getLogger(__name__)

#: the fields whose coverage (share of articles that have them) is tracked and judged
FIELDS = ("title", "body", "published", "authors")
#: extraction layers that read the page's structure (site selectors, structured data) rather than guess
STRUCTURED = frozenset({"selectors", "jsonld", "microdata", "opengraph"})
#: stats: the run's health (a dict) and the drifted fields (comma-separated)
STAT_HEALTH = "newsarchive/health"
STAT_DRIFT = "newsarchive/drift"
#: what `FIELD` names in a drift flag mean, for messages
LABELS = {
    "title": "title coverage",
    "body": "body coverage",
    "published": "published coverage",
    "authors": "authors coverage",
    "body_chars": "median body length",
    "layers": "layer mix (structured -> fallback)",
    "rejected": "pages rejected as no article",
    "authors_per_article": "authors per article",
    **{f"{name}_source": f"{name} source" for name in FIELDS},
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The drift rule (docs/HEALTH.md); every value has a HEALTH_* setting."""

    coverage_drop: float = 0.3  # absolute fall of title / body / published / authors coverage
    body_chars_drop: float = 0.5  # relative fall of the median body length
    structured_drop: float = 0.5  # relative fall of the structured share, with the fallback share rising
    source_shift: float = 0.5  # absolute fall of the share of a field's usual layer (most articles moved)
    authors_drop: float = 0.3  # relative fall of the mean number of authors per article
    rejected_rise: float = 0.3  # absolute rise of the share of article pages rejected as "no article"
    # runs with fewer articles are not judged on their articles (coverage, length, layers, sources, authors) nor
    # used as a baseline; runs with fewer pages (articles + rejected) are not judged at all
    min_articles: int = defaults.HEALTH_MIN_ARTICLES
    baseline_runs: int = 5  # the baseline is the median of this many earlier healthy runs
    keep_runs: int = 50  # history kept per site

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        d = cls()
        return cls(
            coverage_drop=settings.getfloat("HEALTH_COVERAGE_DROP", d.coverage_drop),
            body_chars_drop=settings.getfloat("HEALTH_BODY_CHARS_DROP", d.body_chars_drop),
            structured_drop=settings.getfloat("HEALTH_STRUCTURED_DROP", d.structured_drop),
            source_shift=settings.getfloat("HEALTH_SOURCE_SHIFT", d.source_shift),
            authors_drop=settings.getfloat("HEALTH_AUTHORS_DROP", d.authors_drop),
            rejected_rise=settings.getfloat("HEALTH_REJECTED_RISE", d.rejected_rise),
            min_articles=settings.getint("HEALTH_MIN_ARTICLES", defaults.HEALTH_MIN_ARTICLES),
            baseline_runs=settings.getint("HEALTH_BASELINE_RUNS", d.baseline_runs),
            keep_runs=settings.getint("HEALTH_KEEP_RUNS", d.keep_runs),
        )


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass
class HealthTally:
    """Running counts over the articles of one site in one run."""

    articles: int = 0
    present: Counter[str] = field(default_factory=Counter)
    body_chars: list[int] = field(default_factory=list)
    layers: Counter[str] = field(default_factory=Counter)  # layer of each extracted FIELDS value
    methods: Counter[str] = field(default_factory=Counter)  # layer that produced the body
    sources: dict[str, Counter[str]] = field(default_factory=dict)  # field -> layer -> articles
    author_names: int = 0  # author names over all articles

    def add(self, item: Mapping[str, Any]) -> None:
        self.articles += 1
        for name in FIELDS:
            value = item.get(name)
            if isinstance(value, list | tuple):
                value = [v for v in value if v]
                if name == "authors":
                    self.author_names += len(value)
            if value.strip() if isinstance(value, str) else value:
                self.present[name] += 1
        self.body_chars.append(len(str(item.get("body") or "")))
        extractor = item.get("extractor")
        if isinstance(extractor, Mapping):
            self.methods[str(extractor.get("method") or "none")] += 1
            layers = extractor.get("fields")
            if isinstance(layers, Mapping):
                for name in FIELDS:
                    if layers.get(name):
                        self.layers[str(layers[name])] += 1
                        self.sources.setdefault(name, Counter())[str(layers[name])] += 1

    def summary(self, rejected: int = 0) -> dict[str, Any]:
        """The run's health (plain JSON; shares are 0..1)."""
        n = self.articles
        layered = sum(self.layers.values())
        structured = sum(v for k, v in self.layers.items() if k in STRUCTURED)
        return {
            "articles": n,
            "rejected": rejected,
            **{name: _share(self.present[name], n) for name in FIELDS},
            "body_chars": int(statistics.median(self.body_chars)) if self.body_chars else 0,
            "layers": {k: _share(v, layered) for k, v in sorted(self.layers.items())},
            "structured": _share(structured, layered),
            "fallback": _share(self.layers["fallback"], layered),
            "methods": {k: _share(v, n) for k, v in sorted(self.methods.items())},
            "sources": {
                name: {k: _share(v, sum(c.values())) for k, v in sorted(c.items())}
                for name, c in sorted(self.sources.items())
            },
            "authors_per_article": round(self.author_names / n, 4) if n else 0.0,
        }


def named_layers(selectors: Any) -> dict[str, str]:
    """The layer a site file names for each field: its selectors, or the first of its title_order."""
    out: dict[str, str] = {}
    if selectors is None:
        return out
    for name in FIELDS:
        if getattr(selectors, name, None):
            out[name] = "selectors"
    order = getattr(selectors, "title_order", ())
    if "title" not in out and order:
        out["title"] = order[0] if order[0] in STRUCTURED else "fallback"
    return out


def judged(health: Mapping[str, Any], t: Thresholds) -> bool:
    """Whether a run has enough articles to be judged on them and to serve as a baseline."""
    return int(health.get("articles") or 0) >= t.min_articles


def _enough_pages(health: Mapping[str, Any], t: Thresholds) -> bool:
    """Whether a run has enough pages for the share of pages rejected as no article to be judged."""
    return int(health.get("articles") or 0) + int(health.get("rejected") or 0) >= t.min_articles


def _rejected_share(h: Mapping[str, Any]) -> float:
    return _share(
        float(h.get("rejected") or 0), float(h.get("articles") or 0) + float(h.get("rejected") or 0)
    )


def baseline(history: Sequence[Mapping[str, Any]], t: Thresholds) -> dict[str, Any] | None:
    """Medians over the last ``baseline_runs`` judged runs without drift (oldest first in ``history``)."""
    runs = [h for h in history if judged(h, t) and not h.get("drift") and not h.get("interrupted")]
    runs = runs[-max(t.baseline_runs, 1) :]
    if not runs:
        return None

    def med(values: list[float]) -> float:
        return round(float(statistics.median(values)), 4)

    base: dict[str, Any] = {"runs": len(runs)}
    for name in (*FIELDS, "body_chars", "structured", "fallback"):
        base[name] = med([float(h.get(name) or 0) for h in runs])
    base["rejected_share"] = med([_rejected_share(h) for h in runs])
    per_article = [float(h["authors_per_article"]) for h in runs if "authors_per_article" in h]
    if per_article:
        base["authors_per_article"] = med(per_article)
    sourced = [h["sources"] for h in runs if isinstance(h.get("sources"), Mapping)]
    if sourced:
        # per field: the median share of every layer over the runs that recorded their sources
        base["sources"] = {
            name: {
                layer: med([float((s.get(name) or {}).get(layer) or 0) for s in sourced])
                for layer in sorted({k for s in sourced for k in (s.get(name) or {})})
            }
            for name in FIELDS
        }
    return base


def _main_layer(shares: Mapping[str, Any]) -> str | None:
    """The layer with the largest share (None when there is none)."""
    return max(sorted(shares), key=lambda k: float(shares[k] or 0), default=None)


def drift(health: Mapping[str, Any], base: Mapping[str, Any] | None, t: Thresholds) -> list[dict[str, Any]]:
    """The flags of a run against its baseline: [{"field", "baseline", "current"}], [] when healthy."""
    if base is None or not _enough_pages(health, t):
        return []
    flags: list[dict[str, Any]] = []

    def flag(name: str, was: float, now: float) -> None:
        flags.append({"field": name, "baseline": was, "current": now})

    was, now = float(base["rejected_share"]), _rejected_share(health)
    if now - was >= t.rejected_rise:
        flag("rejected", was, now)
    if not judged(health, t):
        return flags  # too few articles for their coverage to say anything (all known, all rejected)

    for name in FIELDS:
        was, now = float(base[name]), float(health.get(name) or 0)
        if was - now >= t.coverage_drop:
            flag(name, was, now)
    was, now = float(base["body_chars"]), float(health.get("body_chars") or 0)
    if was > 0 and (was - now) / was >= t.body_chars_drop:
        flag("body_chars", was, now)
    was, now = float(base["structured"]), float(health.get("structured") or 0)
    if (
        was > 0
        and (was - now) / was >= t.structured_drop
        and float(health.get("fallback") or 0) > base["fallback"]
    ):
        flag("layers", was, now)
    if "authors_per_article" in base and "authors_per_article" in health:
        was, now = float(base["authors_per_article"]), float(health["authors_per_article"] or 0)
        if was >= 0.5 and (was - now) / was >= t.authors_drop:
            flag("authors_per_article", was, now)
    flags += _source_flags(health, base, t)
    return flags


def _source_flags(health: Mapping[str, Any], base: Mapping[str, Any], t: Thresholds) -> list[dict[str, Any]]:
    """A field that most articles took from one layer (the one the site file names, else the baseline's
    main layer) and now take from another: "title_source" when the title moved from JSON-LD to meta tags."""
    flags: list[dict[str, Any]] = []
    before, now_all = base.get("sources"), health.get("sources")
    if not isinstance(before, Mapping) or not isinstance(now_all, Mapping):
        return flags
    site_file = health.get("site_file")
    named: Mapping[str, Any] = site_file if isinstance(site_file, Mapping) else {}
    for name in FIELDS:
        was_shares, now_shares = before.get(name) or {}, now_all.get(name) or {}
        if not now_shares:
            continue  # the field is gone: the coverage rule speaks for it
        usual = named.get(name) if float(was_shares.get(named.get(name), 0) or 0) >= 0.5 else None
        usual = usual or _main_layer(was_shares)
        if usual is None:
            continue
        was, now = float(was_shares.get(usual) or 0), float(now_shares.get(usual) or 0)
        if was >= 0.5 and now < 0.5 and was - now >= t.source_shift:
            flags.append({"field": f"{name}_source", "baseline": was, "current": now, "layer": usual,
                          "now": _main_layer(now_shares)})  # fmt: skip
    return flags


def _pct(value: Any) -> str:
    return f"{float(value or 0) * 100:.0f}%"


def _value(name: str, value: Any) -> str:
    if name == "body_chars":
        return f"{float(value):.0f} chars"
    return f"{float(value):.2f}" if name == "authors_per_article" else _pct(value)


def _flag_text(f: Mapping[str, Any]) -> str:
    name = str(f["field"])
    text = f"{LABELS.get(name, name)} {_value(name, f['baseline'])} -> {_value(name, f['current'])}"
    if f.get("layer"):
        text = f"{LABELS.get(name, name)}: {f['layer']} {_pct(f['baseline'])} -> {_pct(f['current'])}"
        text += f" (now mostly {f['now']})" if f.get("now") else ""
    return text


def describe(site: str, health: Mapping[str, Any]) -> str:
    """One line for the crawl summary."""
    layers = ", ".join(f"{k} {_pct(v)}" for k, v in (health.get("layers") or {}).items()) or "-"
    return (
        f"health {site}: {health.get('articles', 0)} articles, {health.get('rejected', 0)} rejected; "
        f"title {_pct(health.get('title'))}, body {_pct(health.get('body'))}, "
        f"published {_pct(health.get('published'))}, authors {_pct(health.get('authors'))}; "
        f"median body {health.get('body_chars', 0)} chars; layers {layers}"
        + (f"; rejected: {why}" if (why := _reasons(health.get("rejected_reasons"))) else "")
    )


def _reasons(reasons: Any) -> str:
    if not isinstance(reasons, Mapping):
        return ""
    return ", ".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: (-int(kv[1]), kv[0])))


#: what to check after a drift, by the kind of site (``health["kind"]``)
CHECK = {
    "site_file": "check its site file (crawler/spiders/de/{site}.py)",
    "entry": "check its entry in the registry or the sites file (selectors, entry points)",
    "url": "a site given by URL has no site file: its extraction is generic; "
    "`newsarchive sites probe URL` shows what it extracts now, and an entry in a sites file can pin selectors",
}


def site_kind(spider: Any) -> str:
    """``site_file``, ``url`` (a site given by its front-page URL) or ``entry`` (registry or sites file)."""
    from crawler.spiders.discover import DiscoveringSpider

    module = type(spider).__module__
    if module.startswith("crawler.spiders.de."):
        return "site_file"
    if isinstance(spider, DiscoveringSpider) and module.startswith("crawler.spiders.discover"):
        return "url"
    return "entry"


def drift_message(site: str, flags: Sequence[Mapping[str, Any]], kind: str = "site_file") -> str:
    """The warning for a drifted run, naming the site, the fields and what to check for this kind of site."""
    what = "; ".join(_flag_text(f) for f in flags)
    fields = ", ".join(str(f["field"]) for f in flags)
    check = CHECK.get(kind, CHECK["entry"]).format(site=site)
    return (
        f"extraction drift on site {site} ({fields}): {what}. The site's layout may have changed: {check}; "
        "the raw responses are archived, so `newsarchive reextract` can redo these articles once it is fixed."
    )


class HealthMonitor:
    """Scrapy extension: tallies the run's articles; at the end judges, records and reports the health."""

    def __init__(self, crawler: Crawler, thresholds: Thresholds) -> None:
        self.crawler = crawler
        self.thresholds = thresholds
        self.tally = HealthTally()
        self.health: dict[str, Any] | None = None
        self.finished = False
        #: runs that ended after this one started (other workers of a distributed crawl) are no baseline for it
        self.started = datetime.now(UTC).isoformat(timespec="seconds")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("HEALTH_ENABLED", defaults.HEALTH_ENABLED):
            raise NotConfigured
        ext = cls(crawler, Thresholds.from_settings(crawler.settings))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(ext.item_seen, signal=signal)
        crawler.signals.connect(ext.archive_closing, signal=archive_closing)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_seen(self, item: Any) -> None:
        if ItemAdapter.is_item(item):
            self.tally.add(ItemAdapter(item))

    def archive_closing(self, pipeline: ArchivePipeline) -> None:
        """The archive is about to commit its last part: the health goes into that manifest."""
        health = self.finish(pipeline.run)
        if health is not None and self.crawler.spider is not None:
            pipeline.run_info.setdefault("health", {})[self.crawler.spider.name] = health

    def spider_closed(self, spider: Spider) -> None:
        self.finish(None)  # without the archive pipeline (or a crashed one): still recorded and reported

    def finish(self, run: str | None) -> dict[str, Any] | None:
        """Compute, judge and record the run's health once; None when the run extracted nothing."""
        if self.finished:
            return self.health
        self.finished = True
        stats, spider = self.crawler.stats, self.crawler.spider
        if stats is None or spider is None or stats.get_value("newsarchive/locked_by"):
            return None
        reasons = {
            k.removeprefix("newsarchive/rejected/"): int(v or 0)
            for k, v in sorted(stats.get_stats().items())
            if k.startswith("newsarchive/rejected/")
        }
        rejected = sum(reasons.values())
        health = self.tally.summary(rejected)
        health["rejected_reasons"] = (
            reasons  # per reason: crawler/extract/recognise.py and the spider's checks
        )
        if not health["articles"] and not rejected:
            return None
        health["site_file"] = named_layers(getattr(spider, "selectors", None))
        health["kind"] = site_kind(spider)
        interrupted = stopping_reason(self.crawler) == "shutdown"
        site = spider.name
        at = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            store = open_state(state_uri(self.crawler.settings))
            try:
                history = [
                    e.health
                    for e in store.health_history(site, self.thresholds.keep_runs)
                    if e.at < self.started
                ]
                base = baseline(history, self.thresholds)
                health["baseline"] = base
                # an interrupted run is recorded, not judged (nor used as a baseline: see baseline())
                health["drift"] = [] if interrupted else drift(health, base, self.thresholds)
                if interrupted:
                    health["interrupted"] = True
                store.add_health(
                    HealthEntry(site, run or new_run_id(), at, health), self.thresholds.keep_runs
                )
            finally:
                store.close()
        except Exception as exc:  # health must never break a crawl
            logger.error("cannot record the extraction health of %s: %s: %s", site, type(exc).__name__, exc)
            health.setdefault("drift", [])
        self.health = health
        stats.set_value(STAT_HEALTH, health)
        logger.info(describe(site, health))
        if health["drift"]:
            stats.set_value(STAT_DRIFT, ",".join(str(f["field"]) for f in health["drift"]))
            logger.warning(drift_message(site, health["drift"], health["kind"]))
        return health
