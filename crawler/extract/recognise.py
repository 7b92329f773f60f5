"""Is this page an article? A pure function on the parsed page, its structured data and the extracted fields.

Structured signals (a JSON-LD ``NewsArticle``/``Article``/... object, ``og:type`` article,
``article:published_time``, a dated headline) are weighed with the shape of the text (how much running text,
how many teasers, forms, pictures, players). Section fronts, teaser lists, imprints, newsletter and contact
forms, galleries, video and audio pages, tag and author pages are rejected, each with a reason that the spider
counts as ``newsarchive/rejected/<reason>``. No Scrapy imports here: it runs in the extraction workers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawler.extract.dom import Element, norm
from crawler.extract.structured import ARTICLE_TYPES, Structured, types_of

#: rejection reasons (stats keys ``newsarchive/rejected/<reason>``)
SECTION = "section_front"
TAG = "tag_page"
AUTHOR = "author_page"
SEARCH = "search_page"
IMPRINT = "imprint"
NEWSLETTER = "newsletter_form"
CONTACT = "contact_form"
GALLERY = "gallery"
VIDEO = "video"
AUDIO = "audio"
NO_TEXT = "no_text"
NO_SIGNALS = "no_article_signals"
REASONS = (
    SECTION,
    TAG,
    AUTHOR,
    SEARCH,
    IMPRINT,
    NEWSLETTER,
    CONTACT,
    GALLERY,
    VIDEO,
    AUDIO,
    NO_TEXT,
    NO_SIGNALS,
)

# types that make a page an article (a live blog is not archived as one)
_ARTICLE = ARTICLE_TYPES - {"liveblogposting", "socialmediaposting"}
# page types that say what a page is when it declares no article
_PAGE_KINDS = {
    "imagegallery": GALLERY,
    "mediagallery": GALLERY,
    "videogallery": VIDEO,
    "videoobject": VIDEO,
    "audioobject": AUDIO,
    "podcastepisode": AUDIO,
    "podcastseries": AUDIO,
    "radioepisode": AUDIO,
    "contactpage": CONTACT,
    "aboutpage": IMPRINT,
    "profilepage": AUTHOR,
    "searchresultspage": SEARCH,
    "collectionpage": SECTION,
    "itemlist": SECTION,
}
_TITLE_KINDS = (
    (
        re.compile(
            r"\b(impressum|imprint|datenschutz\w*|privacy|agb|nutzungsbedingungen|mediadaten)\b", re.I
        ),
        IMPRINT,
    ),
    (re.compile(r"\bnewsletter\b", re.I), NEWSLETTER),
    (re.compile(r"\b(kontakt(formular)?|contact|leserbrief schreiben)\b", re.I), CONTACT),
    (re.compile(r"\b(bildergalerie|fotostrecke|fotogalerie|galerie|gallery|in bildern)\b", re.I), GALLERY),
    (re.compile(r"^(video|videos|mediathek)\b|\bim video\b", re.I), VIDEO),
    (re.compile(r"^(podcast|audio|hörbuch)\b", re.I), AUDIO),
    (re.compile(r"^(suche|search|suchergebnisse)\b", re.I), SEARCH),
    (
        re.compile(
            r"^(alle )?(artikel|beiträge|texte) (von|zum thema|zu)\b|^(autor|autorin|author)\s*:", re.I
        ),
        AUTHOR,
    ),
    (
        re.compile(r"^(thema|schlagwort|tag|stichwort)\s*:|^(alles|alle nachrichten|news) zum thema\b", re.I),
        TAG,
    ),
)
_PLAYER = re.compile(r"youtube|vimeo|dailymotion|player|podcast|spotify|soundcloud|audio|video", re.I)

#: least words of running text for an article with structured signals, and for one without
MIN_WORDS_SIGNALLED = 30
MIN_WORDS_UNSIGNALLED = 150
#: a page with this many teasers (headline links) and little running text is a section front
MIN_TEASERS = 6
#: paragraphs of at least this many words count as running text
LONG_PARAGRAPH = 20


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the page is an article; ``reason`` names the kind of page when it is not (else "")."""

    article: bool
    reason: str = ""
    signals: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"article": self.article, "reason": self.reason, "signals": list(self.signals)}


@dataclass(frozen=True, slots=True)
class _Shape:
    words: int
    long_paragraphs: int
    teasers: int
    images: int
    players: int
    email_forms: int
    text_forms: int
    link_density: float
    page_words: int  # words in the page's <p> elements
    page_long: int  # <p> elements of at least LONG_PARAGRAPH words


def _flat_len(text: str) -> int:
    """``len(norm(text))`` without the regular expression (whitespace runs count as one character)."""
    words = text.split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def _shape(root: Element, body: str) -> _Shape:
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    teaser_links: set[str] = set()
    players = email_forms = text_forms = images = linked = 0
    page: list[int] = []
    # one walk over the elements that matter (lxml filters the tags in C)
    for el in root.iter("h2", "h3", "h4", "article", "video", "audio", "iframe", "form", "p", "a", "img"):
        tag = el.tag
        if tag == "a":
            linked += _flat_len(el.text_content())
        elif tag == "p":
            page.append(len(el.text_content().split()))
        elif tag == "img":
            images += 1
        elif tag in ("h2", "h3", "h4"):
            for a in el.iter("a"):
                if a.get("href"):
                    teaser_links.add(a.get("href") or "")
            parent = el.getparent()
            if parent is not None and parent.tag == "a" and parent.get("href"):
                teaser_links.add(parent.get("href") or "")
        elif tag == "article":
            hrefs = [a.get("href") for a in el.iter("a") if a.get("href")]
            if 0 < len(hrefs) <= 3 and len(el.text_content().split()) < 80:
                teaser_links.add(hrefs[0] or "")
        elif tag in ("video", "audio"):
            players += 1
        elif tag == "iframe":
            players += bool(_PLAYER.search(el.get("src") or el.get("data-src") or ""))
        else:  # form
            types = {(i.get("type") or "text").lower() for i in el.iter("input")}
            names = " ".join((i.get("name") or "") for i in el.iter("input")).lower()
            if any(True for _ in el.iter("textarea")):
                text_forms += 1
            elif "email" in types or "mail" in names:
                email_forms += 1
    body_el = root.find("body")
    scope = body_el if body_el is not None else root
    total = _flat_len(scope.text_content())
    return _Shape(
        words=len(body.split()),
        long_paragraphs=sum(1 for p in paragraphs if len(p.split()) >= LONG_PARAGRAPH),
        teasers=len(teaser_links),
        images=images,
        players=players,
        email_forms=email_forms,
        text_forms=text_forms,
        link_density=round(linked / total, 3) if total else 0.0,
        page_words=sum(page),
        page_long=sum(1 for n in page if n >= LONG_PARAGRAPH),
    )


