"""What the demo adds to the saved pages so its archive shows what sets newsarchive apart.

- An agency (dpa) story that two titles of one publishing group publish in edited copies, each on its own page
  of that site (the site's saved page with the story's headline and paragraphs in place of its own): the
  near-duplicate index puts them into one cluster (``newsarchive read --cluster C``).
- An article that changes between the demo's two passes: the second pass rechecks its site and archives the
  edited page as revision 2 (``newsarchive history ID``).

The story is invented for the demo; its figures are not real. No Scrapy imports here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import lxml.html

from crawler.demo.mirror import HTML_TYPE, FixtureArticle, Mirror, Resource, SiteSpec, _resource
from crawler.demo.synthetic import variant_url
from crawler.extract import extract

#: the two titles that carry the agency story (both on the Funke platform) and the site whose article is revised
AGENCY_SITES = ("braunschweiger_zeitung", "hamburger_abendblatt")
REVISED_SITE = "ndr"

_STORY = [
    "Auf den Pendlerstrecken in Norddeutschland sind im vergangenen Jahr deutlich mehr Menschen mit dem Fahrrad "
    "unterwegs gewesen als im Jahr davor. Das geht aus einer Auswertung der automatischen Zählstellen hervor, die "
    "das Landesamt für Statistik am Dienstag vorgestellt hat.",
    "An den 120 Messpunkten zählten die Geräte im Durchschnitt knapp elf Prozent mehr Fahrten an Werktagen. Am "
    "stärksten wuchs der Verkehr auf Radwegen, die in den vergangenen drei Jahren verbreitert oder neu gebaut "
    "worden waren. Dort lag das Plus bei fast zwanzig Prozent.",
    "Die Statistiker führen den Zuwachs auch auf das Deutschlandticket zurück, das viele Pendler mit dem Rad zum "
    "nächsten Bahnhof bringt. An Bahnhöfen mit neuen Fahrradparkhäusern stieg die Zahl der abgestellten Räder "
    "besonders stark.",
    "Der Fahrradclub ADFC begrüßte die Zahlen, forderte aber mehr Tempo beim Ausbau. Viele Verbindungen zwischen "
    "Umland und Innenstädten seien noch immer zu schmal und an Kreuzungen gefährlich, sagte ein Sprecher der "
    "Deutschen Presse-Agentur.",
    "Im Winter ging der Radverkehr wie in jedem Jahr deutlich zurück. Bei Frost und Schnee zählten die Geräte nur "
    "etwa ein Drittel der Fahrten eines durchschnittlichen Sommertages.",
]

# each title edits the agency copy: its own headline, a reworded opening, a paragraph cut or added
COPIES = {
    AGENCY_SITES[0]: (
        "Mehr Radfahrer auf den Pendlerstrecken",
        [
            _STORY[0].replace("in Norddeutschland", "in Niedersachsen und Norddeutschland"),
            *_STORY[1:4],
            "Auch in Braunschweig meldeten die Zählstellen an der Ringgleis-Strecke neue Höchstwerte. (dpa)",
        ],
    ),
    AGENCY_SITES[1]: (
        "Statistik: Deutlich mehr Pendler fahren Rad",
        [_STORY[0].replace("deutlich mehr Menschen", "spürbar mehr Menschen"), *_STORY[1:], "(dpa)"],
    ),
}

REVISION_NOTE = "Aktualisierung: In einer früheren Fassung dieses Artikels stand ein falsches Datum; wir haben es korrigiert."


def _norm(text: str) -> str:
    return " ".join(text.split())


def _body_elements(tree: lxml.html.HtmlElement, body: str) -> list[lxml.html.HtmlElement]:
    """The innermost elements whose text is a body paragraph, in body order (paragraphs not found are skipped)."""
    wanted = [_norm(p) for p in body.split("\n\n") if len(p) >= 40]
    found = []
    for paragraph in wanted:
        matches = [
            el for el in tree.iter("p", "div", "li", "section") if _norm(el.text_content()) == paragraph
        ]
        # a paragraph the extractor joined or trimmed: the <p> it starts with
        matches = matches or [
            el for el in tree.iter("p") if _norm(el.text_content()).startswith(paragraph[:60])
        ]
        if matches:
            found.append(matches[-1])  # the innermost: iter() yields parents first
    return found


def _headings(tree: lxml.html.HtmlElement, body: str) -> list[lxml.html.HtmlElement]:
    """The sub-headings of the body (the extractor keeps them as paragraphs of their own)."""
    wanted = {_norm(p) for p in body.split("\n\n")}
    return [el for el in tree.iter("h2", "h3", "h4") if _norm(el.text_content()) in wanted]


def _set_text(element: lxml.html.HtmlElement, text: str) -> None:
    for child in list(element):
        element.remove(child)
    element.text = text


def _set_structured(tree: lxml.html.HtmlElement, values: dict[str, str]) -> None:
    """Set these keys wherever the page's JSON-LD objects have them."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in values and isinstance(value, str):
                    node[key] = values[key]
                else:
                    visit(value)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    for script in tree.iter("script"):
        if script.get("type") == "application/ld+json" and script.text:
            try:
                data = json.loads(script.text)
            except ValueError:
                continue
            visit(data)
            script.text = json.dumps(data, ensure_ascii=False)


