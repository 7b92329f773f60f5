"""extract(): the layers in order, sharing one parsed tree."""

from __future__ import annotations

import html as html_lib
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.extract import body as generic
from crawler.extract.boilerplate import is_boilerplate_line
from crawler.extract.dates import iso, parse_date
from crawler.extract.dom import Element, norm, parse, to_text
from crawler.extract.fallback import trafilatura_body
from crawler.extract.people import (
    AGENCIES,
    byline_names,
    clean_name,
    dedupe,
    names_from_jsonld,
    printed_date,
    split_byline,
)
from crawler.extract.recognise import page_publisher, recognise
from crawler.extract.selectors import SiteSelectors, select
from crawler.extract.structured import (
    Structured,
    meta_key,
    parse_jsonld,
    parse_meta,
    parse_microdata,
    types_of,
)
from crawler.extract.titles import (
    _hidden,
    clean_title,
    headline_parts,
    in_breadcrumb,
    kicker_above,
    same_title,
    site_key,
    site_keys,
)
from crawler.places.hints import place_hints
from crawler.places.tagger import tag_places

EXTRACTOR_VERSION = "1.4.0"
# Where the headline comes from when the page prints none (the printed headline comes first: _printed_heading):
# og:title (the headline the publisher shares), the JSON-LD headline, microdata, <title>.
TITLE_ORDER = ("opengraph", "jsonld", "microdata", "title")
log = logging.getLogger(__name__)
_ORG_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "brand", "website"})
# initials of the authors closing a text: "ssi, dan; Foto [M]: ...", "(ssi/dan)", "ssi"
_INITIALS = re.compile(r"^\(?(?P<names>[a-zäöüß]{2,4}(?:\s*[,/]\s*[a-zäöüß]{2,4}){0,3})\)?\s*(?:;.{0,200})?$")
_DESK = re.compile(r"redaktion|newsdesk|\bdesk\b|newsroom|\bstaff\b", re.IGNORECASE)
_DOMAIN = re.compile(
    r"^[\w-]+(?:\.[\w-]+)*\.(?:de|com|at|ch|net|org|eu|info|online|news|tv|fm)$", re.IGNORECASE
)

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "pubdate",
    "publishdate", "publish-date", "published_time", "parsely-pub-date", "sailthru.date", "last-modified",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)


def empty_result() -> dict[str, Any]:
    """The result for a page without anything to extract."""
    return {
        "title": None, "kicker": None, "lead": None, "body": "", "authors": [], "published": None, "modified": None,
        "section": None, "keywords": [], "image": None, "language": None, "paywalled": False,
        "canonical_url": None, "extractor": {"method": "none", "version": EXTRACTOR_VERSION, "fields": {}},
    }  # fmt: skip


def extract(
    html: str | bytes, url: str, selectors: SiteSelectors | None = None, coverage: Iterable[str] | None = None
) -> dict[str, Any]:
    """Article fields of a page: site selectors, structured data, then generic heuristics; then the places it
    is about (crawler/places; ``coverage``: the site's districts or Land). Never raises."""
    try:
        result = _Extraction(html, url, selectors).run()
    except Exception:
        log.exception("extraction failed for %s", url)
        result = empty_result()
    return tag_places(result, url if isinstance(url, str) else "", coverage)


