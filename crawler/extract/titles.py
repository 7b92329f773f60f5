"""Titles: strip site-name suffixes and prefixes ("... | MDR.DE", "... - WAZ", "NDR: ...")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.extract.boilerplate import class_parts
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
     "overhead", "pretitle", "preheadline", "topic", "rubrik", "flag", "label"}
)  # fmt: skip
_HIDDEN_PARTS = frozenset(
    {"hidden", "hide", "visuallyhidden", "sronly", "screenreader", "invisible", "offscreen"}
)
_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u200c\u200d\u2060\ufeff")


def _hidden(el: Element) -> bool:
    return (
        bool(class_parts(el) & _HIDDEN_PARTS)
        or el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
    )


def headline_parts(h1: Element) -> tuple[str | None, str]:
    """The kicker printed inside an <h1> (None without one) and the headline without it.

    A kicker is an element with a kicker-ish class ("kicker", "topline", "dachzeile", ...) before the
    headline text. When the page puts a separator between the two (a visually hidden ": "), the page means
    "Kicker: Headline" and the kicker is returned with the separator, so callers can join them.
    """
    kicker_el = next(
        (el for el in h1.iterdescendants() if isinstance(el.tag, str) and class_parts(el) & KICKER_PARTS),
        None,
    )
    full = norm(h1.text_content())
    if kicker_el is None or norm(_text_before(h1, kicker_el)):
        return None, full  # no kicker, or a kicker-ish element after the start of the headline
    kicker = norm(kicker_el.text_content())
    rest: list[str] = []
    separator = False

    def walk(el: Element) -> None:
        nonlocal separator
        if el is kicker_el or not isinstance(el.tag, str):
            return
        if el is not h1 and _hidden(el):
            separator = separator or norm(el.text_content()) in (":", "-", "–", "|")
            return
        rest.append(el.text or "")
        for child in el:
            walk(child)
            rest.append(child.tail or "")

    walk(h1)
    headline = norm(" ".join(rest))
    if not kicker or not headline or len(kicker) > 80:
        return None, full
    return (kicker + ":" if separator else None), headline


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


def printed_title(h1: Element) -> str:
    """The headline as printed in an <h1>: a kicker without a separator left out, "Kicker: Headline" with one."""
    kicker, headline = headline_parts(h1)
    return f"{kicker} {headline}" if kicker else headline


def same_title(a: str | None, b: str | None) -> bool:
    """Titles equal after collapsing whitespace and dropping soft hyphens and zero-width characters."""
    if not a or not b:
        return False
    return norm(a.translate(_INVISIBLE)).casefold() == norm(b.translate(_INVISIBLE)).casefold()
