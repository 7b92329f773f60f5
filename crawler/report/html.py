"""Render ArchiveStats as one self-contained HTML page; every archive value is escaped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape

from crawler.report.chart import colour, series, svg
from crawler.report.stats import ArchiveStats

MAX_ROWS = 200  # rows of the revision and cluster lists

#: no network at all: only inline styles and scripts, images as data: URIs
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;
 padding:16px 24px;color:#222;background:#fff}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0}th,td{padding:3px 10px;border-bottom:1px solid #eee;
 text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666}.chart{max-width:100%;height:auto}.chart .grid{stroke:#e4e4e4}.chart .axis{stroke:#888}
.chart .tick{font-size:10px;fill:#555}.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px}
.legend span{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px}
.summary{display:flex;gap:24px;flex-wrap:wrap}.summary div{background:#f5f7fa;padding:8px 14px;border-radius:6px}
.summary b{display:block;font-size:20px}
"""

#: first script of the page: counts errors (exceptions, console.error, CSP violations) into <body data-errors>
ERROR_CAPTURE = """
(function () {
  var errors = 0;
  function mark() { errors += 1; if (document.body) { document.body.setAttribute("data-errors", String(errors)); } }
  window.addEventListener("error", mark);
  window.addEventListener("unhandledrejection", mark);
  document.addEventListener("securitypolicyviolation", mark);
  var original = console.error;
  console.error = function () { mark(); return original.apply(console, arguments); };
  document.addEventListener("DOMContentLoaded", function () {
    var chart = document.getElementById("chart");
    document.body.setAttribute("data-errors", String(errors));
    document.body.setAttribute("data-bars", String(chart ? chart.querySelectorAll("rect.bar").length : 0));
    document.body.setAttribute("data-ready", "1");
  });
})();
"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[bool] = ()) -> str:
    def cell(tag: str, value: object, index: int) -> str:
        css = ' class="n"' if index < len(numeric) and numeric[index] else ""
        return f"<{tag}{css}>{value if isinstance(value, Markup) else escape(str(value))}</{tag}>"

    head = "".join(cell("th", h, i) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", v, i) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Markup(str):
    """Already escaped HTML."""


def _link(url: str, text: str) -> Markup:
    if url.startswith(("https://", "http://")):
        return Markup(f'<a href="{escape(url)}" rel="noreferrer noopener">{escape(text or url)}</a>')
    return Markup(escape(text or url))


def _chart_section(stats: ArchiveStats, sites: list[str]) -> str:
    data = series(stats.per_day, sites)
    legend = "".join(
        f'<li><span style="background:{colour(i)}"></span>{escape(site)}</li>' for i, site in enumerate(sites)
    )
    totals = []
    for site in sites:
        site_days = [(day, n) for (s, day), n in stats.per_day.items() if s == site]
        dated = sorted(day for day, _ in site_days if day != "unknown")
        totals.append(
            (
                site,
                sum(n for _, n in site_days),
                dated[0] if dated else "",
                dated[-1] if dated else "",
                sum(n for day, n in site_days if day == "unknown"),
            )
        )
    return (
        '<h2 id="per-day">Articles per site per day</h2>'
        f'<p class="muted">{escape(data.caption)}</p>'
        f"<figure>{svg(data, sites)}<ul class=legend>{legend}</ul></figure>"
        + _table(
            ["site", "articles", "first published", "last published", "undated"],
            totals,
            [False, True, False, False, True],
        )
    )


def _revisions_section(stats: ArchiveStats) -> str:
    revised = sorted(stats.revised.values(), key=lambda r: (-r.revision, r.site, r.id))
    rows = [(r.id, r.site, r.revision, _link(r.url, r.title)) for r in revised[:MAX_ROWS]]
    more = f"<p class=muted>{len(revised) - MAX_ROWS} more not listed.</p>" if len(revised) > MAX_ROWS else ""
    text = (
        f"<p>{stats.revisions} revised record(s) (revision &gt; 1) of {len(revised)} article(s).</p>"
        if revised
        else "<p>No article has been revised.</p>"
    )
    table = _table(["id", "site", "latest revision", "title"], rows, [False, False, True]) if rows else ""
    return '<h2 id="revisions">Revisions</h2>' + text + table + more


def _clusters_section(stats: ArchiveStats) -> str:
    clusters = stats.syndicated()
    parts = ['<h2 id="clusters">Syndicated clusters</h2>']
    if not clusters:
        parts.append("<p>No cluster has more than one article.</p>")
        return "".join(parts)
    parts.append(f"<p>{len(clusters)} cluster(s) with more than one article.</p>")
    rows = []
    for cluster, members in clusters[:MAX_ROWS]:
        sites = ", ".join(sorted({m.site for m in members}))
        titles = Markup("<br>".join(_link(m.url, f"{m.title} ({m.site})") for m in members[:20]))
        rows.append((cluster, len(members), sites, titles))
    parts.append(_table(["cluster", "articles", "sites", "titles"], rows, [False, True]))
    return "".join(parts)


def _methods_section(stats: ArchiveStats, sites: list[str]) -> str:
    methods = sorted({m for counter in stats.methods.values() for m in counter})
    rows = [(site, *(stats.methods[site][m] for m in methods)) for site in sites if site in stats.methods]
    body = (
        _table(["site", *methods], rows, [False, *([True] * len(methods))]) if rows else "<p>No records.</p>"
    )
    return (
        '<h2 id="extraction">Extraction-layer mix</h2>'
        '<p class="muted">Records per site by the extraction layer that produced the body.</p>' + body
    )


def _pct(value: object) -> str:
    return f"{float(value or 0) * 100:.0f}%" if isinstance(value, int | float) else "-"


def _health_section(stats: ArchiveStats) -> str:
    parts = ['<h2 id="health">Extraction health</h2>']
    if not stats.health:
        parts.append('<p class="muted">The manifests carry no extraction health.</p>')
        return "".join(parts)
    names = ["title", "body", "published", "authors"]
    rows = []
    for site, runs in sorted(stats.health.items()):
        commit, h = runs[-1]
        flags = ", ".join(str(f.get("field")) for f in h.get("drift") or [] if isinstance(f, dict)) or "-"
        rows.append(
            (
                site,
                commit,
                h.get("articles", 0),
                *(_pct(h.get(n)) for n in names),
                h.get("body_chars", 0),
                flags,
            )
        )
    parts.append("<p>The latest run of each site (docs/HEALTH.md).</p>")
    parts.append(
        _table(
            ["site", "commit", "articles", *names, "median body chars", "drift"],
            rows,
            [False, False, *[True] * 6],
        )
    )
    alerts = [
        (
            site,
            ", ".join(f"{f.get('field')} {f.get('baseline')} -> {f.get('current')}" for f in h["drift"]),
            commit,
        )
        for site, runs in sorted(stats.health.items())
        for commit, h in runs
        if isinstance(h.get("drift"), list) and h["drift"]
    ]
    parts.append(f"<h3>Drift alerts ({len(alerts)})</h3>")
    parts.append(
        _table(["site", "fields (baseline -> current)", "commit"], alerts[-MAX_ROWS:])
        if alerts
        else "<p>None.</p>"
    )
    return "".join(parts)


def _coverage() -> dict[str, list[str]]:
    """District key -> names of the registry's sites that declare they cover it (entries with ``districts``)."""
    from crawler.sites import load_registry

    covering: dict[str, list[str]] = defaultdict(list)
    try:
        entries = load_registry()
    except Exception:  # the report never fails for the registry
        return {}
    for entry in entries:
        for key in getattr(entry, "districts", None) or ():
            covering[str(key)[:5]].append(entry.name)
    return covering


