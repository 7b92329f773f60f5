"""Boxes inside the article container, table tests by kind: "read more" boxes, teaser cards, info and
recommendation boxes (by class or aria name), box headings printed straight in the text, English furniture."""

from __future__ import annotations

import pytest

from crawler.extract import extract
from crawler.extract.boilerplate import is_boilerplate_line

URL = "https://www.example-zeitung.de/lokales/brueckenbau-123.html"
PARAGRAPHS = [
    "Die Stadt hat am Montag mit dem Bau der neuen Brücke über die Oker begonnen, wie ein Sprecher mitteilte.",
    "Die Arbeiten sollen nach Angaben der Verwaltung bis zum Herbst kommenden Jahres dauern, hieß es.",
    "Anwohner müssen sich in dieser Zeit auf Umleitungen einstellen, die Buslinien fahren geänderte Routen.",
    "Die Kosten liegen nach aktueller Schätzung bei rund zwölf Millionen Euro, den Großteil trägt das Land.",
]
ENGLISH = [
    "The city council voted on Monday to replace the old bridge over the river, a spokesperson said.",
    "Work is expected to take until the autumn of next year, according to the planning department.",
    "Residents will have to live with diversions, and several bus routes will change for the duration.",
    "The cost is estimated at around twelve million dollars, most of it paid for by the state government.",
]
TEASER = "Auch die Bundesstraße wird monatelang gesperrt, Pendler brauchen viel Geduld im Berufsverkehr."


def article(box: str, paragraphs: list[str] = PARAGRAPHS, lang: str = "de") -> str:
    first, second, *rest = (f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='{lang}'><body><article><h1>Brückenbau beginnt</h1><div class='text'>"
        f"{first}{second}{box}{''.join(rest)}</div></article></body></html>"
    )


@pytest.mark.parametrize(
    "box",
    [
        # a "read more" box under a box heading, without any class that names it
        f"<div><h3>Lesen Sie auch</h3><p><a href='/a'>Neue Ampel am Markt</a></p><p>{TEASER}</p></div>",
        f"<section><h2>Mehr zum Thema</h2><ul><li><a href='/b'>Baustellen im Überblick</a></li></ul>"
        f"<p>{TEASER}</p></section>",
        f"<div><strong>Auch interessant:</strong><p><a href='/c'>Sperrung der B1</a></p><p>{TEASER}</p></div>",
        f"<div><h4>Das könnte Sie auch interessieren</h4><p>{TEASER}</p></div>",
        # a teaser card: a heading linking to another article, with a short text
        f"<div><h3><a href='/z'>Sperrung der B1 im Sommer</a></h3><p>{TEASER}</p></div>",
        f"<div class='x'><a href='/z'><h2>Sperrung der B1</h2><p>{TEASER}</p></a></div>",
        # boxes named by class or role
        f"<div class='inline-teaser'><p>{TEASER}</p></div>",
        f"<div class='article__infobox'><h3>Info</h3><p>{TEASER}</p></div>",
        f"<div class='read-more'><p>{TEASER}</p></div>",
        f"<div role='complementary'><p>{TEASER}</p></div>",
        f"<div class='recommendations'><p>{TEASER}</p></div>",
        f"<div class='article-infokasten'><p>{TEASER}</p></div>",
        f"<section class='mostRead'><p>{TEASER}</p></section>",
        # a box heading straight in the text, followed by link lines
        "<h3>Lesen Sie auch</h3><p><a href='/a'>Neue Ampel am Markt: Was sich für Radfahrer ändert</a></p>",
        "<p>Mehr zum Thema: <a href='/b'>Baustellen im Überblick</a></p>",
    ],
)
def test_german_boxes_are_left_out(box: str) -> None:
    body = extract(article(box), URL)["body"]
    assert body == "\n\n".join(PARAGRAPHS)


@pytest.mark.parametrize(
    "box",
    [
        "<div><h3>Related</h3><p><a href='/a'>Bridge closures across the state</a></p>"
        "<p>Commuters face months of delays as roadworks begin on three bridges.</p></div>",
        "<aside><h3>Read more</h3><p>Commuters face months of delays as roadworks begin on bridges.</p></aside>",
        "<div><h2><a href='/b'>Bridge closures across the state this summer</a></h2>"
        "<p>Commuters face months of delays as roadworks begin on three bridges.</p></div>",
        "<p>Advertisement</p>",
        "<p>Story continues below advertisement</p>",
        "<p>Sign up for our newsletter to get the latest local news every morning.</p>",
        "<p>RELATED: <a href='/c'>Bridge closures across the state</a></p>",
        "<div><h4>Most read</h4><ol><li><a href='/d'>One</a></li><li><a href='/e'>Two</a></li></ol></div>",
        "<div class='recirc'><h2>More Must-Reads From TIME</h2><ul><li><span>The Struggle to Save Lives </span>"
        "<a href='/g'>Inside Gaza's Hospitals</a></li><li><span>The Best </span><a href='/b'>Inventions of 2023</a>"
        "</li></ul></div>",
        "<p>Write to Jane Doe at jane.doe@example.com</p>",
    ],
)
def test_english_boxes_are_left_out(box: str) -> None:
    body = extract(article(box, ENGLISH, "en"), URL.replace(".de/", ".com/"))["body"]
    assert body == "\n\n".join(ENGLISH)


