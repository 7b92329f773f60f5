"""Boilerplate: elements and text lines that are not part of the article text (German and English)."""

from __future__ import annotations

import functools
import re

from crawler.extract.dom import Element

SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select", "input",
        "textarea", "nav", "aside", "footer", "figure", "figcaption", "picture", "video", "audio", "canvas",
        "object", "embed", "map", "dialog", "menu", "label", "head", "title", "meta", "link",
    }
)  # fmt: skip

# Parts of class/id names (split at -, _ and camelCase) that mark non-article boxes.
_BAD_PARTS = frozenset(
    {
        "share", "sharing", "shariff", "social", "socials", "related", "recommendation", "recommendations",
        "recommended", "newsletter", "paywall", "subscribe", "subscription", "advert", "advertisement",
        "ad", "ads", "adslot", "anzeige", "werbung", "banner", "promo", "comments", "comment", "kommentare",
        "breadcrumb", "breadcrumbs", "caption", "credit", "credits", "copyright", "sidebar", "widget",
        "outbrain", "taboola", "cookie", "consent", "modal", "popup", "toolbar", "byline", "readmore",
        "gallery", "slider", "carousel", "infobox", "navigation", "pagination", "skiplink", "teaserlist",
        "footer", "tags", "taglist", "keywords", "topics", "author", "authors", "autor", "bio", "meta",
        "dateline", "timestamp", "quelle", "audio", "player", "podcast",
        "disclaimer", "offscreen", "visuallyhidden", "sronly", "licence", "license", "rating",
        "poll", "survey", "quiz", "tracking", "teaserbox", "moreonthis", "mehrzumthema", "lesensieauch",
        "embed", "opinary", "video", "figure", "image", "img", "photo", "picture", "media", "lightbox",
        "infokasten", "kasten", "factbox", "factsbox", "faktenbox", "linkbox", "morelinks", "relatedlinks",
        "furtherreading", "inlinerelated", "recirc", "recirculation", "mostread", "mostpopular", "meistgelesen",
    }
)  # fmt: skip
# "teaser" alone often names the lead; with one of these it is a box pointing to another article
_TEASER_BOX = frozenset({"inline", "embed", "embedded", "list", "box", "container", "grid", "slider", "more", "mini",
                         "small", "link", "links", "extern", "external", "inarticle", "intext"})  # fmt: skip