def _str(value: object) -> str | None:
    """A JSON-LD value as one clean string (first of a list, name of an object, entities decoded)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | Mapping)), None)
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("url") or value.get("@value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return norm(html_lib.unescape(value)) or None if isinstance(value, str) else None


_TAIL = re.compile(r"\s*(?:--|[|\-–—·•»])\s+\S")


def _seo_tail(title: str, printed: str) -> bool:
    """Whether a metadata title is the printed headline plus a separated tail ("Headline - keywords, more")."""
    if len(printed) < 15 or not title.startswith(printed):
        return False
    tail = title[len(printed) :]
    return len(tail) <= 80 and bool(_TAIL.match(tail))


def _variant_of(a: str, b: str) -> bool:
    """Whether one title is the other, or the other cut short ("...") or continued by a tail."""
    a, b = a.rstrip(".…").casefold(), b.rstrip(".…").casefold()
    return a.startswith(b) or b.startswith(a)


_KICKER_PREFIX = re.compile(r"^(.{3,60}?):\s+(.+)$")


def _first_text(els: list[Element]) -> str | None:
    for el in els:
        text = norm(el.get("content") if el.tag == "meta" else el.text_content())
        if text:
            return text
    return None


def _hidden_heading(el: Element) -> bool:
    """A heading hidden from the reader (visually hidden for screen readers only, or inside a hidden box)."""
    return _hidden(el) or any(_hidden(a) for a in itertools.islice(el.iterancestors(), 4))


def _may_confirm(heading: Element, folded: list[str]) -> bool:
    """A cheap first test: whether a metadata headline (case-folded) holds the heading's last words."""
    words = heading.text_content().split()[-3:]
    tail = " ".join(words).casefold()
    return bool(tail) and any(tail in m for m in folded)


def _headline_like(heading: Element, text: str) -> bool:
    """A printed <h1> that can be a headline: visible, a few words, not a control's or a box's label, not in
    the page's banner (outside the article) nor a link to the front page."""
    if _hidden_heading(heading) or len(text.split()) < 3:
        return False
    ancestors = list(heading.iterancestors())
    tags = [a.tag for a in ancestors]
    if any(t in ("button", "dialog", "form", "footer", "aside") for t in tags[:6]):
        return False
    if ("header" in tags or any(a.get("role") == "banner" for a in ancestors)) and not (
        "article" in tags or "main" in tags
    ):
        return False  # the page's banner: the site's or a section's name
    for href in heading.xpath(".//a/@href"):
        parts = urlsplit(str(href))
        if parts.path in ("", "/") and not parts.query and not parts.fragment:
            return False  # a link to the front page: the site's logo
    return True


