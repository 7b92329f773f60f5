"""Pure normalisation helpers shared by the pipelines (text, dates, URLs, hashes)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import tldextract
from dateutil.parser import isoparse
from dateutil.parser import parse as parse_date
from w3lib.html import replace_entities
from w3lib.url import canonicalize_url

#: naive dates are taken to be local time of the newsrooms
LOCAL_TZ = ZoneInfo("Europe/Berlin")

#: query parameters dropped from canonical URLs: exact names (compared lower-case) ...
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "cmpid",
    }
)
#: ... and name prefixes (Google Analytics, Webtrekk/Mapp, AT Internet/Piano, Matomo/Piwik)
TRACKING_PREFIXES = ("utm_", "wt_", "at_", "pk_", "mtm_")

# characters that carry no text: zero-width space, BOM, soft hyphen; and those a terminal obeys: the C0 controls
# but whitespace (ESC, BEL, NUL, ...), DEL and the C1 controls (CSI \x9b, OSC \x9d, ...); lone surrogates (from
# JSON escapes such as "\ud800") are no text either and become U+FFFD, so hashing and writing never fail
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), *range(0x0E, 0x1C), *range(0x7F, 0xA0)])
_INVISIBLE: dict[int, int | None] = {
    **dict.fromkeys(map(ord, "\u200b\ufeff\u00ad" + _CONTROLS)),
    **dict.fromkeys(range(0xD800, 0xE000), 0xFFFD),
}
#: finds the characters above: most text has none, and a search is cheaper than a translation of all of it
_HAS_INVISIBLE = re.compile("[\u200b\ufeff\u00ad" + re.escape(_CONTROLS) + "\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


_TRUE = frozenset(("1", "true", "yes", "on"))
_FALSE = frozenset(("0", "false", "no", "off"))


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an http(s) URL with a host (the only URLs the crawl fetches)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def parse_flag(value: object, default: bool = False) -> bool:
    """A flag from a setting or a spider argument (``-a recheck=1`` passes a string): None or "" is ``default``;
    ValueError for text that is neither 1/true/yes/on nor 0/false/no/off."""
    if value is None or value == "":
        return default
    if isinstance(value, bool | int):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"not true or false: {value!r}")


def as_str(value: object) -> str:
    """A Redis reply (bytes) or any value as text."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _unescaped(value: object) -> str:
    """``value`` as text with HTML entities replaced and the invisible characters removed (lone surrogates become
    U+FFFD). Text without ``&`` has no entity to replace, and ``str.translate`` with a table, slow on non-ASCII
    text, runs only when a search finds something to remove."""
    text = str(value)
    if "&" in text:
        text = replace_entities(text)
    if _HAS_INVISIBLE.search(text) is not None:
        text = text.translate(_INVISIBLE)
    return text


def clean_text(value: object) -> str | None:
    """Unescape HTML entities and collapse all whitespace to single spaces; '' -> None."""
    if value is None:
        return None
    text = " ".join(_unescaped(value).split())
    return text or None