def _declared_kind(data: Structured, og_type: str) -> str:
    """What the page's structured data says it is, when that is not an article ("" when it says nothing)."""
    for node in data.nodes:
        for kind in types_of(node):
            if kind in _PAGE_KINDS and not (kind == "videoobject" and node is not data.nodes[0]):
                return _PAGE_KINDS[kind]
    if og_type.startswith("video"):
        return VIDEO
    if og_type.startswith(("music", "audio")):
        return AUDIO
    if og_type == "profile":
        return AUTHOR
    return ""


def _titled_kind(title: str) -> str:
    for pattern, kind in _TITLE_KINDS:
        if pattern.search(title):
            return kind
    return ""


def recognise(root: Element, data: Structured, fields: Mapping[str, Any]) -> Verdict:
    """The verdict on a page, from its tree, its structured data and the fields extracted from it."""
    article_types = set().union(*(types_of(n) for n in data.nodes)) & _ARTICLE if data.nodes else set()
    og_type = (data.first_meta("og:type") or "").lower()
    title = norm(str(fields.get("title") or ""))
    h1 = next((text for h in root.iter("h1") if (text := norm(h.text_content()))), "")
    signals: list[str] = sorted(f"jsonld:{t}" for t in article_types)
    if og_type == "article":
        signals.append("og:article")
    if data.first_meta("article:published_time"):
        signals.append("article:published_time")
    if title and fields.get("published"):
        signals.append("dated headline")
    strong = bool(article_types) or "og:article" in signals or "article:published_time" in signals
    shape = _shape(root, str(fields.get("body") or ""))
    words, long = shape.words, shape.long_paragraphs
    if strong:
        # a page that declares itself an article is judged by its own paragraphs too, not only by what the
        # extraction made of it: a badly extracted article is archived (and re-extracted once fixed)
        words, long = max(words, shape.page_words), max(long, shape.page_long)
    running = long >= 3 and words >= MIN_WORDS_UNSIGNALLED

    def no(reason: str) -> Verdict:
        return Verdict(False, reason, tuple(signals))

    if not article_types:
        kind = _declared_kind(data, og_type)
        if kind and not (kind == VIDEO and running and "og:article" in signals):
            return no(kind)
    if not strong or words < 2 * MIN_WORDS_UNSIGNALLED:
        kind = _titled_kind(h1 or title)
        if kind and not (strong and running):
            return no(kind)
    if shape.text_forms and not running:
        return no(CONTACT)
    if shape.email_forms and not strong and not running:
        return no(NEWSLETTER)
    if shape.teasers >= MIN_TEASERS and long < 3 and not (strong and words >= 120):
        return no(SECTION)
    if shape.images >= 8 and words < MIN_WORDS_UNSIGNALLED and long < 2:
        return no(GALLERY)
    if shape.players and words < 80 and long < 2:
        return no(AUDIO if any(True for _ in root.iter("audio")) else VIDEO)
    if strong or "dated headline" in signals:
        if words < MIN_WORDS_SIGNALLED:
            return no(NO_TEXT)
        return Verdict(True, "", tuple(signals))
    if title and running and shape.link_density < 0.5:
        signals.append("running text")
        return Verdict(True, "", tuple(signals))
    if words < MIN_WORDS_UNSIGNALLED:
        return no(NO_TEXT)
    return no(NO_SIGNALS)


def page_publisher(data: Structured) -> str | None:
    """The publisher's name as the page gives it: JSON-LD ``publisher.name``, else ``og:site_name``."""
    article = data.article or {}
    publisher = article.get("publisher")
    candidates: list[Any] = [publisher]
    if isinstance(publisher, Mapping) and "@id" in publisher and "name" not in publisher:
        candidates.insert(0, data.graph.get(str(publisher["@id"])))
    for value in candidates:
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, Mapping | str)), None)
        if isinstance(value, Mapping):
            value = value.get("name")
        if isinstance(value, str) and norm(value):
            return norm(html.unescape(value))
    for node in data.nodes:
        if types_of(node) & {"newsmediaorganization"} and isinstance(node.get("name"), str):
            return norm(html.unescape(node["name"])) or None
    name = data.first_meta("og:site_name")
    return norm(html.unescape(name)) if name else None


def rejection(fields: Mapping[str, Any]) -> str:
    """Why extracted ``fields`` are no article by their verdict (``fields["recognised"]``); "" when they may be."""
    verdict = fields.get("recognised")
    if isinstance(verdict, dict) and not verdict.get("article"):
        return str(verdict.get("reason") or "no_article_signals")
    return ""
