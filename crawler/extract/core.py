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
from crawler.extract.titles import clean_title, headline_parts, printed_title, same_title, site_key, site_keys
from crawler.places.hints import place_hints
from crawler.places.tagger import tag_places

EXTRACTOR_VERSION = "1.3.0"
# The headline as the page's metadata gives it: og:title first (the headline the publisher shares), then the
# JSON-LD headline; sites that put a social variant in og:title say so with SiteSelectors.title_order.
TITLE_ORDER = ("opengraph", "jsonld", "microdata", "h1", "title")
log = logging.getLogger(__name__)
_ORG_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "brand", "website"})
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
        "title": None, "lead": None, "body": "", "authors": [], "published": None, "modified": None,
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


def _printed_over_social(og: str | None, twitter: str | None, printed: str) -> str | None:
    """Why the printed <h1> beats og:title on a page without a site file that says otherwise (None: it does not).

    - og:title and twitter:title are different headlines (not one the other cut short or with a tail): the
      publisher wrote social variants, so neither is the headline; the printed one is.
    - og:title is the printed headline without the "Kicker: " the <h1> starts with.
    """
    if not og or same_title(og, printed) or _variant_of(og, printed):
        return None
    if twitter and not same_title(og, twitter) and not _variant_of(og, twitter):
        return "og:title and twitter:title are different social variants: the printed <h1> headline"
    match = _KICKER_PREFIX.match(printed)
    if match and same_title(match.group(2), og):
        return "og:title is the printed <h1> headline without its kicker: the printed headline"
    return None


def _first_text(els: list[Element]) -> str | None:
    for el in els:
        text = norm(el.get("content") if el.tag == "meta" else el.text_content())
        if text:
            return text
    return None


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

    def _title(self, version: SiteSelectors | None) -> str | None:
        keys = self._site_names()
        if version is not None and version.title:
            els = select(self.root, version.title)
            title = clean_title(
                printed_title(els[0]) if els and els[0].tag == "h1" else _first_text(els), keys
            )
            if title:
                self.fields["title"] = "selectors"
                self.why["title"] = "the site file's title selector matched"
                return title
        printed = printed_title(self.h1_el) if self.h1_el is not None else None
        metadata: dict[str, Callable[[], str | None]] = {
            "opengraph": lambda: self.data.first_meta("og:title", "twitter:title"),
            "jsonld": lambda: _str(self.art.get("headline")),
            "microdata": lambda: _str(self.data.microdata.get("headline")),
        }
        if printed and (version is None or not version.title_order) and not self.data.first_meta("og:title"):
            # without og:title (the headline the publisher shares, first everywhere else) and without a site
            # file saying otherwise: of the other metadata headlines, the one the page prints in its <h1>, so
            # an SEO or social variant (twitter:title, the JSON-LD) loses to the printed one
            kicker, headline = headline_parts(self.h1_el)
            shown = {printed, headline, f"{kicker} {headline}" if kicker else headline}
            twitter: Callable[[], str | None] = lambda: self.data.first_meta("twitter:title")  # noqa: E731
            for name, source in (*metadata.items(), ("opengraph", twitter)):
                title = clean_title(source(), keys)
                if title and any(same_title(title, s) for s in shown):
                    self.fields["title"] = name
                    self.why["title"] = "no og:title: the metadata headline the page prints in its <h1>"
                    return title
        if printed and (version is None or not version.title_order):
            og = clean_title(self.data.first_meta("og:title"), keys)
            why = _printed_over_social(og, clean_title(self.data.first_meta("twitter:title"), keys), printed)
            if why:
                self.fields["title"] = "fallback"
                self.why["title"] = why
                return printed
        sources: dict[str, Callable[[], str | None]] = {
            **metadata,
            "h1": lambda: self._printed_headline(printed, keys),
            "title": lambda: _first_text(list(self.root.iter("title"))),
        }
        order = list(version.title_order) if version is not None and version.title_order else []
        if order and "opengraph" not in order and "h1" not in order:
            # a site file that names other sources before og:title says og:title is not the printed headline:
            # when those are missing (an older layout), the printed <h1> comes before og:title
            order.append("h1")
        order += [name for name in TITLE_ORDER if name not in order]
        for name in order:
            title = clean_title(sources[name](), keys) if name in sources else None
            if title:
                self.fields["title"] = name if name in ("opengraph", "jsonld", "microdata") else "fallback"
                if printed and name in metadata and _seo_tail(title, printed):
                    self.why["title"] = (
                        f"{name} is the printed <h1> headline with an SEO tail; the tail left out"
                    )
                    return printed
                named = (
                    "the site file's title_order"
                    if version is not None and version.title_order
                    else "TITLE_ORDER"
                )
                self.why["title"] = f"first non-empty source in {named}: {', '.join(order)}"
                return title
        return None

    def _printed_headline(self, printed: str | None, keys: set[str]) -> str | None:
        """The printed <h1>, unless it is a section's name over the headline: the <title> names an <h2> instead
        ("Allergies Health Center" in the <h1>, the article's headline in an <h2> and in the <title>)."""
        title = clean_title(_first_text(list(self.root.iter("title"))), keys)
        if printed and title and not same_title(title, printed):
            for h2 in itertools.islice(self.root.iter("h2"), 20):
                if same_title(norm(h2.text_content()), title):
                    return title
        return printed

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
        if found[0]:
            self.fields["authors"] = found[1]
            self.why.setdefault(
                "authors", "first layer with a name: JSON-LD, microdata, meta tags, printed byline"
            )
        return found[0]

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
