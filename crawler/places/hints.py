"""What a page's markup says about its place, read on the extraction's parse: JSON-LD contentLocation,
locationCreated and spatialCoverage of the article, and the names of its breadcrumb trail (JSON-LD
BreadcrumbList, else the links of an element whose class names a breadcrumb)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lxml.etree import XPath

_LOCATION_KEYS = ("contentLocation", "locationCreated", "spatialCoverage")
_BREADCRUMB_LINKS = XPath("(//*[contains(@class, 'breadcrumb') or contains(@class, 'Breadcrumb')])[1]//a")


def _may_have_breadcrumb(html: str | bytes | None) -> bool:
    """Whether the page's source mentions a breadcrumb at all (a search of the bytes spares a tree walk)."""
    if html is None:
        return True
    if isinstance(html, str):
        return "readcrumb" in html
    return b"readcrumb" in html


def _names(value: Any, depth: int = 0) -> Iterable[str]:
    if depth > 3:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value[:5]:
            yield from _names(item, depth + 1)
    elif isinstance(value, Mapping):
        address = value.get("address")
        if isinstance(address, Mapping) and isinstance(address.get("addressLocality"), str):
            yield address["addressLocality"]
        if isinstance(value.get("name"), str):
            yield value["name"]
        elif isinstance(value.get("item"), Mapping):
            yield from _names(value["item"], depth + 1)


def place_hints(
    root: Any,
    article: Mapping[str, Any] | None,
    nodes: Iterable[Mapping[str, Any]],
    html: str | bytes | None = None,
) -> dict[str, list[str]]:
    """{"structured": [...], "breadcrumb": [...]}: names as the page writes them (the tagger reads them)."""
    structured: list[str] = []
    for key in _LOCATION_KEYS:
        structured.extend(_names((article or {}).get(key)))
    breadcrumb: list[str] = []
    for node in nodes:
        types = node.get("@type")
        if types == "BreadcrumbList" or (isinstance(types, list) and "BreadcrumbList" in types):
            items = node.get("itemListElement")
            if isinstance(items, list):
                for item in items[:8]:
                    breadcrumb.extend(_names(item))
            break
    if not breadcrumb and root is not None and _may_have_breadcrumb(html):
        try:
            breadcrumb = [" ".join(a.text_content().split()) for a in _BREADCRUMB_LINKS(root)[:8]]
        except Exception:  # a page lxml cannot query: no breadcrumb
            breadcrumb = []
    return {
        "structured": [s.strip() for s in structured if s.strip()][:8],
        "breadcrumb": [b for b in breadcrumb if b],
    }
