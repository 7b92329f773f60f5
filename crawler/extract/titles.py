"""Titles: strip site-name suffixes and prefixes ("... | MDR.DE", "... - WAZ", "NDR: ...")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.extract.dom import norm

_SEPARATORS = re.compile(r"\s+[|\-–—·•»:]\s+|\s*\|\s*")
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
