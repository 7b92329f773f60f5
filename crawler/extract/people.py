"""Author names: JSON-LD author shapes and printed bylines ("Von X und Y", "X, dpa")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from lxml import etree

from crawler.extract.boilerplate import class_parts
from crawler.extract.dates import parse_date
from crawler.extract.dom import Element, norm

AGENCIES = frozenset(
    {
        "dpa",
        "afp",
        "ap",
        "reuters",
        "epd",
        "kna",
        "sid",
        "dts",
        "apa",
        "ddp",
        "rnd",
        "dpa-afx",
        "afx",
        "bloomberg",
    }
)
_PREFIX = re.compile(
    r"^(?:(?:ein\s+)?(?:kommentar|gastbeitrag|interview|analyse|text|texte|fotos?|recherche)\s+)?"
    r"(?:von|by|autor(?:in|en)?|verfasst\s+von|geschrieben\s+von|text)\s*[:\s]\s*",
    re.IGNORECASE,
)
# "Von" glued to the name by markup without a space: "VonAnna Beispiel", "ByJane Doe"
_GLUED_PREFIX = re.compile(r"^(?:Von|By)(?=[A-ZÄÖÜ])")
_SPLIT = re.compile(
    r"\s*(?:,|;|/|&|\+|\bund\b|\band\b|\bsowie\b|\|)\s*|\s+(?:mit|with)\s+(?:material\s+(?:von|der|des)\s+)?",
    re.IGNORECASE,
)
# a person's role printed beside the name ("Anna Beispiel, Redakteurin", "Jane Doe, Staff Writer")
_ROLE = re.compile(
    r"^(?:(?:stellv\.|stellvertretende[rn]?|leitende[rn]?|freie[rn]?|senior|chief|staff|contributing|"
    r"deputy|political|politische[rn]?|wissenschafts|wirtschafts|sport|lokal)[\s-]*)*"
    r"(?:chef)?(?:redakteur(?:in)?|korrespondent(?:in)?|reporter(?:in)?|volontär(?:in)?|mitarbeiter(?:in)?|"
    r"ressortleiter(?:in)?|kolumnist(?:in)?|journalist(?:in)?|autor(?:in)?|redaktionsleiter(?:in)?|"
    r"editor|writer|correspondent|contributor|columnist|journalist|producer|text|texte|fotos?|bilder|grafiken?|"
    r"videos?|illustrations?|mitarbeit|recherche|photos?|photography|reporting)\b",
    re.IGNORECASE,
)
# academic and professional letters after a name ("Jane Doe, MD", "Brenda Goodman, MA"), not a name of their own
_DEGREE = re.compile(
    r"^(?:M\.?A|M\.?S|M\.?Sc|M\.?D|Ph\.?D|R\.?N|M\.?P\.?H|D\.?O|Dr\.?P\.?H|M\.?B\.?A|J\.?D|B\.?S\.?N|"
    r"R\.?D|L\.?D|FACP|FAAP|MSW|LCSW|PharmD|Dipl\.?-\w+|Dr\.? med\.?)\.?$"
)
_DATE_TAIL = re.compile(r"\s*(?:[-–|,]\s*)?(?:\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}).*$")
_NOT_NAME = re.compile(r"https?://|www\.|@|\d{3,}")


def clean_name(name: str) -> str:
    """Whitespace-collapse a name and drop a leading "Von"/"By"."""
    text = _GLUED_PREFIX.sub("", norm(name))
    text = _PREFIX.sub("", text)
    return text.strip(" ,;:-–|·")


def split_byline(byline: str) -> list[str]:
    """Names in a printed byline: "Von Anna A. und Ben B., dpa" -> ["Anna A.", "Ben B.", "dpa"]."""
    text = clean_name(byline)
    if _NOT_NAME.search(text) and ("://" in text or "www." in text or "@" in text):
        return []
    text = _DATE_TAIL.sub("", text)
    text = re.sub(r"\(([^)]*)\)", r", \1", text)
    names = []
    for part in _SPLIT.split(text):
        part = clean_name(part)
        if part and valid_name(part) and not _ROLE.match(part) and not _DEGREE.match(part):
            names.append(part)
    return names


def several(name: str) -> bool:
    """Whether one author string names several people or a person and an agency ("A und B, dpa")."""
    return bool(
        re.search(r"\b(?:und|and|von|by)\b|[,;/&|+]", name, re.IGNORECASE) or _GLUED_PREFIX.match(name)
    )


def valid_name(name: str) -> bool:
    """A plausible author name (not a URL, not a sentence)."""
    if not name or len(name) > 80 or _NOT_NAME.search(name):
        return False
    return len(name.split()) <= 6


def _names(value: object, graph: Mapping[str, Mapping[str, object]], depth: int = 0) -> Iterable[str]:
    if depth > 4:
        return
    if isinstance(value, str):
        yield from split_byline(value) if several(value) else [clean_name(value)]
    elif isinstance(value, list):
        for item in value:
            yield from _names(item, graph, depth + 1)
    elif isinstance(value, Mapping):
        name = value.get("name")
        if name is None and isinstance(value.get("@id"), str) and len(value) <= 2:
            ref = graph.get(str(value["@id"]))
            if ref is not None and ref is not value:
                yield from _names(ref, graph, depth + 1)
                return
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        if not isinstance(name, str) or not name.strip():
            given, family = value.get("givenName"), value.get("familyName")
            name = " ".join(p for p in (given, family) if isinstance(p, str))
        if name:
            yield from split_byline(name) if several(name) else [clean_name(name)]


def names_from_jsonld(value: object, graph: Mapping[str, Mapping[str, object]] | None = None) -> list[str]:
    """Author names from a JSON-LD author value: string, Person/Organization object, @id reference or list."""
    return dedupe(n for n in _names(value, graph or {}) if valid_name(n))


def dedupe(names: Iterable[str]) -> list[str]:
    """Drop empty and repeated names, keeping order."""
    seen: set[str] = set()
    out = []
    for name in names:
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            out.append(name)
    return out


_BYLINE_PARTS = frozenset(
    {"author", "authors", "authorname", "autor", "autoren", "autorin", "byline", "authorline", "creator",
     "authorshort", "authorlist", "verfasser"}
)  # fmt: skip
_CARD_PARTS = frozenset({"teaser", "related", "articlebox", "recommendation", "recommendations"})
# boxes whose byline is not the article's: media players, galleries, captions, page furniture
_BOX_PARTS = frozenset(
    {"media", "mediabox", "video", "audio", "player", "caption", "figcaption", "copyright", "gallery", "slider",
     "footer", "nav", "navigation", "sidebar", "comment", "comments", "newsletter"}
)  # fmt: skip
_NOT_NAME_WORDS = re.compile(
    r"\b(?:veröffentlicht|aktualisiert|stand|quelle|uhr|lesezeit|minuten|foto|bild|published|updated|min)\b",
    re.IGNORECASE,
)
# credits and production notes that name people who did not write the text
_NOT_BYLINE = re.compile(
    r"(?:quelle|source|foto|fotos|bild|bilder|redaktion|sendung|kamera|schnitt|produktion|moderation|grafik|"
    r"photo|image|credit|edited by|bearbeitet von)\s*:",
    re.IGNORECASE,
)
_LOCATION_TAIL = re.compile(r",\s*[A-ZÄÖÜ][a-zäöüß]+(?:[ -][A-ZÄÖÜ]?[a-zäöüß]+)?\s*$")


def _text_with_breaks(el: Element) -> str:
    """An element's text, a line break (<br>) read as a separator: "By Jane Doe<br>Health News" names one person
    and a desk, not "Jane Doe Health News"."""
    if not el.xpath("boolean(.//br)"):
        return norm(el.text_content())
    return norm(
        "".join(" | " if getattr(n, "tag", None) == "br" else str(n) for n in el.xpath(".//text()|.//br"))
    )


def _in_card(el: Element) -> bool:
    return any(class_parts(a) & _CARD_PARTS for a in el.iterancestors())


def byline_names(root: Element) -> list[str]:
    """Author names printed on the page: itemprop/rel=author or an author/byline element."""
    for el in root.xpath("//*[@itemprop='author' or @rel='author' or @class]"):
        if not (
            el.get("itemprop") == "author" or el.get("rel") == "author" or class_parts(el) & _BYLINE_PARTS
        ):
            continue
        if el.tag in ("meta", "link", "script", "style", "img"):
            continue
        if _in_furniture(el):
            continue
        named = el.xpath(".//*[@itemprop='name']")
        text = _text_with_breaks(named[0] if named else el)
        if not text or len(text) > 150:
            continue
        if "," in text and text.split(",")[-1].strip().lower() not in AGENCIES:
            text = _LOCATION_TAIL.sub("", text)
        if _NOT_BYLINE.match(text):
            continue
        names = [n for n in split_byline(text) if _printed_name(n)]
        if names:
            return names
    return _author_links(root) or _labelled_byline(root)


_AUTHOR_HREF = re.compile(r"/(?:autor|autoren|autorin|author|authors|redaktion/team)/", re.IGNORECASE)


def _author_links(root: Element) -> list[str]:
    """Names in links to author pages ("von <a href="/autoren/anna-beispiel">Anna Beispiel</a>")."""
    names: list[str] = []
    for link in _headline_scope(root).xpath(
        ".//a[contains(@href, '/autor') or contains(@href, '/Autor') or contains(@href, '/author')"
        " or contains(@href, '/redaktion/team/')]"
    ):
        if not _AUTHOR_HREF.search(link.get("href") or "") or _in_card(link) or _in_furniture(link):
            continue
        text = norm(link.text_content())
        if text and len(text) <= 80:
            names += [n for n in split_byline(text) if _printed_name(n)]
        if len(names) >= 6:
            break
    return dedupe(names)


_VON_NAME = re.compile(r"(?:[Vv]on|VON|[Bb]y|BY)(?:\s*:)?\s*[A-ZÄÖÜ]")
_LABEL = re.compile(
    r"^(?:autor(?:in)?(?:\s*/\s*autor(?:in)?)?|autoren|author|authors|text|von|by)\s*:?$", re.I
)


_LABEL_TAGS = ("strong", "b", "dt", "span", "em", "p", "div", "li")
_LABEL_STARTS = ("von", "by", "autor", "author", "text")


def _headline_scope(root: Element) -> Element:
    """The <article> or <main> around the first <h1>, where the byline is; the whole page without one."""
    h1 = next(root.iter("h1"), None)
    if h1 is None:
        return root
    return next((a for a in h1.iterancestors() if a.tag in ("article", "main")), root)


def _label_candidates(root: Element) -> list[Element]:
    """Elements whose own first text begins like a label or a "Von ..." line (a cheap test on .text only), in
    the <article> or <main> around the headline when there is one."""
    scope = _headline_scope(root)
    return [
        el
        for el in scope.iter(*_LABEL_TAGS)
        if (el.text or "").lstrip()[:6].lower().startswith(_LABEL_STARTS)
    ]


def _labelled_byline(root: Element) -> list[str]:
    """A name after a label: "<strong>Autorin/Autor</strong> Anna Beispiel", "Von Anna Beispiel" as a line."""
    for el in _label_candidates(root):
        own = norm(el.text_content())
        if len(own) > 100 or not (_LABEL.match(own) or _VON_NAME.match(own)):
            continue
        if _in_card(el) or _in_furniture(el) or el.xpath("ancestor::h1|ancestor::h2|ancestor::h3"):
            continue
        if _LABEL.match(own):
            parent = el.getparent()
            around = norm(parent.text_content()) if parent is not None else ""
            after = norm(el.tail or "") or around[around.find(own) + len(own) :]
            if el.tag == "dt":
                following = el.getnext()
                after = norm(following.text_content()) if following is not None else after
            names = [n for n in split_byline(after[:150]) if _printed_name(n)] if after else []
            if names:
                return names
        elif el.tag in ("p", "div", "span", "li") and _VON_NAME.match(own):
            names = [n for n in split_byline(own) if _printed_name(n) and _capitalised(n)]
            if names:
                return names
    return []


_PARTICLES = frozenset(
    {"von", "van", "de", "der", "den", "la", "le", "di", "da", "del", "du", "zu", "ten", "bin", "al"}
)


def _capitalised(name: str) -> bool:
    """Every word of a name capitalised, name particles aside ("Ursula von der Leyen", not "the time the")."""
    words = name.split()
    return len(words) <= 5 and all(w[0].isupper() or w.lower() in _PARTICLES for w in words)


def _in_furniture(el: Element) -> bool:
    """Inside page furniture or a media/caption box (a video's byline, a photo credit)."""
    return any(
        a.tag in ("nav", "footer", "aside", "form", "figure") or class_parts(a) & _BOX_PARTS
        for a in (el, *el.iterancestors())
    )


def _printed_name(name: str) -> bool:
    """A printed byline part that is a person's name or an agency (not "Veröffentlicht am", not initials)."""
    if name.lower() in AGENCIES:
        return True
    return len(name.split()) >= 2 and any(c.isupper() for c in name) and not _NOT_NAME_WORDS.search(name)


_DATE_PARTS = frozenset({"date", "datum", "time", "dateline", "published", "publishdate", "timestamp", "meta",
                         "metainfo", "metainfodatetime", "pubdate"})  # fmt: skip


def printed_date(root: Element) -> datetime | None:
    """A date printed near the headline, in an element named date/time/meta."""
    h1 = next(iter(root.iter("h1")), None)
    after_h1 = h1 is None
    first: datetime | None = None
    for el in root.iter():
        if el is h1:
            after_h1 = True
        if not isinstance(el.tag, str):
            continue
        parts = class_parts(el)
        if not parts & (_BYLINE_PARTS | _DATE_PARTS) or _in_card(el):
            continue
        if parts & _BYLINE_PARTS and el.getparent() is not None:
            el = el.getparent()  # a byline line often carries the date: "Do 25.04.24 | 14:07 Uhr | Von ..."
        text = norm(el.text_content())
        if not text or len(text) > 120:
            continue
        dt = parse_date(text)
        if dt is None:
            continue
        if after_h1:
            return dt
        first = first or dt
    return first or _labelled_date(root)


_DATE_LABEL = re.compile(
    r"^(?:datum|date|veröffentlicht(?: am)?|publiziert(?: am)?|erschienen(?: am)?|published(?: on)?|posted(?: on)?)"
    r"\s*:?$",
    re.IGNORECASE,
)


_DATE_LABEL_CANDIDATES = etree.XPath(
    "(//strong|//b|//dt|//th|//span[not(*)])[string-length(normalize-space(.)) <= 24]"
    "[translate(substring(normalize-space(.), 1, 1), 'DVPEdvpe', '') = '']"
)


def _labelled_date(root: Element) -> datetime | None:
    """A date after a label: "<strong>Datum</strong> 28.04.2023", "<dt>Published</dt><dd>3 May 2024</dd>"."""
    for el in _DATE_LABEL_CANDIDATES(root):
        if not _DATE_LABEL.match(norm(el.text_content())) or _in_card(el) or _in_furniture(el):
            continue
        following = el.getnext() if el.tag in ("dt", "th") else None
        for text in (el.tail, following.text_content() if following is not None else None):
            dt = parse_date(norm(text)) if text and norm(text) else None
            if dt is not None:
                return dt
    return None
