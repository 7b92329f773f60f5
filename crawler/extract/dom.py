"""Parsing HTML once with lxml, and small text helpers shared by the layers."""

from __future__ import annotations

from typing import Any

import lxml.html
from lxml import etree
from w3lib.encoding import html_body_declared_encoding, html_to_unicode

Element = Any  # lxml.html.HtmlElement (lxml ships no type information)


def _parser() -> Any:
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
    )
    # every element an HtmlElement, looked up in C: lxml.html's default lookup calls Python for each element it
    # hands out (to give <form>, <input>, <select> their own classes, which extraction never uses)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


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


# browsers read ISO-8859-1 and US-ASCII as windows-1252, which only adds printable characters in 0x80-0x9f
_AS_CP1252 = {
    "iso-8859-1",
    "iso8859-1",
    "latin-1",
    "latin1",
    "l1",
    "us-ascii",
    "ascii",
    "iso-8859-15",
    "iso8859-15",
}


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Page bytes to text as a German reader would see them, whatever the server claims.

    Order: a BOM; UTF-8 when the bytes are valid UTF-8 (other encodings almost never are); the charset the HTTP
    header declares, then the page's <meta> charset, when the bytes decode with it; windows-1252 last. A wrong
    declaration (windows-1252 bytes served as charset=utf-8) therefore still gives the right umlauts.
    """
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for candidate in (declared, html_body_declared_encoding(body[:4096])):
        if not candidate:
            continue
        name = candidate.strip().lower()
        name = "cp1252" if name in _AS_CP1252 else name
        try:
            return body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("cp1252", "replace")


def looks_binary(body: bytes) -> bool:
    """Whether a body is binary data (NUL bytes, or mostly control characters) rather than text."""
    head = body[:4096]
    if not head:
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) // 20


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
    """Collapse whitespace (including no-break spaces) to single spaces and strip it at both ends.

    ``str.split()`` splits on exactly the characters ``\\s`` matches in a str pattern, and costs a third of it."""
    if not text:
        return ""
    return " ".join(text.split())


def attr_tokens(el: Element) -> str:
    """Lower-case class and id of an element, space separated."""
    try:
        return f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    except (AttributeError, TypeError):
        return ""


def is_element(node: Any) -> bool:
    """True for real elements (not comments, entities or processing instructions)."""
    return isinstance(node, etree._Element) and isinstance(node.tag, str)