def clean_body(value: object) -> str:
    """Paragraphs trimmed (spaces collapsed, single line breaks kept) and joined by one blank line."""
    if not value:
        return ""
    text = _unescaped(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def clean_list(values: object) -> list[str]:
    """Clean each string of a list (or a single string), drop empties and case-insensitive repeats."""
    if values is None:
        return []
    items: Iterable[object] = [values] if isinstance(values, str) else values  # type: ignore[assignment]
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = clean_text(item)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def to_datetime(value: object) -> datetime | None:
    """Parse an ISO 8601 (or other common) date; naive values are Europe/Berlin. Unparseable -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            dt = isoparse(text)
        except (ValueError, OverflowError):
            try:
                dt = parse_date(text, dayfirst=True)
            except (ValueError, OverflowError):
                return None
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=LOCAL_TZ)
    return dt


def iso_date(value: object) -> str | None:
    """Tz-aware ISO 8601 string (the value's own offset kept), or None if missing or unparseable."""
    dt = to_datetime(value)
    return None if dt is None else dt.isoformat()


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


#: host prefixes of mobile / AMP editions, mapped to ``www.``
VARIANT_HOST_PREFIXES = ("m.", "mobil.", "mobile.", "amp.")
#: query parameters that select an AMP, mobile or print rendering of the same article (names lower-case;
#: ``None`` drops the parameter whatever its value, a set only for those values)
VARIANT_PARAMS: dict[str, frozenset[str] | None] = {
    "amp": None,
    "print": None,
    "druck": None,
    "druckversion": None,
    "printpagedarticle": None,
    "mobile": None,
    "outputtype": frozenset({"amp", "print", "valid_amp"}),
    "output": frozenset({"amp", "print"}),
    "view": frozenset({"amp", "print", "mobile"}),
    "service": frozenset({"printpreview"}),
}
# path forms of AMP / print editions: a /amp/ or /print/ segment, a trailing /amp, name.amp.html, name~amp.html
_VARIANT_SEGMENT = re.compile(r"/(?:amp|print|drucken|druckversion)(?=/)", re.IGNORECASE)
_VARIANT_TAIL = re.compile(r"/(?:amp|print)/?$", re.IGNORECASE)
_VARIANT_SUFFIX = re.compile(r"(?:[.~_-]amp|[.~_-]print|-druckversion)(\.html?|\.php)$", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    name = unquote(name).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _is_variant(pair: str) -> bool:
    name, _, value = pair.partition("=")
    name = unquote(name).lower()
    if name not in VARIANT_PARAMS:
        return False
    values = VARIANT_PARAMS[name]
    return values is None or unquote(value).lower() in values


@lru_cache(maxsize=4096)
def canonical(url: str) -> str:
    """w3lib canonical form (sorted query, no fragment) without tracking parameters.

    AMP, mobile and print variants map to their article: ``m.``/``mobil.``/``amp.`` hosts become
    ``www.``, ``/amp/`` and ``/print/`` path segments, a trailing ``/amp`` and ``.amp.html``-style
    suffixes are removed, and so are query parameters such as ``amp``, ``print`` or ``outputType=amp``.
    """
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    query = "&".join(
        p
        for p in parts.query.split("&")
        if p and not _is_tracking(p.partition("=")[0]) and not _is_variant(p)
    )
    netloc = parts.netloc
    for prefix in VARIANT_HOST_PREFIXES:
        if netloc.startswith(prefix) and netloc.count(".") >= 2:
            netloc = "www." + netloc[len(prefix) :]
            break
    path = _VARIANT_SUFFIX.sub(r"\1", _VARIANT_TAIL.sub("/", _VARIANT_SEGMENT.sub("", parts.path)))
    if path != "/" and parts.path != path and path.endswith("/") and not parts.path.endswith("/"):
        path = path.rstrip("/")
    return urlunsplit((parts.scheme, netloc, path or "/", query, ""))


@cache
def _extractor() -> tldextract.TLDExtract:
    # the public suffix list snapshot bundled with tldextract: no network, no cache files
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())


def registrable_host(url: str) -> str:
    """The registrable domain of ``url`` (``www.ndr.de`` -> ``ndr.de``); the bare host for IPs/localhost."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return _extractor()(host).top_domain_under_public_suffix or host


def pick_canonical(url: str, declared: object) -> tuple[str, bool]:
    """The canonical URL of an article fetched from ``url`` that declares ``declared``.

    Returns (canonical URL, whether ``declared`` was used). The declared URL is used only when it is an
    http(s) URL on the same registrable domain as ``url``.
    """
    fetched = canonical(url)
    if not isinstance(declared, str) or not declared.strip():
        return fetched, False
    absolute = urljoin(url, declared.strip())
    if urlsplit(absolute).scheme not in ("http", "https") or not urlsplit(absolute).hostname:
        return fetched, False
    if registrable_host(absolute) != registrable_host(url):
        return fetched, False
    return canonical(absolute), True


def article_id(canonical_url: str) -> str:
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(title: str | None, body: str) -> str:
    # normalised text holds no lone surrogate; text that skipped normalisation hashes with U+FFFD's bytes ('?')
    return "sha256:" + hashlib.sha256(f"{title or ''}\n\n{body}".encode("utf-8", "replace")).hexdigest()