def _rewrite(
    article: FixtureArticle, paragraphs: list[str] | None, title: str | None, note: str | None
) -> bytes:
    """The saved page with its body paragraphs replaced (or a note added to the first), its headline changed."""
    record = extract(article.page, article.url)
    tree = lxml.html.document_fromstring(article.page)
    slots = _body_elements(tree, str(record["body"] or ""))
    if len(slots) < 2:
        raise ValueError(f"{article.site}: too few body paragraphs found in {article.url}")
    if paragraphs is not None:
        for heading in _headings(tree, str(record["body"] or "")):
            heading.drop_tree()
        # the story's paragraphs in turn; the first slot takes what the slots cannot hold
        k = max(1, len(paragraphs) - len(slots) + 1)
        texts = [" ".join(paragraphs[:k]), *paragraphs[k:]]
        for element, text in zip(slots, texts + [""] * (len(slots) - len(texts)), strict=True):
            _set_text(element, text)
        _set_structured(tree, {"articleBody": "\n\n".join(paragraphs), "description": paragraphs[0]})
        for meta in tree.iter("meta"):
            if meta.get("name") == "description" or meta.get("property") in (
                "og:description",
                "twitter:description",
            ):
                meta.set("content", paragraphs[0])
    if note is not None:
        _set_text(slots[0], f"{_norm(slots[0].text_content())} {note}")
    if title is not None:
        old = {_norm(str(record["title"] or "")), _norm(article.title)}
        # the printed headline: an <h1> or <h2>, or the part of one beside its kicker; and the <title>
        for element in list(tree.iter("h1", "h2", "title", "span", "div")):
            in_heading = element.tag in ("h1", "h2", "title") or any(
                a.tag in ("h1", "h2") for a in element.iterancestors()
            )
            if in_heading and _norm(element.text_content()) in old:
                _set_text(element, title)
        for meta in tree.iter("meta"):
            if meta.get("property") in ("og:title", "twitter:title") or meta.get("name") in (
                "twitter:title",
            ):
                meta.set("content", title)
        _set_structured(tree, {"headline": title})
    page: bytes = lxml.html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")
    return page


def agency_copy(spec: SiteSpec, article: FixtureArticle) -> FixtureArticle:
    """The site's copy of the agency story: its saved page with the story's headline and paragraphs, at a URL of
    its own that the site's rules accept (every URL the page declares for itself points there)."""
    title, story = COPIES[spec.name]
    url = next((u for s in (0, 1, 2) if (u := variant_url(article.url, 7, s)) and not spec.rejects(u)), "")
    if not url:
        raise ValueError(f"{spec.name}: no URL for the agency story matches the site's article_url rule")
    text = _rewrite(article, story, title, None).decode("utf-8")
    declared = {article.url, str(article.expected.get("canonical_url") or ""),
                str(extract(article.page, article.url)["canonical_url"] or "")}  # fmt: skip
    for old in sorted(u for u in declared if u):
        text = text.replace(old, url)
    expected = {**article.expected, "url": url, "canonical_url": url, "title": title, "body": story[0]}
    return replace(article, case=f"{article.case}-dpa", url=url, expected=expected, page=text.encode("utf-8"))


def agency_copies(
    specs: dict[str, SiteSpec], saved: dict[str, list[FixtureArticle]]
) -> dict[str, list[FixtureArticle]]:
    """The agency story's copies, by site, for the sites of AGENCY_SITES that are in ``specs``."""
    return {s: [agency_copy(specs[s], saved[s][0])] for s in AGENCY_SITES if s in specs and saved.get(s)}


@dataclass(frozen=True)
class Revision:
    """An article the demo edits between its passes."""

    site: str
    url: str
    edited: Resource


def revision(article: FixtureArticle) -> Revision:
    """The article's page with a correction note after its first paragraph (a new text: a new revision)."""
    page = _rewrite(article, None, None, REVISION_NOTE)
    return Revision(article.site, article.url, _resource(page, HTML_TYPE, article.date + timedelta(hours=2)))


def apply(mirror: Mirror, edit: Revision) -> None:
    """Serve the edited page from now on (the demo's second pass)."""
    mirror.add(edit.url, edit.edited)
