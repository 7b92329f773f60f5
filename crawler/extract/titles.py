"""Titles: strip site-name suffixes and prefixes ("... | MDR.DE", "... - WAZ", "NDR: ...")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.extract.boilerplate import class_parts, is_boilerplate_line
from crawler.extract.dom import Element, norm

_SEPARATORS = re.compile(r"\s+(?:--|[|\-–—·•»:])\s+|\s*\|\s*")
_GENERIC_SUFFIXES = frozenset(
    {"nachrichten", "news", "aktuelle nachrichten", "startseite", "home", "homepage", "online", "zeitung"}
)


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_DATE_PART = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$|^\d{4}-\d{2}-\d{2}$")


def site_key(text: str) -> str:
    """Lower-case letters and digits only, umlauts spelled out ("Börsen-Zeitung" -> "boersenzeitung")."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold().translate(_UMLAUTS))


_key = site_key


def site_keys(url: str, names: Iterable[str | None]) -> set[str]:
    """Normalised spellings of the site's name: host labels and the names it gives itself."""
    keys: set[str] = set()
    host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("www1.")
    if host:
        keys.add(_key(host))
        label = host.split(".")[0]
        keys.add(_key(label))
        keys.add(_key(label.replace("-", " ")))
    for name in names:
        if name and len(name) < 60:
            keys.add(_key(name))
    keys.discard("")
    return keys


def _is_site(part: str, keys: set[str]) -> bool:
    k = _key(part)
    if not k or len(part) > 60:
        return False
    if k in keys or part.casefold().strip() in _GENERIC_SUFFIXES:
        return True
    return any(len(s) >= 3 and (k.startswith(s) or (s.startswith(k) and len(k) >= 3)) for s in keys)


def clean_title(title: str | None, keys: set[str]) -> str | None:
    """Remove a site-name suffix or prefix separated by | - – — : from a title."""
    text = norm(title)
    if not text:
        return None
    for _ in range(3):
        parts = _SEPARATORS.split(text)
        if len(parts) < 2:
            break
        seps = _SEPARATORS.findall(text)
        if _DATE_PART.match(parts[-1].strip()) or _is_site(parts[-1], keys):
            text = text[: len(text) - len(parts[-1]) - len(seps[-1])].strip()
        elif _is_site(parts[0], keys) and (":" not in seps[0] or len(parts[0]) <= 12):
            text = text[len(parts[0]) + len(seps[0]) :].strip()
        else:
            break
    return text or None


# class/id parts of a kicker (Dachzeile, topline) printed inside the <h1> above or before the headline
KICKER_PARTS = frozenset(
    {"kicker", "dachzeile", "topline", "overline", "roofline", "eyebrow", "supertitle", "superline", "spitzmarke",
     "overhead", "pretitle", "preheadline", "topic", "rubrik", "flag", "label", "catchline"}
)  # fmt: skip
# the same names inside longer class, id or data-* values ("u-article-header__overline", data-cy="kicker")
_KICKER_NAME = re.compile(
    r"kicker|dachzeile|topline|overline|roofline|eyebrow|super(?:title|line|headline)|spitzmarke|catchline|"
    r"pre(?:title|headline)",
    re.IGNORECASE,
)
_CRUMB_NAME = re.compile(r"crumb", re.IGNORECASE)
_HIDDEN_PARTS = frozenset(
    {"hidden", "hide", "visuallyhidden", "sronly", "screenreader", "invisible", "offscreen"}
)
_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u200c\u200d\u2060\ufeff")
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "meta", "link", "svg", "img", "picture", "figure"}
)


_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:is-|u-)?(?:hidden|sr-only|visually-hidden)(?:\s|$)", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[:|\-–—]\s*")


def _hidden(el: Element) -> bool:
    return (
        bool(class_parts(el) & _HIDDEN_PARTS)
        or bool(_HIDDEN_CLASS.search(el.get("class") or ""))
        or el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
    )


def _names(el: Element) -> str:
    """class, id and data-* values of an element, where pages name what an element is."""
    values = [el.get("class") or "", el.get("id") or ""]
    values += [
        v for k, v in el.attrib.items() if k.startswith("data-") and isinstance(v, str) and len(v) < 60
    ]
    return " ".join(values)


def is_kicker(el: Element) -> bool:
    """Whether an element is named as a kicker (Dachzeile, Spitzmarke, topline, overline, eyebrow ...)."""
    return isinstance(el.tag, str) and (
        bool(class_parts(el) & KICKER_PARTS) or bool(_KICKER_NAME.search(_names(el)))
    )


def in_breadcrumb(el: Element) -> bool:
    """A heading in a breadcrumb trail, a navigation bar or a list item: the page's name in a list, not the
    article's printed headline (many pages repeat an SEO title there in an <h1>)."""
    if el.get("aria-current") == "page":
        return True
    for depth, node in enumerate(el.iterancestors()):
        if depth > 8 or node.tag == "body":
            break
        if node.tag in ("nav", "li") or _CRUMB_NAME.search(_names(node)):
            return True
        if "breadcrumb" in (node.get("itemtype") or "").lower():
            return True
    return bool(_CRUMB_NAME.search(_names(el)))


