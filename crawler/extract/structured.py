"""Structured data in the page: JSON-LD, schema.org microdata and <meta> tags (OpenGraph, Dublin Core...)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.dom import Element, norm

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "techarticle",
        "scholarlyarticle",
        "advertisercontentarticle",
    }
)
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage"})

JsonObj = Mapping[str, Any]


@dataclass
class Structured:
    """What the page declares about itself."""

    article: JsonObj | None = None  # the main JSON-LD article object
    nodes: list[JsonObj] = field(default_factory=list)  # every JSON-LD object
    graph: dict[str, JsonObj] = field(default_factory=dict)  # "@id" -> object
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-case name/property -> contents
    microdata: dict[str, Any] = field(default_factory=dict)  # itemprop -> value (or element for articleBody)

    def first_meta(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(meta_key(name), ()):
                if value.strip():
                    return value.strip()
        return None


def meta_key(name: str) -> str:
    """Meta names without case, "_" and ":" alike ("article:published:time" = "article:published_time")."""
    return name.strip().lower().replace("_", ":")


def types_of(obj: JsonObj) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _walk(value: Any, depth: int = 0) -> Iterator[JsonObj]:
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, Mapping):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _walk(graph, depth + 1)
        main = value.get("mainEntity")
        if isinstance(main, Mapping | list):
            yield from _walk(main, depth + 1)


def _load_json(text: str) -> Any:
    text = text.strip()
    text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", text).strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:  # trailing commas and raw newlines are common hand-written mistakes
        return json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)
    except ValueError:
        return None


def _url_key(url: object) -> str:
    if not isinstance(url, str):
        return ""
    parts = urlsplit(url.strip())
    return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}"


def _obj_urls(obj: JsonObj) -> set[str]:
    urls = {_url_key(obj.get("url")), _url_key(obj.get("@id"))}
    main = obj.get("mainEntityOfPage")
    if isinstance(main, Mapping):
        urls |= {_url_key(main.get("@id")), _url_key(main.get("url"))}
    else:
        urls.add(_url_key(main))
    urls.discard("")
    return urls


def _choose_article(candidates: list[JsonObj], page_urls: set[str], headline: str) -> JsonObj | None:
    def score(item: tuple[int, JsonObj]) -> tuple[int, int, int, int, int]:
        index, obj = item
        url_match = int(bool(_obj_urls(obj) & page_urls))
        head = norm(str(obj.get("headline") or obj.get("name") or ""))
        head_match = int(bool(head) and bool(headline) and (head in headline or headline in head))
        return (url_match, head_match, int(bool(obj.get("articleBody"))), int("headline" in obj), -index)

    if not candidates:
        return None
    return max(enumerate(candidates), key=score)[1]


def parse_jsonld(root: Element, page_url: str, canonical: str | None, headline: str) -> Structured:
    """Collect JSON-LD objects and pick the main article."""
    out = Structured()
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_json(script.text or "")
        for obj in _walk(data):
            out.nodes.append(obj)
            node_id = obj.get("@id")
            if isinstance(node_id, str) and len(obj) > 2:
                out.graph.setdefault(node_id, obj)
    articles = [o for o in out.nodes if types_of(o) & ARTICLE_TYPES]
    page_urls = {_url_key(page_url), _url_key(canonical)} - {""}
    out.article = _choose_article(articles, page_urls, headline)
    return out


def parse_meta(root: Element, out: Structured) -> None:
    """<meta name|property|itemprop=... content=...> into out.meta (document order kept)."""
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                out.meta.setdefault(meta_key(key), []).append(norm(content))


_MICRO_PROPS = (
    "headline",
    "name",
    "description",
    "datePublished",
    "dateModified",
    "articleSection",
    "keywords",
)


def _micro_value(el: Element) -> str:
    for attr in ("content", "datetime", "href", "src"):
        value = el.get(attr)
        if value:
            return norm(value)
    return norm(el.text_content())


def parse_microdata(root: Element, out: Structured) -> None:
    """schema.org microdata of the first Article-like itemscope."""
    for scope in root.xpath("//*[@itemscope and @itemtype]"):
        kind = (scope.get("itemtype") or "").rsplit("/", 1)[-1].strip().lower()
        if kind not in ARTICLE_TYPES:
            continue
        props: dict[str, Any] = {}
        for el in scope.xpath(".//*[@itemprop]"):
            for prop in (el.get("itemprop") or "").split():
                if prop == "articleBody":
                    props.setdefault("articleBody", el)
                elif prop == "author":
                    names = el.xpath(".//*[@itemprop='name']")
                    value = _micro_value(names[0]) if names else _micro_value(el)
                    props.setdefault("author", []).append(value)
                elif prop in _MICRO_PROPS:
                    props.setdefault(prop, _micro_value(el))
        if props:
            out.microdata = props
            return