class _Extraction:
    def __init__(self, html: str | bytes, url: str, selectors: SiteSelectors | None) -> None:
        self.raw = html
        self.url = url if isinstance(url, str) else ""
        self.selectors = selectors
        self.fields: dict[str, str] = {}
        self.why: dict[str, str] = {}  # per field, the rule that chose its value (for --explain)
        self.version: SiteSelectors | None = None
        self.result = empty_result()
        self._keys: set[str] | None = None
        self._brand_names: set[str] | None = None

    def run(self) -> dict[str, Any]:
        root = parse(self.raw)
        if root is None:
            return self.result
        self.root = root
        data = Structured()
        parse_meta(root, data)
        self.h1_el = next((h for h in root.iter("h1") if norm(h.text_content())), None)
        self.h1 = norm(self.h1_el.text_content()) if self.h1_el is not None else None
        canonical = self._canonical(root, data)
        headline = data.first_meta("og:title", "twitter:title") or self.h1 or ""
        jsonld = parse_jsonld(root, self.url, canonical, headline)
        data.article, data.nodes, data.graph = jsonld.article, jsonld.nodes, jsonld.graph
        parse_microdata(root, data)
        self.data = data
        art: Mapping[str, Any] = data.article or {}
        self.art = art

        published, published_layer = self._published()
        version = self._selector_version(published)
        self.version = version
        r = self.result
        r["canonical_url"] = canonical
        r["title"] = self._title(version)
        r["authors"] = self._authors(version)
        if version is not None and version.published:
            chosen = self._date_from_elements(select(root, version.published))
            if chosen is not None:
                published, published_layer = chosen, "selectors"
                self.why["published"] = "the site file's published selector matched a date"
        r["published"] = iso(published)
        if published is not None:
            self.fields["published"] = published_layer
            self.why.setdefault(
                "published", "first layer with a date: JSON-LD, microdata, meta tags, <time>, a printed date"
            )
        modified = parse_date(art.get("dateModified")) or parse_date(data.microdata.get("dateModified"))
        modified = modified or parse_date(data.first_meta(*_MODIFIED_META))
        r["modified"] = iso(modified)
        r["language"] = self._language()
        r["section"] = _str(art.get("articleSection")) or data.first_meta("article:section")
        r["keywords"] = self._keywords()
        r["image"] = self._image()
        r["paywalled"] = self._paywalled()
        self._body(version)
        self._closing_initials()
        r["extractor"] = {"method": self.fields.get("body", "none"), "version": EXTRACTOR_VERSION,
                          "fields": dict(self.fields)}  # fmt: skip
        # is this page an article at all? (crawler/extract/recognise.py), and whose is it
        r["recognised"] = recognise(root, data, r).as_dict()
        r["site_publisher"] = page_publisher(data)
        r["place_hints"] = place_hints(art, data.nodes, self.raw)  # read by tag_places, then dropped
        return r

    # -- small fields -------------------------------------------------------------------------------------

    def _canonical(self, root: Element, data: Structured) -> str | None:
        for link in root.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
                return self._absolute(link.get("href"))
        og = data.first_meta("og:url")
        return self._absolute(og) if og else None

    def _absolute(self, href: str | None) -> str | None:
        if not href or not href.strip():
            return None
        try:
            absolute = urljoin(self.url, href.strip())
        except ValueError:
            return None
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None

    def _site_names(self) -> set[str]:
        if self._keys is not None:
            return self._keys
        publisher = self.art.get("publisher")
        names = [
            self.data.first_meta("og:site_name"),
            self.data.first_meta("application-name"),
            self.data.first_meta("twitter:site", "twitter:creator"),
            _str(publisher),
        ]
        names += [
            _str(n.get("name"))
            for n in self.data.nodes
            if types_of(n) & {"organization", "newsmediaorganization", "website"}
        ]
        self._keys = site_keys(self.url, [n.lstrip("@") if n else None for n in names])
        return self._keys

    def _metadata_titles(self, keys: set[str]) -> list[str]:
        """The headlines the page's metadata gives (og:title, twitter:title, JSON-LD, microdata, <title>),
        site names trimmed: evidence for which printed heading is the article's headline."""
        values = [
            self.data.first_meta("og:title"),
            self.data.first_meta("twitter:title"),
            _str(self.art.get("headline")),
            _str(self.data.microdata.get("headline")),
            _first_text(list(itertools.islice(self.root.iter("title"), 1))),
        ]
        out: list[str] = []
        for value in values:
            cleaned = clean_title(value, keys)
            if cleaned and cleaned not in out:
                out.append(cleaned)
        return out

    @staticmethod
    def _confirmed(
        kicker: str | None, headline: str, texts: list[str], meta: list[str]
    ) -> tuple[bool, str | None]:
        """Whether a metadata headline confirms a printed heading, and its kicker: the printed one, or the
        "Kicker: " a metadata headline puts before the printed headline when the page prints it just above."""
        for m in meta:
            if same_title(m, headline):
                return True, kicker
            if kicker and (same_title(m, f"{kicker}: {headline}") or same_title(m, f"{kicker} {headline}")):
                return True, kicker
            if _seo_tail(m, headline) or (len(headline) >= 25 and _variant_of(m, headline)):
                return True, kicker
            match = _KICKER_PREFIX.match(m)
            if match and same_title(match.group(2), headline):
                named = match.group(1).strip()
                if any(named.casefold() in t.casefold() for t in [*texts, kicker or ""]):
                    return True, named  # the page prints the kicker the metadata puts before the headline
        return False, kicker

    def _printed_heading(self, keys: set[str]) -> tuple[str | None, str, str] | None:
        """The article's printed headline: (kicker, headline, why); None when the page prints none.

        Headings in breadcrumbs, navigation and lists are not the article's headline. Of the rest: the first
        <h1> a metadata headline confirms; else the first <h2> one confirms (a section's name in the <h1>);
        else the first visible <h1> (publishers put social and SEO variants in the metadata: the printed one
        wins); else a breadcrumb's <h1> that a metadata headline confirms.
        """
        meta = self._metadata_titles(keys)
        h1s = [
            h for h in itertools.islice(self.root.iter("h1"), 12) if 3 <= len(norm(h.text_content())) <= 300
        ]
        h2s = [
            h for h in itertools.islice(self.root.iter("h2"), 40) if 8 <= len(norm(h.text_content())) <= 300
        ]
        unconfirmed: tuple[str | None, str] | None = None
        crumb: tuple[str | None, str] | None = None
        folded = [m.casefold() for m in meta]
        for level, headings in (("h1", h1s), ("h2", h2s)):
            for heading in headings:
                if level == "h2" and not _may_confirm(heading, folded):
                    continue  # an <h2> counts only when a metadata headline confirms it
                kicker, headline = headline_parts(heading)
                above: list[str] = []
                if kicker is None:
                    kicker, above = kicker_above(heading)
                headline = clean_title(headline, keys) or ""
                if not headline or self._is_site_name(headline):
                    continue
                confirmed, kicker = self._confirmed(kicker, headline, above, meta)
                if kicker and headline.casefold() in kicker.casefold():
                    kicker = None  # a control's label that repeats the headline ("Listen again: Headline")
                if in_breadcrumb(heading):
                    if level == "h1" and confirmed and crumb is None:
                        crumb = (kicker, headline)
                    continue
                if confirmed:
                    why = f"the first <{level}> a metadata headline confirms"
                    return kicker, headline, why + (f", its kicker {kicker!r} apart" if kicker else "")
                if level == "h1" and unconfirmed is None and _headline_like(heading, headline):
                    unconfirmed = (kicker, headline)
        if unconfirmed is not None:
            return (*unconfirmed, "the printed <h1>: the metadata headlines are social or SEO variants")
        if crumb is not None:
            return (
                *crumb,
                "the breadcrumb's <h1>, as a metadata headline confirms: no other printed headline",
            )
        return None

    def _title(self, version: SiteSelectors | None) -> str | None:
        keys = self._site_names()
        if version is not None and version.title:
            els = select(self.root, version.title)
            kicker: str | None = None
            if els and els[0].tag in ("h1", "h2"):
                kicker, printed = headline_parts(els[0])
                title = clean_title(printed, keys)
            else:
                title = clean_title(_first_text(els), keys)
            if title:
                self.fields["title"] = "selectors"
                self.why["title"] = "the site file's title selector matched"
                self.result["kicker"] = kicker
                return title
        metadata: dict[str, Callable[[], str | None]] = {
            "opengraph": lambda: self.data.first_meta("og:title", "twitter:title"),
            "jsonld": lambda: _str(self.art.get("headline")),
            "microdata": lambda: _str(self.data.microdata.get("headline")),
            "title": lambda: _first_text(list(self.root.iter("title"))),
        }
        if version is not None and version.title_order:
            for name in version.title_order:
                title = clean_title(metadata[name](), keys) if name in metadata else None
                if title:
                    self.fields["title"] = name if name != "title" else "fallback"
                    self.why["title"] = f"the first non-empty source in the site file's title_order: {name}"
                    return title
        found = self._printed_heading(keys)
        if found is not None:
            self.result["kicker"], title, self.why["title"] = found
            self.fields["title"] = "fallback"
            return title
        for name in TITLE_ORDER:
            title = clean_title(metadata[name](), keys)
            if title:
                self.fields["title"] = name if name != "title" else "fallback"
                self.why["title"] = "no printed headline: the first metadata headline in " + ", ".join(
                    TITLE_ORDER
                )
                return title
        return None

    def _authors(self, version: SiteSelectors | None) -> list[str]:
        if version is not None and version.authors:
            names = dedupe(
                n for el in select(self.root, version.authors) for n in split_byline(el.text_content())
            )
            if names:
                self.fields["authors"] = "selectors"
                self.why["authors"] = "the site file's authors selector matched"
                return names
        found: tuple[list[str], str] = ([], "none")
        names = names_from_jsonld(self.art.get("author"), self.data.graph)
        micro = self.data.microdata.get("author")
        if names:
            found = (names, "jsonld")
        elif micro:
            found = (dedupe(n for value in micro for n in split_byline(value)), "microdata")
        if not found[0]:
            for key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
                names = next(
                    (n for n in (self._meta_names(v) for v in self.data.meta.get(meta_key(key), [])) if n), []
                )
                if names:
                    found = (names, "opengraph")
                    break
        if not found[0] or all(self._is_brand(n) for n in found[0]):
            # a brand or publisher as the author ("stern.de", an Organization): the byline printed on the
            # page names the people, when it does
            printed = byline_names(self.root)
            if printed and (not found[0] or any(not self._is_brand(n) for n in printed)):
                self.why["authors"] = (
                    "a person printed on the page wins over a brand or publisher as the author"
                    if found[0]
                    else "no structured author: the byline printed on the page"
                )
                found = (printed, "fallback")
        names = self._credited(found[0])
        if names:
            self.fields["authors"] = found[1]
            self.why.setdefault(
                "authors", "first layer with a name: JSON-LD, microdata, meta tags, printed byline"
            )
        elif found[0]:
            self.why["authors"] = (
                f"only the site's own name or domain ({', '.join(found[0])}): nobody credited"
            )
        return names

    def _credited(self, names: list[str]) -> list[str]:
        """The people credited, or the agency or desk when no person is: never the site's own brand, channel
        or a domain ("ndr.de", "MDR SACHSEN-ANHALT" beside a person); a desk named after the site ("Redaktion
        hessenschau.de") only when nobody else is credited."""
        own = [self._is_own(n) for n in names]
        others = any(not o and not _DESK.search(n) for n, o in zip(names, own, strict=True))
        return [n for n, o in zip(names, own, strict=True) if not o or (_DESK.search(n) and not others)]

    def _is_own(self, name: str) -> bool:
        """The site's own name, one of its channels, or a domain."""
        return bool(_DOMAIN.search(name)) or self._is_site_name(name)

    def _meta_names(self, value: str) -> list[str]:
        """Names in a meta author tag; the site's own name is kept whole ("Mac & i" is a magazine, not two
        people), so the printed byline can win over it."""
        name = clean_name(value)
        return [name] if name and self._is_site_name(name) else split_byline(value)

    def _brands(self) -> set[str]:
        """Names of the Organization objects the JSON-LD gives as author or publisher."""
        if self._brand_names is not None:
            return self._brand_names
        out: set[str] = set()
        for key in ("author", "publisher"):
            value = self.art.get(key)
            for obj in value if isinstance(value, list) else [value]:
                if isinstance(obj, Mapping) and types_of(obj) & _ORG_TYPES:
                    name = _str(obj.get("name"))
                    if name:
                        out.add(name.casefold())
        self._brand_names = out
        return out

    def _is_brand(self, name: str) -> bool:
        """A publisher, brand or domain rather than a person ("stern.de", "LTO", the site's own name)."""
        if name.casefold() in self._brands() or _DOMAIN.search(name):
            return True
        return self._is_site_name(name)

    def _is_site_name(self, name: str) -> bool:
        key = site_key(name)
        return any(key and (key in k or k in key) for k in self._site_names() if len(k) >= 3)

    def _date_from_elements(self, els: list[Element]) -> datetime | None:
        for el in els:
            for value in (el.get("datetime"), el.get("content"), el.text_content()):
                dt = parse_date(value)
                if dt is not None:
                    return dt
        return None

    def _published(self) -> tuple[datetime | None, str]:
        dt = parse_date(self.art.get("datePublished")) or parse_date(self.art.get("dateCreated"))
        if dt is not None:
            return dt, "jsonld"
        dt = parse_date(self.data.microdata.get("datePublished"))
        if dt is not None:
            return dt, "microdata"
        for key in _PUBLISHED_META:
            dt = parse_date(self.data.first_meta(key))
            if dt is not None:
                return dt, "opengraph"
        for node in self.data.nodes:  # a WebPage object may carry the date when no Article object does
            dt = parse_date(node.get("datePublished"))
            if dt is not None:
                return dt, "jsonld"
        times = self.root.xpath("//time[@datetime]")
        dt = self._date_from_elements(times[:3]) or printed_date(self.root)
        return dt, "fallback"

    def _selector_version(self, published: datetime | None) -> SiteSelectors | None:
        if self.selectors is None:
            return None
        versions = self.selectors.versions(published)
        for version in versions:
            if version.body is None or select(self.root, version.body):
                return version
        return versions[0]

    def _language(self) -> str | None:
        candidates = [
            self.root.get("lang"), self.root.get("xml:lang"), self.data.first_meta("og:locale"),
            _str(self.art.get("inLanguage")),
            self.data.first_meta("content-language", "language", "dc.language"),
        ]  # fmt: skip
        for value in candidates:
            if value:
                code = re.split(r"[-_]", value.strip())[0].lower()
                if re.fullmatch(r"[a-z]{2,3}", code):
                    return code
        return None

    def _keywords(self) -> list[str]:
        values: list[str] = []
        raw = self.art.get("keywords")
        if isinstance(raw, str):
            values += raw.split(",")
        elif isinstance(raw, list):
            values += [k for k in raw if isinstance(k, str)]
        if not values:
            for key in ("news_keywords", "keywords"):
                for value in self.data.meta.get(meta_key(key), []):
                    values += value.split(",")
                if values:
                    break
        values += self.data.meta.get(meta_key("article:tag"), [])
        return dedupe(norm(v) for v in values if norm(v))

    def _image(self) -> str | None:
        raw = self.art.get("image")
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        if isinstance(raw, Mapping):
            raw = raw.get("url") or raw.get("contentUrl")
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        candidate = raw if isinstance(raw, str) else None
        candidate = candidate or self.data.first_meta("og:image", "og:image:url", "twitter:image")
        return self._absolute(candidate)

    def _paywalled(self) -> bool:
        def free(obj: Mapping[str, Any]) -> bool | None:
            value = obj.get("isAccessibleForFree")
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("false", "true"):
                return value.strip().lower() == "true"
            return None

        objs: list[Mapping[str, Any]] = [self.art] if self.art else []
        part = self.art.get("hasPart")
        objs += [p for p in (part if isinstance(part, list) else [part]) if isinstance(p, Mapping)]
        if any(free(o) is False for o in objs):
            return True
        tier = (self.data.first_meta("article:content_tier") or "").lower()
        return tier in ("locked", "metered", "premium")

    # -- body -------------------------------------------------------------------------------------------

    def _description(self) -> str | None:
        return _str(self.art.get("description")) or self.data.first_meta(
            "og:description", "description", "twitter:description"
        )

    def _body(self, version: SiteSelectors | None) -> None:
        r = self.result
        description = self._description()
        if version is not None and version.body and self._selector_body(version):
            self.why["body"] = "the site file's body selector matched"
            return
        blocks = generic.collect_blocks(self.root)
        container = self._micro_container()
        if container is None:
            container = generic.choose_container(blocks)
            if container is not None:
                container = generic.expand_container(blocks, container)
        body_blocks: list[generic.Block] = []
        if container is not None:
            keep_lists = self.result["language"] not in (None, "de")
            body_blocks = generic.clean_blocks(generic.region_blocks(blocks, container), keep_lists)
        kicker = r.get("kicker")
        if kicker:  # the kicker printed over the headline is no paragraph of the text
            body_blocks = [b for i, b in enumerate(body_blocks) if i > 2 or not same_title(b.text, kicker)]
        lead_block: generic.Block | None = None
        if body_blocks:
            first = body_blocks[0]
            lead_block = generic.find_lead(blocks, first, description, r["title"])
            if lead_block is None and (
                generic.is_leadish(first) or (description and generic._similar(first.text, description))
            ):
                lead_block = first
            if (
                lead_block is not None
                and lead_block is not first
                and lead_block.text not in {b.text for b in body_blocks}
            ):
                body_blocks.insert(0, lead_block)
        text = "\n\n".join(b.text for b in body_blocks)
        article_body = _str(self.art.get("articleBody"))
        if article_body and generic.plausible(article_body) and generic.recall(article_body, text) < 0.5:
            text = ""  # the page text misses most of what the page declares as its body: wrong container
            self.why["body"] = "the container's text misses most of the JSON-LD articleBody: "
        if generic.plausible(text):
            layer = (
                "microdata"
                if container is not None and container.get("itemprop") == "articleBody"
                else "fallback"
            )
            self._set_body(text, layer, lead_block.text if lead_block else description)
            self.why["body"] = (
                "the microdata articleBody element"
                if layer == "microdata"
                else f"the densest text container <{container.tag if container is not None else '?'}"
                f"{' class=' + repr(container.get('class')) if container is not None and container.get('class') else ''}>"
                f", {len(body_blocks)} blocks after boxes and boilerplate were left out"
            )
            return
        if article_body and generic.plausible(article_body):
            self._set_body(article_body, "jsonld", description)
            self.why["body"] = self.why.get("body", "no plausible page text: ") + "the JSON-LD articleBody"
            return
        fallback = trafilatura_body(to_text(self.raw), self.url)
        if fallback:
            self._set_body(fallback, "fallback", description)
            self.why["body"] = "the cheap layers found no plausible text: trafilatura"
        elif text:
            self._set_body(text, "fallback", description)
        else:
            r["lead"] = description
            if description:
                self.fields["lead"] = "opengraph"

    def _closing_initials(self) -> None:
        """The authors' initials (Kürzel) closing the text, as German papers print them ("ssi, dan; Foto: ...",
        "(ssi)"): the authors when the page credits nobody else, and no paragraph of the text."""
        r = self.result
        body = r["body"] or ""
        last = body.rsplit("\n\n", 1)[-1]
        match = _INITIALS.match(last)
        if match is None or last == body:
            return
        names = [i.strip() for i in re.split(r"[,/]", match.group("names"))]
        if any(n in AGENCIES for n in names):
            return  # an agency's tag ("dpa/lni"), not people
        r["body"] = body[: len(body) - len(last)].rstrip()
        if not r["authors"]:
            r["authors"] = names
            self.fields["authors"] = "fallback"
            self.why["authors"] = "no byline: the authors' initials that close the text"

    def _set_body(self, text: str, layer: str, lead: str | None) -> None:
        self.result["body"] = text
        self.result["lead"] = lead
        self.fields["body"] = layer
        if lead:
            self.fields["lead"] = layer

    def _micro_container(self) -> Element | None:
        el = self.data.microdata.get("articleBody")
        if el is None:
            return None
        return el if len(norm(el.text_content())) >= 250 else None

    def _selector_body(self, version: SiteSelectors) -> bool:
        containers = select(self.root, version.body)
        if not containers:
            return False
        dropped: set[Element] = set()
        for selector in version.drop:
            for container in containers:
                dropped.update(select(container, selector))
        paragraphs: list[str] = []
        for container in containers:
            for el in select(container, version.paragraphs) if version.paragraphs else [container]:
                if any(d is el or d in el.iterancestors() for d in dropped):
                    continue
                text = norm(el.text_content())
                if text and not is_boilerplate_line(text) and text not in paragraphs:
                    paragraphs.append(text)
        lead = _first_text(select(self.root, version.lead)) if version.lead else None
        if lead and lead not in paragraphs:
            paragraphs.insert(0, lead)
        if not paragraphs:
            return False
        self._set_body("\n\n".join(paragraphs), "selectors", lead or self._description())
        return True