def headline_parts(heading: Element) -> tuple[str | None, str]:
    """The kicker printed inside a heading (None without one) and the headline without it.

    A kicker is an element named as one ("kicker", "topline", "dachzeile", data-cy="kicker", ...) before the
    headline text; a visually hidden separator between the two (": ") is left out with it.
    """
    kicker_el = next((el for el in heading.iterdescendants() if is_kicker(el)), None)
    full = norm(heading.text_content().translate(_INVISIBLE))
    if kicker_el is not None and norm(_text_before(heading, kicker_el)):
        kicker_el = None  # a kicker-ish element after the start of the headline
    if kicker_el is None:
        kicker_el = _before_hidden_separator(heading)
    if kicker_el is None:
        return None, full
    kicker = kicker_text(kicker_el, inside=True) or ""
    rest: list[str] = []

    def walk(el: Element) -> None:
        if el is kicker_el or not isinstance(el.tag, str):
            return
        if el is not heading and _hidden(el):
            return
        rest.append(el.text or "")
        for child in el:
            walk(child)
            rest.append(child.tail or "")

    walk(heading)
    headline = _SEPARATOR.sub("", norm(" ".join(rest).translate(_INVISIBLE)))
    if not kicker or not headline or len(kicker) > 80:
        return None, full
    return kicker, headline


def _visible_text(el: Element) -> str:
    """The text of an element without its visually hidden parts."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not _hidden(child):
            parts.append(_visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _before_hidden_separator(heading: Element) -> Element | None:
    """The first child of a heading when a visually hidden separator (":", "-", "|") ends it or follows it:
    the page prints a kicker and a headline and says "Kicker: Headline" to screen readers only."""
    children = [c for c in heading if isinstance(c.tag, str)]
    if len(children) < 2 or norm(heading.text):
        return None
    first = children[0]
    inner = [c for c in first if isinstance(c.tag, str)]
    after = children[1]
    for candidate in ([inner[-1]] if inner else []) + [after]:
        if _hidden(candidate) and norm(candidate.text_content()) in (":", "-", "–", "|"):
            return first if norm(_visible_text(first)) else None
    return None


def _previous_texts(heading: Element, limit: int = 2) -> list[Element]:
    """The elements printed just before a heading: its previous siblings with text, or (when it is the first
    thing in its box) those of its box, up to two levels up."""
    node: Element | None = heading
    for _ in range(3):
        if node is None:
            return []
        found: list[Element] = []
        prev = node.getprevious()
        while prev is not None and len(found) < limit:
            if isinstance(prev.tag, str) and prev.tag not in _SKIP_TAGS and norm(prev.text_content()):
                found.append(prev)
            prev = prev.getprevious()
        if found:
            return found
        node = node.getparent()
        if node is None or node.tag in ("body", "article", "main", "html"):
            return []
    return []


def kicker_above(heading: Element) -> tuple[str | None, list[str]]:
    """The kicker printed just above a heading (an element named as one; None without), and the texts printed
    just above it (where a kicker the metadata names can be looked for)."""
    texts: list[str] = []
    for el in _previous_texts(heading):
        text = norm(el.text_content())
        if len(text) > 200:
            break
        texts.append(text)
        named = el if is_kicker(el) else next((d for d in el.iterdescendants() if is_kicker(d)), None)
        if named is not None:
            kicker = kicker_text(named)
            if kicker and not in_breadcrumb(named):
                return kicker, texts
    return None, texts


_DATE_IN = re.compile(r"\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")


def kicker_text(el: Element, inside: bool = False) -> str | None:
    """The text of a kicker element (its parts apart), None when it is no kicker: above a heading, a label
    ending in a colon ("Filed under:"); a line with a date or time (a dateline); a control's or a box's label
    ("Comments", "Anzeige"); too long. Inside a heading a
    colon after the kicker is the separator ("Breakpoint: Headline")."""
    text = norm(" ".join(t for t in _visible_parts(el)).translate(_INVISIBLE))
    if inside:
        text = text.rstrip(":").strip()
    if not text or text.endswith(":") or len(text) > 80 or _DATE_IN.search(text) or is_boilerplate_line(text):
        return None
    return text


def _visible_parts(el: Element) -> list[str]:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not _hidden(child):
            parts += _visible_parts(child)
        parts.append(child.tail or "")
    return parts


def _text_before(root: Element, target: Element) -> str:
    """The text inside root that comes before target, in document order."""
    parts: list[str] = []

    def walk(el: Element) -> bool:
        if el is target:
            return True
        parts.append(el.text or "" if isinstance(el.tag, str) else "")
        for child in el:
            if walk(child):
                return True
            parts.append(child.tail or "")
        return False

    walk(root)
    return "".join(parts)


def same_title(a: str | None, b: str | None) -> bool:
    """Titles equal after collapsing whitespace and dropping soft hyphens and zero-width characters."""
    if not a or not b:
        return False
    return norm(a.translate(_INVISIBLE)).casefold() == norm(b.translate(_INVISIBLE)).casefold()
