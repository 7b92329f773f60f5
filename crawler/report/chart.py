"""The articles-per-site-per-day chart as inline SVG (stacked bars), built in Python: no script, no network."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

#: 20 distinguishable colours (the "tab20" palette), one per site in name order
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
    "#dbdb8d", "#9edae5",
)  # fmt: skip
WINDOW_DAYS = 60  # daily bars when (nearly) all dated articles fall in the last WINDOW_DAYS days


@dataclass
class Series:
    """Bars of the chart: bucket labels, per-site counts per bucket, and a caption."""

    unit: str  # "day" | "month"
    buckets: list[str]
    counts: dict[str, list[int]]  # site -> count per bucket
    caption: str


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def series(per_day: Counter[tuple[str, str]], sites: list[str]) -> Series:
    """Daily buckets over the last WINDOW_DAYS days with data, or monthly buckets when dates spread wider."""
    dated = {(site, date.fromisoformat(day)): n for (site, day), n in per_day.items() if day != "unknown"}
    undated = sum(n for (_, day), n in per_day.items() if day == "unknown")
    note = f" {undated} article(s) without a publication date are not shown." if undated else ""
    if not dated:
        return Series("day", [], {site: [] for site in sites}, "No article has a publication date." + note)
    last = max(day for _, day in dated)
    first = min(day for _, day in dated)
    start = max(first, last - timedelta(days=WINDOW_DAYS - 1))
    total = sum(dated.values())
    recent = sum(n for (_, day), n in dated.items() if day >= start)
    if recent >= 0.8 * total:
        days = [start + timedelta(days=i) for i in range((last - start).days + 1)]
        index = {day: i for i, day in enumerate(days)}
        counts = {site: [0] * len(days) for site in sites}
        for (site, day), n in dated.items():
            if day in index:
                counts.setdefault(site, [0] * len(days))[index[day]] += n
        older = total - recent
        caption = f"Articles per site per day of publication, {start} to {last}."
        if older:
            caption += f" {older} older article(s) are not shown."
        return Series("day", [d.isoformat() for d in days], counts, caption + note)
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    index_m = {m: i for i, m in enumerate(months)}
    counts = {site: [0] * len(months) for site in sites}
    for (site, day), n in dated.items():
        counts.setdefault(site, [0] * len(months))[index_m[f"{day.year:04d}-{day.month:02d}"]] += n
    caption = (
        f"Articles per site per month of publication, {months[0]} to {months[-1]} "
        f"(the publication dates span {(last - first).days + 1} days, too many for daily bars)."
    )
    return Series("month", months, counts, caption + note)


def _nice_max(value: int) -> int:
    step = 1
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= step * factor:
            return step * factor
    return value


def svg(data: Series, sites: list[str]) -> str:
    """A stacked bar chart; every bar is a <rect class="bar"> with a <title> tooltip."""
    height, top, bottom, left, right = 260, 12, 58, 44, 40
    n = max(len(data.buckets), 1)
    bar = max(4, min(28, 720 // n))
    width = left + right + n * bar
    plot = height - top - bottom
    totals = [sum(data.counts.get(site, [0] * n)[i] for site in sites) for i in range(len(data.buckets))]
    ymax = _nice_max(max(totals, default=0) or 1)
    out = [
        f'<svg id="chart" role="img" aria-label="{escape(data.caption)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart">',
        f"<title>{escape(data.caption)}</title>",
    ]
    for tick in (0, ymax // 2, ymax) if ymax > 1 else (0, 1):
        y = top + plot - plot * tick / ymax
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{tick}</text>')
    label_every = max(1, (n * 14) // 720 + 1) if data.unit == "day" else max(1, n // 24 + 1)
    for i, bucket in enumerate(data.buckets):
        x = left + i * bar
        y = float(top + plot)
        for index, site in enumerate(sites):
            count = data.counts.get(site, [0] * n)[i]
            if not count:
                continue
            h = plot * count / ymax
            y -= h
            tip = f"{site}, {bucket}: {count}"
            out.append(
                f'<rect class="bar" x="{x + 1}" y="{y:.1f}" width="{bar - 2}" height="{h:.1f}" '
                f'fill="{colour(index)}" data-site="{escape(site)}"><title>{escape(tip)}</title></rect>'
            )
        if i % label_every == 0:
            label = bucket[5:] if data.unit == "day" else bucket
            cx, cy = x + bar / 2, top + plot + 8
            out.append(
                f'<text x="{cx:.1f}" y="{cy}" transform="rotate(60 {cx:.1f} {cy})" class="tick">'
                f"{escape(label)}</text>"
            )
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot}" y2="{top + plot}" class="axis"/>')
    out.append("</svg>")
    return "\n".join(out)
