"""Parsing HTML once with lxml, and small text helpers shared by the layers."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

Element = Any  # lxml.html.HtmlElement (lxml ships no type information)

_WS = re.compile(r"\s+")


def _parser() -> Any:
    return lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
    )


_PARSER = _parser()


def to_text(html: str | bytes) -> str:
    """Decode page bytes (BOM, <meta charset>, then a guess) to text."""
    if isinstance(html, str):
        return html
    if html.startswith(b"\xef\xbb\xbf"):
        html = html[3:]
    try:  # valid UTF-8 with non-ASCII bytes is almost never another encoding, whatever the page declares
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    _, text = html_to_unicode(None, html)
    return text


def to_utf8(html: str | bytes) -> bytes:
    """The page as UTF-8 bytes (decoding other encodings first)."""
    if isinstance(html, bytes):
        data = html.removeprefix(b"\xef\xbb\xbf")
        if data.isascii():
            return data
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            html = to_text(html)
    return html.encode("utf-8", "replace")


def parse(html: str | bytes) -> Element | None:
    """Parse a page into an lxml tree (the <html> element), or None when there is nothing to parse."""
    data = to_utf8(html)
    if not data.strip() or not data.strip(b"\x00\t\n\r\x0b\x0c \xef\xbb\xbf"):
        return None
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


def norm(text: str | None) -> str:
    """Collapse whitespace (including no-break spaces) and drop invisible characters."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def attr_tokens(el: Element) -> str:
    """Lower-case class and id of an element, space separated."""
    try:
        return f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    except (AttributeError, TypeError):
        return ""


def is_element(node: Any) -> bool:
    """True for real elements (not comments, entities or processing instructions)."""
    return isinstance(node, etree._Element) and isinstance(node.tag, str)