@pytest.mark.parametrize(
    "kept",
    [
        # a subheading and its text: no link, not a box
        "<h2>Umleitungen für Busse</h2><p>Die Linien 3 und 7 fahren über die Ringstraße, teilte die Stadt mit.</p>",
        # a link inside a paragraph of the text
        "<p>Wie die <a href='/rat'>Stadtverwaltung</a> mitteilte, beginnen die Arbeiten pünktlich am Morgen.</p>",
        # a heading with an anchor link (a table of contents target) is not a teaser
        "<div><h3><a href='#kosten'>Kosten</a></h3><p>Die Rechnung wurde vom Rat einstimmig gebilligt.</p></div>",
        # utility-first CSS classes name a style, not a box ("tracking" is letter spacing, not a tracker)
        "<p class='self-baseline tracking-0.5px leading-7 caption-bottom'>Die Linien 3 und 7 fahren über die "
        "Ringstraße, teilte die Stadt am Dienstag mit.</p>",
        # sentences that begin like a box heading
        "<div><p>Weitere Informationen gibt es im Bürgerbüro der Stadt.</p></div>",
        "<p>Mehr zum Thema Verkehr erfahren Anwohner bei einer Versammlung am Dienstag im Rathaus.</p>",
    ],
)
def test_article_text_is_kept(kept: str) -> None:
    body = extract(article(kept), URL)["body"]
    assert all(p in body for p in PARAGRAPHS)
    assert body.count("\n\n") >= len(PARAGRAPHS)  # the kept text is there too


@pytest.mark.parametrize(
    "line",
    [
        "Related: Bridge closures across the state",
        "Story continues below advertisement",
        "Continue reading",
        "Sign up for our newsletter",
        "Advertisement",
        "Auch interessant: Neue Ampel am Markt",
        "Back to top",
    ],
)
def test_english_and_german_boilerplate_lines(line: str) -> None:
    assert is_boilerplate_line(line)


LIST = (
    "<ul><li>Pizza was searched more often than the World Cup this year.</li>"
    "<li>The Cronut rose to 17th place on the global recipe list.</li>"
    "<li><a href='/x'>Bridge closures</a></li></ul>"
)


def test_lists_of_prose_are_kept_on_english_pages_only() -> None:
    english = extract(article(LIST, ENGLISH, "en"), URL.replace(".de/", ".com/"))["body"]
    assert "Pizza was searched" in english and "Cronut" in english
    assert "Bridge closures" not in english  # a link, not prose
    german = extract(article(LIST), URL)["body"]  # the German references leave lists out
    assert german == "\n\n".join(PARAGRAPHS)


LONG = [
    "The bill would require telecommunications providers to store so-called metadata for two years, and the "
    "agencies that may read it without a warrant are many more than the government first suggested.",
    "Media organisations say the measure would make confidential sources impossible to protect, because the "
    "record of who called a reporter, and when, would be open to investigators for any offence at all.",
    "The committee that examined the proposal has already heard these arguments at length, and another inquiry "
    "would only delay a decision that parliament could make this week if the government wanted it to.",
]


@pytest.mark.parametrize("name", ["read-more", "paywall-content"])
def test_a_read_more_or_paywall_wrapper_around_the_rest_of_the_article_is_kept(name: str) -> None:
    rest = "".join(f"<p>{p}</p>" for p in LONG)
    html = article(f"<div class='{name}'>{rest}</div>", ENGLISH, "en")
    body = extract(html, URL.replace(".de/", ".com/"))["body"]
    assert all(p in body for p in ENGLISH + LONG)


def test_a_read_more_box_of_teasers_is_still_left_out() -> None:
    teasers = "".join(f"<p><a href='/t{i}'>{p}</a></p>" for i, p in enumerate(LONG))
    html = article(f"<div class='read-more'><p>{TEASER}</p>{teasers}</div>", ENGLISH, "en")
    assert extract(html, URL.replace(".de/", ".com/"))["body"] == "\n\n".join(ENGLISH)
