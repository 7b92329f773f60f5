"""What a page's markup says about its place, read on the extraction's parse: JSON-LD contentLocation,
locationCreated and spatialCoverage of the article, and the names of its breadcrumb trail (JSON-LD
BreadcrumbList, else the links of an element whose class names a breadcrumb)."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Mapping
from typing import Any

_LOCATION_KEYS = ("contentLocation", "locationCreated", "spatialCoverage")
# the first element whose class names a breadcrumb, and the link texts in the 3,000 characters after it: a search
# of the source instead of a walk of the tree (a tenth of the cost on a large page)
_CLASS_ATTR = re.compile(rb"""class\s*=\s*["'][^"'<>]*$""")


def _breadcrumb_class(source: bytes) -> int:
    """Where the first class attribute naming a breadcrumb ends its mention, or -1 (bytes.find, not a regex
    over every attribute)."""
    start = source.find(b"readcrumb")
    for _ in range(20):  # a page full of the word is not searched to its end
        if start < 0:
            break
        tag = source.rfind(b"<", max(0, start - 300), start)
        if tag >= 0 and _CLASS_ATTR.search(source, tag, start):
            return start + len(b"readcrumb")
        start = source.find(b"readcrumb", start + 9)
    return -1


_LINK_TEXT = re.compile(r"<a\b[^>]*>\s*(?:<[^>]+>\s*)*([^<>]{1,80}?)\s*<")
_TAG = re.compile(r"<[^>]+>")


def _html_breadcrumb(html: str | bytes) -> list[str]:
    """The link texts of the page's first breadcrumb element, from its source."""
    source = html.encode("utf-8", "replace") if isinstance(html, str) else html
    end = _breadcrumb_class(source)
    if end < 0:
        return []
    text = source[end : end + 3000].decode("utf-8", "replace")
    names = []
    for link in _LINK_TEXT.finditer(text):
        name = " ".join(html_lib.unescape(_TAG.sub("", link.group(1))).split())
        if name:
            names.append(name)
        if len(names) == 8:
            break
    return names


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
    if not breadcrumb and html:
        breadcrumb = _html_breadcrumb(html)
    return {
        "structured": [s.strip() for s in structured if s.strip()][:8],
        "breadcrumb": [b for b in breadcrumb if b],
    }
