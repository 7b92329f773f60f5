"""The generic body extractor: paragraph blocks, the densest text container, the lead above it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from crawler.extract.boilerplate import SKIP_TAGS, class_parts, is_boilerplate_element, is_boilerplate_line
from crawler.extract.dom import Element, norm

BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt"})
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
INLINE_TAGS = frozenset(
    {
        "a", "b", "i", "em", "strong", "span", "br", "sub", "sup", "u", "abbr", "time", "mark", "small", "q",
        "cite", "code", "s", "del", "ins", "font", "wbr", "dfn", "kbd", "var", "bdi", "bdo",
    }
)  # fmt: skip
LEAD_PARTS = frozenset(
    {"lead", "intro", "teaser", "standfirst", "summary", "abstract", "excerpt", "description", "subtitle",
     "subline", "deck", "dek", "introduction", "einleitung", "vorspann", "leadtext", "teasertext"}
)  # fmt: skip


@dataclass
class Block:
    """One paragraph-like piece of text in document order."""

    el: Element
    kind: str  # "p", "h", "li", "quote", "text", "title"
    text: str
    links: int  # characters inside <a>
    ancestors: list[Element] = field(default_factory=list)

    @property
    def link_density(self) -> float:
        return self.links / max(len(self.text), 1)


def _text(el: Element, skip: frozenset[Element]) -> tuple[str, int]:
    """Text of an element without boilerplate descendants, and how much of it is link text."""
    parts: list[str] = []
    links = 0
    todo: list[tuple[Element, bool] | str] = [(el, False)]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        node, in_link = item
        if node is not el and (node in skip or _skip_inside(node)):
            continue
        in_link = in_link or node.tag == "a"
        if node.tag in ("br", "li", "p", "div"):
            parts.append(" ")
        if node.text:
            parts.append(node.text)
            if in_link:
                links += len(node.text.strip())
        for child in reversed(node):
            if child.tail:
                todo.append(child.tail)
            if isinstance(child.tag, str):
                todo.append((child, in_link))
    return norm("".join(parts)), links


def _skip_inside(node: Element) -> bool:
    """Leave out of a block's text: non-text tags, hidden elements and boxes (but not inline markup)."""
    if node.tag in INLINE_TAGS and node.tag != "span":
        return node.tag in SKIP_TAGS or node.get("hidden") is not None or node.get("aria-hidden") == "true"
    if node.tag == "span" and _place_dateline(node):
        return False
    return is_boilerplate_element(node)


_PLACE_DATELINE = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ .,'-]{1,40}\s*[—–-]?$")


def _place_dateline(node: Element) -> bool:
    """A wire-style place dateline opening a paragraph ("<span class='dateline'>CAIRO —</span> Gunmen...")."""
    parent = node.getparent()
    if (
        parent is None
        or parent.tag != "p"
        or "dateline" not in class_parts(node)
        or (parent.text or "").strip()
    ):
        return False
    return bool(_PLACE_DATELINE.match(norm(node.text_content())))


def _has_block_child(el: Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag not in INLINE_TAGS for c in el)


def _mixed_children(el: Element, ancestors: list[Element], skip: frozenset[Element]) -> list[Element | Block]:
    """Children of an element with both text and block children: runs of loose text become blocks."""
    items: list[Element | Block] = []
    run: list[str] = [el.text or ""]
    links = 0

    def flush() -> None:
        nonlocal links
        text = norm("".join(run))
        if len(text) >= 40:
            items.append(Block(el, "text", text, links, ancestors))
        run.clear()
        links = 0

    previous_br = False
    for child in el:
        if not isinstance(child.tag, str):
            run.append(child.tail or "")
            continue
        if child.tag == "br":
            if previous_br:
                flush()
            previous_br = not (child.tail or "").strip()  # <br><br> (nothing between) ends a paragraph
            run.append(" " + (child.tail or ""))
            continue
        previous_br = False
        if child.tag in INLINE_TAGS:
            if child not in skip and not is_boilerplate_element(child):
                text, inner_links = _text(child, skip)
                run.append(text)
                links += len(text) if child.tag == "a" else inner_links
            run.append(child.tail or "")
            continue
        flush()
        items.append(child)
        run.append(child.tail or "")
    flush()
    return items