def _places_section(stats: ArchiveStats) -> str:
    from crawler.places.gazetteer import district as district_of

    parts = ['<h2 id="places">Places</h2>']
    if not stats.district_named:
        parts.append("<p>No article names a German place (records before places were tagged have none).</p>")
        return "".join(parts)
    parts.append(
        f"<p>{stats.with_place} of {stats.articles} article(s) have a main place, in "
        f"{len(stats.district_main)} district(s); {len(stats.district_named)} district(s) are named at all. "
        "Per district: articles whose main place is in it, articles naming a place in it, the sites they come "
        "from and the registry's sites that cover it.</p>"
    )
    covering = _coverage()
    keys = sorted(stats.district_named, key=lambda k: (-stats.district_main[k], -stats.district_named[k], k))
    rows = []
    for key in keys[:MAX_ROWS]:
        d = district_of(key)
        name = f"{d.name} ({d.kind})" if d else key
        land = d.land if d else ""
        rows.append((key, name, land, stats.district_main[key], stats.district_named[key],
                     ", ".join(sorted(stats.district_sites[key])), ", ".join(sorted(covering.get(key, []))) or "–"))  # fmt: skip
    parts.append(
        _table(
            ["key", "district", "Land", "main place", "named", "sites with articles", "sites that cover it"],
            rows,
            [False, False, False, True, True],
        )
    )
    if len(keys) > MAX_ROWS:
        parts.append(f"<p class=muted>{len(keys) - MAX_ROWS} more not listed.</p>")
    return "".join(parts)


