"""Why extract() chose what it chose: per field, what every layer found, the winner and the rule that chose it.

For a person fixing a site file (``newsarchive extract FILE --url URL --explain``); the crawl never calls this.
"""

from __future__ import annotations

from typing import Any

from crawler.extract.core import _PUBLISHED_META, _Extraction, _first_text, _str
from crawler.extract.dates import iso, parse_date
from crawler.extract.dom import norm
from crawler.extract.people import byline_names, dedupe, names_from_jsonld, printed_date, split_byline
from crawler.extract.selectors import SiteSelectors, select
from crawler.extract.structured import meta_key
from crawler.extract.titles import clean_title, headline_parts, in_breadcrumb, kicker_above

FIELDS = ("title", "authors", "published", "body")
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")


def _candidate(layer: str, source: str, value: Any) -> dict[str, Any]:
    return {"layer": layer, "source": source, "value": value}


def explain(html: str | bytes, url: str, selectors: SiteSelectors | None = None) -> dict[str, Any]:
    """The record extract() returns, and per field: value, layer, why, and the candidates of every layer."""
    x = _Extraction(html, url, selectors)
    record = x.run()
    out: dict[str, Any] = {"record": record, "fields": {}}
    if not hasattr(x, "root"):
        return out  # nothing parsed
    finders = {"title": _titles, "authors": _authors, "published": _published, "body": _bodies}
    for name in FIELDS:
        out["fields"][name] = {
            "value": record.get(name),
            "layer": x.fields.get(name, "none"),
            "why": x.why.get(name, "no layer found a value"),
            "candidates": finders[name](x),
        }
    return out


def _titles(x: _Extraction) -> list[dict[str, Any]]:
    keys = x._site_names()
    found: list[dict[str, Any]] = []
    version = x.version
    if version is not None and version.title:
        els = select(x.root, version.title)
        value = headline_parts(els[0])[1] if els and els[0].tag in ("h1", "h2") else _first_text(els)
        found.append(_candidate("selectors", version.title, value))
    found += [
        _candidate("opengraph", "og:title", x.data.first_meta("og:title")),
        _candidate("opengraph", "twitter:title", x.data.first_meta("twitter:title")),
        _candidate("jsonld", "headline", _str(x.art.get("headline"))),
        _candidate("microdata", "headline", _str(x.data.microdata.get("headline"))),
    ]
    headings = [*list(x.root.iter("h1"))[:3], *list(x.root.iter("h2"))[:3]]
    for heading in headings:
        kicker, headline = headline_parts(heading)
        if kicker is None:
            kicker = kicker_above(heading)[0]
        if not headline:
            continue
        source = f"<{heading.tag}>" + (" in a breadcrumb" if in_breadcrumb(heading) else "")
        found.append(
            _candidate("fallback", source + (f" (kicker {kicker!r} apart)" if kicker else ""), headline)
        )
    found.append(_candidate("fallback", "<title>", _first_text(list(x.root.iter("title")))))
    for c in found:
        c["cleaned"] = clean_title(c["value"], keys) if c["value"] else None
    return [c for c in found if c["value"]]


def _authors(x: _Extraction) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    version = x.version
    if version is not None and version.authors:
        names = dedupe(n for el in select(x.root, version.authors) for n in split_byline(el.text_content()))
        found.append(_candidate("selectors", version.authors, names))
    found.append(_candidate("jsonld", "author", names_from_jsonld(x.art.get("author"), x.data.graph)))
    micro = x.data.microdata.get("author") or []
    found.append(_candidate("microdata", "author", dedupe(n for v in micro for n in split_byline(v))))
    for key in _AUTHOR_META:
        for value in x.data.meta.get(meta_key(key), []):
            found.append(_candidate("opengraph", f"meta {key}", split_byline(value)))
    found.append(_candidate("fallback", "printed byline", byline_names(x.root)))
    for c in found:
        c["brand"] = [n for n in c["value"] if x._is_brand(n)]
    return [c for c in found if c["value"]]


def _published(x: _Extraction) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    version = x.version
    if version is not None and version.published:
        found.append(
            _candidate(
                "selectors", version.published, x._date_from_elements(select(x.root, version.published))
            )
        )
    found.append(_candidate("jsonld", "datePublished", parse_date(x.art.get("datePublished"))))
    found.append(_candidate("jsonld", "dateCreated", parse_date(x.art.get("dateCreated"))))
    found.append(_candidate("microdata", "datePublished", parse_date(x.data.microdata.get("datePublished"))))
    for key in _PUBLISHED_META:
        found.append(_candidate("opengraph", f"meta {key}", parse_date(x.data.first_meta(key))))
    found.append(
        _candidate(
            "fallback", "<time datetime>", x._date_from_elements(x.root.xpath("//time[@datetime]")[:3])
        )
    )
    found.append(_candidate("fallback", "printed date", printed_date(x.root)))
    return [{**c, "value": iso(c["value"])} for c in found if c["value"] is not None]


def _bodies(x: _Extraction) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    version = x.version
    if version is not None and version.body:
        containers = select(x.root, version.body)
        text = " ".join(norm(c.text_content()) for c in containers)
        found.append(_candidate("selectors", version.body, _summary(text) if containers else None))
    micro = x.data.microdata.get("articleBody")
    if micro is not None:
        found.append(_candidate("microdata", "itemprop=articleBody", _summary(norm(micro.text_content()))))
    article_body = _str(x.art.get("articleBody"))
    if article_body:
        found.append(_candidate("jsonld", "articleBody", _summary(article_body)))
    if x.fields.get("body") == "fallback" and x.result["body"]:
        found.append(
            _candidate("fallback", "densest text container / trafilatura", _summary(x.result["body"]))
        )
    return [c for c in found if c["value"]]


def _summary(text: str) -> str:
    text = norm(text)
    return f"{len(text)} chars: {text[:120]}{'…' if len(text) > 120 else ''}"


def render(explained: dict[str, Any]) -> str:
    """The explanation as text: per field the winner, the rule, then every candidate (* marks the winner's layer)."""
    lines: list[str] = []
    for name, info in explained["fields"].items():
        value = info["value"]
        shown = _summary(value) if name == "body" and isinstance(value, str) and value else value
        lines.append(f"{name}: {shown!r}")
        lines.append(f"  chosen: {info['layer']} ({info['why']})")
        if not info["candidates"]:
            lines.append("  candidates: none")
        for c in info["candidates"]:
            mark = "*" if c["layer"] == info["layer"] else " "
            extra = ""
            if c.get("cleaned") and c["cleaned"] != c["value"]:
                extra = f" -> cleaned {c['cleaned']!r}"
            if c.get("brand"):
                extra += f" (brand/publisher: {', '.join(c['brand'])})"
            lines.append(f"  {mark} {c['layer']:<10} {c['source']:<34} {c['value']!r}{extra}")
    return "\n".join(lines)