def collect_blocks(root: Element, skip: frozenset[Element] = frozenset()) -> list[Block]:
    """Paragraph-like blocks of the page in document order, boilerplate elements left out."""
    blocks: list[Block] = []
    stack: list[tuple[Element, list[Element]] | Block] = [(root, [])]
    while stack:
        item = stack.pop()
        if isinstance(item, Block):
            blocks.append(item)
            continue
        el, ancestors = item
        tag = el.tag
        if el is not root and (el in skip or is_boilerplate_element(el)):
            continue
        top = tag in ("html", "body")
        if tag in BLOCK_TAGS and not (tag in ("blockquote", "li", "dd") and _has_block_child(el)):
            text, links = _text(el, skip)
            if text:
                kind = "title" if tag == "h1" else "h" if tag in HEADING_TAGS else tag
                kind = {"blockquote": "quote", "pre": "p", "dd": "p", "dt": "p"}.get(kind, kind)
                blocks.append(Block(el, kind, text, links, ancestors))
            continue
        if not top and not _has_block_child(el):
            text, links = _text(el, skip)
            if len(text) >= 20:
                blocks.append(Block(el, "text", text, links, ancestors))
            continue
        child_ancestors = [el, *ancestors]
        if top or (not (el.text or "").strip() and not any((c.tail or "").strip() for c in el)):
            for child in reversed(el):
                if isinstance(child.tag, str):
                    stack.append((child, child_ancestors))
            continue
        for part in reversed(_mixed_children(el, ancestors, skip)):
            stack.append(part if isinstance(part, Block) else (part, child_ancestors))
    return blocks


def _score(block: Block) -> float:
    length = len(block.text)
    return 1.0 + min(length / 100.0, 3.0) + block.text.count(",") * 0.5


def choose_container(blocks: list[Block]) -> Element | None:
    """The element whose paragraphs (and those of its children) carry the most article-like text."""
    scores: dict[Element, float] = {}
    chars: dict[Element, list[int]] = {}
    for block in blocks:
        for el in block.ancestors[:12]:
            acc = chars.setdefault(el, [0, 0])
            acc[0] += len(block.text)
            acc[1] += block.links
        if block.kind not in ("p", "text") or len(block.text) < 25 or block.link_density > 0.5:
            continue
        s = _score(block)
        for depth, el in enumerate(block.ancestors[:3]):
            scores[el] = scores.get(el, 0.0) + s / (1, 2, 4)[depth]
    if not scores:
        return None

    def adjusted(el: Element) -> float:
        total, links = chars.get(el, [1, 0])
        return scores[el] * (1.0 - links / max(total, 1))

    return max(scores, key=adjusted)


CLIMB_SHARE = 0.4


def _good(block: Block) -> bool:
    return (
        block.kind in ("p", "text", "quote")
        and len(block.text) >= 40
        and block.link_density < 0.3
        and not is_boilerplate_line(block.text)
    )


def expand_container(blocks: list[Block], container: Element) -> Element:
    """Climb to parents while they add more article-like paragraphs than other text.

    Articles split into several sibling boxes (text, ad slot, text...) then come out whole.
    """
    current = container
    inside = sum(len(b.text) for b in blocks if _good(b) and (b.el is current or current in b.ancestors))
    for _ in range(8):
        parent = current.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        good = other = paragraphs = 0
        for block in blocks:
            if parent not in block.ancestors or block.el is current or current in block.ancestors:
                continue
            nested_article = any(
                a.tag == "article" and a is not parent
                for a in block.ancestors[:8]
                if parent in a.iterancestors()
            )
            if _good(block) and not nested_article:
                good += len(block.text)
                paragraphs += 1
            else:
                other += len(block.text)
        if good == 0 and other == 0:
            current = parent
            continue
        # the parent adds article-like paragraphs, and more than a little of the article's text or nothing else
        # (the first half of an article beside a "show more" box that holds the second)
        pure = paragraphs >= 3 and other <= 0.05 * good
        if good >= 150 and good >= 1.5 * other and (good >= CLIMB_SHARE * inside or pure):
            current = parent
            inside += good
            continue
        break
    return current


def region_blocks(blocks: list[Block], container: Element) -> list[Block]:
    """Blocks inside the container, without the boxes inside it (see drop_boxes)."""
    return drop_boxes([b for b in blocks if b.el is container or container in b.ancestors], container)