def _errors_section(stats: ArchiveStats, sites: list[str]) -> str:
    parts = ['<h2 id="errors">Errors</h2>']
    if stats.manifest_stats:
        names = sorted({name for counter in stats.manifest_stats.values() for name in counter})
        rows = [
            (spider, *(f"{counter.get(name, 0):g}" for name in names))
            for spider, counter in sorted(stats.manifest_stats.items())
        ]
        parts.append("<p>Crawl statistics recorded in the manifests (summed over commits).</p>")
        parts.append(_table(["spider", *names], rows, [False, *([True] * len(names))]))
    else:
        parts.append('<p class="muted">The manifests carry no crawl statistics.</p>')
    kinds = ["records", "empty body", "missing title", "missing published"]
    rows2 = [(site, *(stats.checks[site][k] for k in kinds)) for site in sites if site in stats.checks]
    parts.append("<p>Extraction errors per site (records without a body, title or publication date).</p>")
    parts.append(
        _table(["site", *kinds], rows2, [False, True, True, True, True]) if rows2 else "<p>None.</p>"
    )
    return "".join(parts)


def render(stats: ArchiveStats, title: str = "newsarchive report", now: datetime | None = None) -> str:
    """The complete page."""
    sites = stats.sites
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    summary = "".join(
        f"<div><b>{escape(str(value))}</b>{escape(label)}</div>"
        for value, label in (
            (stats.articles, "articles"),
            (stats.records, "records"),
            (len(sites), "sites"),
            (stats.commits, "commits"),
            (
                f"{stats.bytes / 1e6:.1f} MB" if stats.bytes >= 100_000 else f"{stats.bytes / 1e3:.1f} kB",
                "stored",
            ),
        )
    )
    commits = (
        f"Commits {escape(stats.first_commit)} to {escape(stats.last_commit)}."
        if stats.first_commit and stats.last_commit
        else "No commits yet."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<script>{ERROR_CAPTURE}</script>
<style>{STYLE}</style>
</head>
<body data-errors="0">
<h1>{escape(title)}</h1>
<p class="muted">Generated {generated}. {commits} Committed data only.</p>
<section class="summary">{summary}</section>
<section>{_chart_section(stats, sites)}</section>
<section>{_revisions_section(stats)}</section>
<section>{_clusters_section(stats)}</section>
<section>{_places_section(stats)}</section>
<section>{_methods_section(stats, sites)}</section>
<section>{_health_section(stats)}</section>
<section>{_errors_section(stats, sites)}</section>
</body>
</html>
"""