# first words of utility-first CSS classes (Tailwind and the like): "tracking-wide" is letter spacing
_UTILITY = frozenset(
    {"tracking", "leading", "text", "font", "bg", "p", "px", "py", "pt", "pb", "pl", "pr", "m", "mx", "my", "mt",
     "mb", "ml", "mr", "w", "h", "min", "max", "gap", "flex", "grid", "col", "row", "border", "rounded", "shadow",
     "z", "inset", "opacity", "items", "justify", "self", "order", "space", "divide", "ring", "transition",
     "duration", "ease", "overflow", "object", "aspect", "list", "decoration", "whitespace", "break", "caption",
     "align", "place", "content", "basis", "grow", "shrink", "translate", "scale", "rotate", "origin", "cursor",
     "fill", "stroke", "outline", "underline", "line", "top", "left", "right", "bottom", "size"}
)  # fmt: skip
_HIDDEN_CLASSES = frozenset({"hidden", "ishidden", "dnone", "visuallyhidden", "sronly", "screenreaderonly"})
_MODIFIER = re.compile(r"(?:no|not|without|with|has|is|show|hide|enable|disable)[-_]", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[-_\s:.]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_BOILER_LINE = re.compile(
    r"^(?:lesen sie (?:auch|mehr|hier)|lies auch|mehr zum thema(?:\s*[:|]|$)|mehr dazu:|zum thema:|auch interessant|"
    r"das könnte sie (?:auch )?interessieren|weitere artikel|weitere nachrichten|jetzt weiterlesen|"
    r"hier weiterlesen|alle (?:infos|news|artikel) (?:zu|zum|aus)|"
    r"mehr (?:news|nachrichten|infos) (?:aus|zu|zum)|"
    r"unser newsletter|jetzt abonnieren|abonnieren sie|melden sie sich (?:hier |jetzt )?(?:für|zum|an)|"
    r"sie haben bereits ein|sie sind bereits|jetzt (?:testen|registrieren|anmelden)|zur startseite|"
    r"artikel teilen|diesen artikel teilen|hier finden sie (?:alle|weitere|mehr)|klicken sie hier|"
    r"(?:read|see) (?:more|also)\b|sign up for|subscribe to|share this|über dieses thema berichtet|"
    r"(?:related|recommended|more|also|watch|listen|auch interessant|passend dazu|mehr dazu)\s*:|"
    r"story continues below|continue reading|click here to|follow us on|folgen sie uns|"
    r"get (?:our|the) (?:free )?newsletter|this (?:story|article) (?:was )?(?:originally|first) published|"
    r"we may earn a commission|our journalism relies)",
    re.IGNORECASE,
)
_META_LINE = re.compile(
    r"^(?:stand|aktualisiert|veröffentlicht|erschienen|zuletzt aktualisiert|updated|published)"
    r"\s*(?:am)?:?\s*\d|"
    r"^(?:von|by)\s+[A-ZÄÖÜ][\w.'-]+(?:\s+[A-ZÄÖÜ][\w.'-]+){0,3}(?:\s*(?:,|und|and|&)\s*[\w .'-]+)?$|"
    r"^dieses thema im programm|^externer inhalt|privatsphäre-einstellungen|datenschutz-einstellungen|"
    r"^empfohlener (?:redaktioneller|externer) inhalt|externen? inhalte?,? (?:der|die|angezeigt|laden)|"
    r"^ich bin damit einverstanden|^ihre meinung ist uns wichtig|"
    r"^dies ist eine (?:maschinelle|automatische) übersetzung|"
    r"^lest den originalartikel|^read the original article|"
    r"^(?:write to|contact|e-?mail|schreiben sie|kontakt)\b.{0,80}@[\w.-]+\.\w+\W*$|"
    r"\bnewsletter\b.{0,80}\b(?:abonnieren|anmelden|informiert|bestellen|werbevereinbarung|einwilligung)|"
    r"\banmeldung zum newsletter\b|"
    r"^(?:zur anzeige|um (?:externe )?inhalte anzuzeigen)|"
    r"^[\w .,/&-]{0,60}\b(?:getty ?images|imago|picture[ -]alliance|istock|shutterstock|ddp images)\b"
    r"[\w .,/&-]{0,40}$",
    re.IGNORECASE,
)
_CONSENT = re.compile(
    r"^(?:ich bin damit einverstanden, dass mir|an dieser stelle finden sie (?:einen|einen von unseren)|"
    r"mit dem laden des inhalts akzeptieren sie|um diesen inhalt (?:zu sehen|anzuzeigen)|"
    r"wir benötigen ihre zustimmung)",
    re.IGNORECASE,
)
_WHOLE_LINE = re.compile(
    r"^(?:anzeige|werbung|newsletter|teilen|empfehlungen|weiterlesen|mehr lesen|mehr zum thema|related|"
    r"advertisement|mehr|zum artikel|zur startseite|schließen|drucken|kommentare|share|quellen?|"
    r"sources?|ad|sponsored|comments?|print|email|top|back to top|nach oben|mehr anzeigen|show more|"
    r"\d+\s*min(?:uten?|utes?)?\.?\s*(?:read|lesezeit)|(?:lesezeit|reading time)\W*\d+\s*min(?:uten?|utes?)?\.?)\W*$",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"^(?:foto|fotos|bild|bilder|grafik|quelle|video|illustration|copyright|photo|image|credit)s?\s*:|^©|"
    r"^\(?(?:dpa|afp|ap|reuters|epd|kna|sid|dts|rnd)(?:[/ -]\w+)*\)?\.?$|"
    r"^dpa-infocom|^(?:©\s*)?dpa\b.*\d{6}",
    re.IGNORECASE,
)


def class_parts(el: Element) -> frozenset[str]:
    """Lower-case words of an element's class and id ("articleBody share-box" -> article, body, share...)."""
    return _parts(f"{el.get('class') or ''} {el.get('id') or ''}")


@functools.lru_cache(maxsize=4096)
def _parts(raw: str) -> frozenset[str]:
    if not raw.strip():
        return frozenset()
    parts = set()
    for token in raw.split():
        if ":" in token or "[" in token or "/" in token or _MODIFIER.match(token):
            continue  # utility variants ("print:hidden") and state modifiers ("has-sidebar") are not boxes
        if "-" in token and token.split("-", 1)[0].lower() in _UTILITY:
            continue  # utility classes ("tracking-0.5px", "caption-bottom", "text-xs") name a style, not a box
        parts.add(token.lower().replace("-", "").replace("_", ""))
        for part in _SPLIT.split(_CAMEL.sub(" ", token)):
            if part:
                parts.add(part.lower())
    return frozenset(parts)


# names of a box that may hold the rest of the article itself (a "read more" expander, a paywall wrapper)
_CONTINUATION = frozenset({"readmore", "paywall"})


@functools.lru_cache(maxsize=4096)
def _classify(raw: str) -> tuple[bool, bool, bool, bool]:
    """For a "class id" string: (names a hidden element, names a box, names the article body, names a box that
    may continue the article)."""
    squashed = raw.lower().replace("-", "").replace("_", "")
    parts = _parts(raw)
    box = bool(parts & _BAD_PARTS or ("teaser" in parts and parts & _TEASER_BOX))
    hidden = bool(_HIDDEN_CLASSES.intersection(squashed.split()))
    return hidden, box, "articlebody" in squashed, bool(parts & _CONTINUATION)


def _running_prose(el: Element) -> bool:
    """Whether an element holds paragraphs of running text (at least three <p> of 150+ characters without
    links among its children and grandchildren), as the rest of an article does and a teaser box does not."""
    count = 0
    for p in el.iterdescendants("p"):
        parent = p.getparent()
        if parent is not el and (parent is None or parent.getparent() is not el):
            continue
        if len(p.text_content()) >= 150 and not p.xpath("boolean(.//a)"):
            count += 1
            if count >= 3:
                return True
    return False


def is_boilerplate_element(el: Element) -> bool:
    """Non-article element by tag, hidden attributes or class/id name."""
    tag = el.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        return True
    if tag in ("html", "body", "main", "article"):
        return False
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    if el.get("role") in ("navigation", "complementary", "banner", "contentinfo", "dialog"):
        return True
    classes, ident = el.get("class"), el.get("id")
    if not classes and not ident:
        return False
    hidden, box, body, continuation = _classify(f"{classes or ''} {ident or ''}")
    if hidden:
        return True
    if not box or body or el.get("itemprop") == "articleBody":
        return False
    if continuation and _running_prose(el):
        return False  # "read more" or paywall wrapper around the rest of the article
    return not el.xpath("(.//h1|.//main|.//article|.//*[@itemprop='articleBody'])[1]")


def is_boilerplate_line(text: str) -> bool:
    """A text block that is a credit line, agency tag, teaser prompt or similar."""
    if len(text) > 300:
        return len(text) < 600 and bool(_CONSENT.search(text))
    if _CREDIT_LINE.search(text) or _CONSENT.search(text):
        return True
    if _WHOLE_LINE.search(text) or (len(text) < 200 and _META_LINE.search(text)):
        return True
    return bool(_BOILER_LINE.search(text)) and len(text) < 200