# the heading of a box that points elsewhere: "Lesen Sie auch", "Mehr zum Thema", "Read more", "Related"...
BOX_HEADING = re.compile(
    r"^(?:lesen sie (?:auch|mehr|hier)|lies auch|mehr zum thema|mehr dazu|zum thema|auch interessant|"
    r"ebenfalls interessant|das könnte sie (?:auch )?interessieren|das (?:könnte|dürfte) sie auch|"
    r"weitere (?:artikel|nachrichten|themen|meldungen|beiträge)|zum weiterlesen|weiterlesen|"
    r"empfehlungen?|unsere empfehlungen?|meistgelesen|am meisten gelesen|top[- ]?(?:themen|artikel|news)|"
    r"passend zum thema|verwandte (?:artikel|themen)|mehr aus|mehr (?:news|nachrichten|artikel) (?:aus|zu|zum)|"
    r"read (?:more|also|next)|related(?: (?:articles?|stories|coverage|content|links|topics))?|"
    r"more (?:on|about) (?:this|the)|more from|more stories|recommended(?: for you| stories| reading)?|"
    r"(?:more )?must[- ]reads?|editor'?s'? picks|don'?t miss|latest (?:news|stories|headlines)|popular (?:now|stories)|"
    r"see also|also read|you may also like|you might also like|most (?:read|popular|viewed)|trending(?: now)?|"
    r"further reading|what to read next|top stories)\b[\w ]{0,30}[:!?]?$",
    re.IGNORECASE,
)
BOX_MAX_CHARS = 600  # a box is small: its text is at most this, and at most a third of the article's


_LINKED_HEADINGS = etree.XPath(
    ".//h2//a[not(starts-with(@href, '#'))]|.//h3//a[not(starts-with(@href, '#'))]|"
    ".//h4//a[not(starts-with(@href, '#'))]|.//a[not(starts-with(@href, '#'))][.//h2 or .//h3 or .//h4]"
)


def _card_roots(container: Element) -> set[Element]:
    """The elements below the container that hold a heading linking elsewhere (teaser card candidates)."""
    roots: set[Element] = set()
    for link in _LINKED_HEADINGS(container):
        for el in link.iterancestors():
            if el is container:
                break
            roots.add(el)
        roots.add(link)
    return roots


def _heading_like(text: str) -> bool:
    return len(text) <= 60 and not text.endswith(".")


def _box_heading(el: Element, cache: dict[Element, bool]) -> bool:
    """Whether the element's first words are a box heading ("<strong>Auch interessant:</strong> ...")."""
    if el not in cache:
        first = next((t for t in (norm(t) for t in el.itertext()) if t), "")
        cache[el] = _heading_like(first) and bool(BOX_HEADING.match(first))
    return cache[el]


def drop_boxes(blocks: list[Block], container: Element) -> list[Block]:
    """Leave out boxes inside the article container that point elsewhere.

    A box is a small element below the container (at most BOX_MAX_CHARS of text and a third of the region's)
    that either begins with a box heading ("Lesen Sie auch", "Mehr zum Thema", "Read more", "Related"...) or
    is a teaser card: a heading that links to another page, with a short text. A box heading printed straight
    in the container, without a box element around it, is dropped with the link lines that follow it.
    """
    total = sum(len(b.text) for b in blocks) or 1
    chars: dict[Element, int] = {}
    for block in blocks:
        for el in block.ancestors:
            if el is container:
                break
            chars[el] = chars.get(el, 0) + len(block.text)
    limit = min(BOX_MAX_CHARS, total / 3)

    def small(el: Element) -> bool:
        return el is not container and chars.get(el, 0) <= limit

    boxes: set[Element] = set()
    cards = _card_roots(container)
    headings: dict[Element, bool] = {}
    out: list[Block] = []
    heading_run = False
    for block in blocks:
        inside: list[Element] = []  # the small elements between the block and the container, nearest first
        for a in block.ancestors:
            if a is container or not small(a):
                break
            inside.append(a)
        if any(a in boxes for a in inside):
            continue
        if _heading_like(block.text) and BOX_HEADING.match(block.text):
            box = next((a for a in reversed(inside) if a.tag not in INLINE_TAGS), None)
            if box is not None and box is not block.el:
                boxes.add(box)
            heading_run = True
            continue
        if heading_run and (block.link_density > 0.3 or block.kind == "li"):
            continue
        heading_run = False
        headed = next((a for a in reversed(inside) if _box_heading(a, headings)), None)
        if headed is not None:
            boxes.add(headed)
            continue
        card = None
        for a in inside[:4]:
            if a in cards:
                card = a
        if card is not None:
            boxes.add(card)
            continue
        out.append(block)
    return out


_TEASER_PARTS = frozenset({"teaser", "teasertext", "card", "related", "recommendation", "more", "mehr"})


def _teaser_card(el: Element, cache: dict[Element, bool]) -> bool:
    """An element that is a card linking to another article (a linked heading plus a short text)."""
    if el not in cache:
        cache[el] = bool(class_parts(el) & _TEASER_PARTS) and bool(
            el.xpath(
                "(.//h2//a|.//h3//a|.//h4//a|.//a//h2|.//a//h3|.//a//h4|.//a[contains(@class, 'title')])[1]"
            )
        )
    return cache[el]


def clean_blocks(blocks: Iterable[Block], keep_lists: bool = False) -> list[Block]:
    """Drop boilerplate lines, link lists, duplicates and headings that end the text.

    List items are dropped unless keep_lists: the German reference texts leave lists out of the article body,
    the English ones keep lists of prose (items of some length, mostly without links).
    """
    out: list[Block] = []
    seen: set[str] = set()
    cards: dict[Element, bool] = {}
    for block in blocks:
        text = block.text
        if any(_teaser_card(a, cards) for a in block.ancestors[:4]):
            continue
        if block.kind == "title" or text in seen:
            continue
        if is_boilerplate_line(text):
            continue
        if block.link_density > 0.6 and (block.kind != "p" or len(text) < 200):
            continue
        if block.kind == "text" and len(text) < 25:
            continue
        if block.kind == "li" and not (keep_lists and len(text) >= 20 and block.link_density < 0.3):
            continue
        seen.add(text)
        out.append(block)
    for _ in range(2):  # a box heading under the text, kicker and section labels above it
        if out and out[-1].kind == "h" and len(out[-1].text) < 100:
            out.pop()
        if out and out[0].kind == "h" and len(out[0].text) < 100:
            out.pop(0)
    return out


def _similar(a: str, b: str) -> bool:
    a, b = a.casefold(), b.casefold()
    if not a or not b:
        return False
    probe = min(len(a), len(b), 80)
    return a[:probe] == b[:probe] or a.rstrip(".… ") in b or b.rstrip(".… ") in a


def is_leadish(block: Block) -> bool:
    """Class or id of the block (or its parents) name it a lead/teaser/intro."""
    return any(class_parts(el) & LEAD_PARTS for el in (block.el, *block.ancestors[:2]))


def find_lead(
    blocks: list[Block], first: Block, description: str | None, title: str | None = None
) -> Block | None:
    """The lead paragraph printed above the body container (between the headline and the text)."""
    try:
        index = next(i for i, b in enumerate(blocks) if b is first)
    except StopIteration:
        return None
    for block in reversed(blocks[max(0, index - 6) : index]):
        if block.kind == "title":
            break
        if block.kind not in ("p", "text") or len(block.text) < 40 or block.link_density > 0.3:
            continue
        if is_boilerplate_line(block.text):
            continue
        if is_leadish(block) or (description and _similar(block.text, description)):
            return block
    # a standfirst: the sentence-like paragraph right between the headline and the text
    window = blocks[max(0, index - 4) : index]

    def is_title(block: Block) -> bool:
        return block.kind == "title" or (block.kind == "h" and bool(title) and block.text == title)

    if any(is_title(b) for b in window):
        for block in reversed(window):
            if is_title(block):
                break
            if (
                block.kind in ("p", "text")
                and len(block.text) >= 60
                and block.link_density < 0.2
                and _SENTENCE_END.search(block.text)
                and not is_boilerplate_line(block.text)
            ):
                return block
    return None


_SENTENCE_END = re.compile(r"[.!?\"“”»«)]\s*$")


def plausible(body: str) -> bool:
    """Enough text for an article body."""
    paragraphs = body.split("\n\n")
    return len(body) >= 250 and (len(paragraphs) >= 3 or any(len(p) >= 80 for p in paragraphs))


def recall(reference: str, text: str) -> float:
    """Share of the reference's words (as a multiset, lower-case) that the text contains."""
    want, got = Counter(reference.lower().split()), Counter(text.lower().split())
    total = sum(want.values())
    return sum((want & got).values()) / total if total else 1.0
