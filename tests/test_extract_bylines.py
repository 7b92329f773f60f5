"""Bylines, table tests by defect kind: several people in one string, "Von" glued to the name, roles and
agency suffixes, and a brand or publisher given as the author where the page prints a person."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.extract import extract
from crawler.extract.people import names_from_jsonld, split_byline

URL = "https://www.example-zeitung.de/lokales/artikel-123.html"
TEXT = "".join(
    f"<p>Absatz {i} mit genug Text, damit er als Artikeltext zählt, und noch etwas mehr dazu.</p>"
    for i in range(6)
)


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        # several people (and an agency) in one string
        ("Anna Beispiel und Ben Muster, dpa", ["Anna Beispiel", "Ben Muster", "dpa"]),
        ("Anna Beispiel, Ben Muster und Carla Test", ["Anna Beispiel", "Ben Muster", "Carla Test"]),
        ("Anna Beispiel / dpa", ["Anna Beispiel", "dpa"]),
        ("Anna Beispiel (AFP)", ["Anna Beispiel", "AFP"]),
        ("Anna Beispiel mit dpa", ["Anna Beispiel", "dpa"]),
        ("Anna Beispiel mit Material von Reuters", ["Anna Beispiel", "Reuters"]),
        ("By Jane Doe, John Roe and Max Poe", ["Jane Doe", "John Roe", "Max Poe"]),
        ("Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
        # "Von" separate, lower-case, or glued to the name by markup without a space
        ("von Anna Beispiel", ["Anna Beispiel"]),
        ("VonAnna Beispiel", ["Anna Beispiel"]),
        ("VonX Redaktion", ["X Redaktion"]),
        ("ByJane Doe", ["Jane Doe"]),
        ("Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("Vonnegut Kurt", ["Vonnegut Kurt"]),
        # roles printed beside the name
        ("Anna Beispiel, Redakteurin", ["Anna Beispiel"]),
        ("Von Ben Muster (Korrespondent)", ["Ben Muster"]),
        ("Anna Beispiel, stellv. Chefredakteurin", ["Anna Beispiel"]),
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
        ("Jane Doe | Senior Editor", ["Jane Doe"]),
        ("Redaktion hessenschau.de", ["Redaktion hessenschau.de"]),
        ("Anna Beispiel (Text) und Ben Muster (Fotos)", ["Anna Beispiel", "Ben Muster"]),
        ("Jane Doe (reporting), John Roe (photos)", ["Jane Doe", "John Roe"]),
        ("Text: Anna Beispiel", ["Anna Beispiel"]),
        # academic and professional letters after a name are not a name
        ("By Brenda Goodman, MA", ["Brenda Goodman"]),
        ("Jane Doe, MD, and John Roe, PhD", ["Jane Doe", "John Roe"]),
        ("Dr. Anna Beispiel, M.Sc.", ["Dr. Anna Beispiel"]),
    ],
)
def test_split_byline_table(byline: str, names: list[str]) -> None:
    assert split_byline(byline) == names


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (
            {"@type": "Person", "name": "Anna Beispiel und Ben Muster, dpa"},
            ["Anna Beispiel", "Ben Muster", "dpa"],
        ),
        ({"@type": "Person", "name": "VonAnna Beispiel"}, ["Anna Beispiel"]),
        ([{"@type": "Person", "name": "Jane Doe and John Roe"}], ["Jane Doe", "John Roe"]),
        ({"@type": "Person", "name": "Ursula von der Leyen"}, ["Ursula von der Leyen"]),
        ("Anna Beispiel, Redakteurin", ["Anna Beispiel"]),
    ],
)
def test_jsonld_author_names_table(value: Any, names: list[str]) -> None:
    assert names_from_jsonld(value) == names


def page(author: Any, body: str, meta: str = "") -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Neue Brücke in Essen",
        "datePublished": "2024-04-26T10:00:00+02:00",
        "publisher": {"@type": "Organization", "name": "Example Zeitung"},
    }
    if author is not None:
        data["author"] = author
    return (
        f"<html><head>{meta}<script type='application/ld+json'>{json.dumps(data)}</script></head>"
        f"<body><article><h1>Neue Brücke in Essen</h1>{body}{TEXT}</article>"
        "<footer><a href='/autoren/impressum-team'>Impressum Team</a></footer></body></html>"
    )


@pytest.mark.parametrize(
    ("author", "body", "meta", "names"),
    [
        # the brand as an Organization author, a person printed: the person
        ({"@type": "Organization", "name": "Example Zeitung"}, "<p class='byline'>Von Anna Beispiel</p>", "",
         ["Anna Beispiel"]),
        # a domain as the author, the byline a link to the author's page
        ({"@type": "Person", "name": "example-zeitung.de"},
         "<p>von <a href='/autoren/ben-muster'>Ben Muster</a></p>", "", ["Ben Muster"]),
        # a meta author that is the site's short name, a labelled byline
        (None, "<ul><li><strong>Autorin/Autor</strong> Carla Test</li></ul>",
         "<meta name='author' content='Example'>", ["Carla Test"]),
        # an English page: "By X and Y" as a line under the headline
        ({"@type": "Organization", "name": "Example Zeitung"}, "<div>By Jane Doe and John Roe</div>", "",
         ["Jane Doe", "John Roe"]),
        # a line break separates the person from the desk printed under the name
        (None, "<div class='author_fmt'>By <a href='/brenda'>Brenda Goodman, MA</a><br>Health News</div>", "",
         ["Brenda Goodman", "Health News"]),
        # a meta author that is the site's own name with "&" in it is one brand, not two people: nobody credited
        (None, "", "<meta name='author' content='Mac &amp; i'><meta property='og:site_name' content='Mac &amp; i'>",
         []),
        (None, "<p class='byline'>Von Anna Beispiel</p>",
         "<meta name='author' content='Mac &amp; i'><meta property='og:site_name' content='Mac &amp; i'>",
         ["Anna Beispiel"]),
        # the brand, a channel of it or a domain is never an author: nobody credited, an empty list
        ({"@type": "Organization", "name": "Example Zeitung"}, "", "", []),
        (None, "", "<meta name='author' content='example-zeitung.de'>", []),
        (None, "", "<meta name='author' content='www.anderes-portal.com'>", []),
        # ...nor beside a person; an agency beside a person stays
        ([{"@type": "Person", "name": "Dora Probe"}, {"@type": "Person", "name": "Example Zeitung Sport"}], "", "",
         ["Dora Probe"]),
        ([{"@type": "Person", "name": "Dora Probe"}, {"@type": "Organization", "name": "dpa"}], "", "",
         ["Dora Probe", "dpa"]),
        # an agency or a desk when no person is credited, a desk named after the site too
        ({"@type": "Organization", "name": "dpa"}, "", "", ["dpa"]),
        ({"@type": "NewsMediaOrganization", "name": "Redaktion example-zeitung.de"}, "", "",
         ["Redaktion example-zeitung.de"]),
        # a person in JSON-LD stays, whatever else the page prints
        ({"@type": "Person", "name": "Dora Probe"}, "<p class='byline'>Von Anna Beispiel</p>", "", ["Dora Probe"]),
        # photo credits, a video box's byline and editors are not the authors
        ({"@type": "Organization", "name": "Example Zeitung"},
         "<p class='credit-byline'>Foto: Max Fotograf</p>"
         "<div class='mediaBox'><span class='mediaBox__byline'>Eva Kamera</span></div>"
         "<p class='text__byline'>Redaktion: Rita Redakteur</p>", "", []),
    ],
)  # fmt: skip
def test_printed_person_wins_over_a_brand(author: Any, body: str, meta: str, names: list[str]) -> None:
    record = extract(page(author, body, meta), URL)
    assert record["authors"] == names


@pytest.mark.parametrize(
    ("markup", "names", "published"),
    [
        # "Von:" with a colon, names in links, in a list item of the article's meta line
        ("<ul><li>Von: <a href='/bill'>Bill MCCARTHY</a>, <a href='/m'>Marisha GOLDHAMER</a></li></ul>",
         ["Bill MCCARTHY", "Marisha GOLDHAMER"], None),
        # a date after a label
        ("<ul><li><strong>Datum</strong> 28.04.2023</li><li><strong>Autorin/Autor</strong> Roman Beispiel</li></ul>",
         ["Roman Beispiel"], "2023-04-28T00:00:00+02:00"),
        ("<dl><dt>Published</dt><dd>3 May 2024</dd></dl><p>By Jane Doe</p>", ["Jane Doe"],
         "2024-05-03T00:00:00+02:00"),
        # a line that begins with "By" but is a sentence, not a byline
        ("<p>By The time the council voted, most residents had left.</p>", [], None),
        ("<div><span>Von</span><span>Anna Beispiel</span></div>", ["Anna Beispiel"], None),
    ],
)  # fmt: skip
def test_labelled_bylines_and_dates(markup: str, names: list[str], published: str | None) -> None:
    html = f"<html><body><article><h1>Neue Brücke in Essen</h1>{markup}{TEXT}</article></body></html>"
    record = extract(html, URL)
    assert record["authors"] == names
    assert record["published"] == published


def test_author_links_outside_the_article_are_not_its_byline() -> None:
    html = page({"@type": "Organization", "name": "Example Zeitung"}, "").replace(
        "<footer>", "<div class='more'><a href='/autoren/max-anders'>Max Anders</a></div><footer>"
    )
    assert extract(html, URL)["authors"] == []


@pytest.mark.parametrize(
    ("closing", "names", "kept"),
    [
        # the authors' initials (Kürzel) closing the text, with the photo credit after them
        ("<p><small>ssi, dan; Foto [M]: Shutterstock; Erstveröffentlichung: 4.4.18</small></p>", ["ssi", "dan"], False),
        ("<p>(ssi)</p>", ["ssi"], False),
        ("<p>ssi/dan</p>", ["ssi", "dan"], False),
        # an agency's tag is no person's initials; a closing sentence in lower case is text
        ("<p>(dpa/lni)</p>", [], None),
        ("<p>und so weiter und so fort, sagte sie.</p>", [], True),
    ],
)  # fmt: skip
def test_closing_initials_are_the_authors(closing: str, names: list[str], kept: bool | None) -> None:
    html = f"<html><body><article><h1>Neue Brücke in Essen</h1>{TEXT}{closing}</article></body></html>"
    record = extract(html, URL)
    assert record["authors"] == names
    last = record["body"].rsplit("\n\n", 1)[-1]
    if kept is not None:
        assert (
            last
            == closing.split(">", 1)[1].rsplit("</p>", 1)[0].replace("<small>", "").replace("</small>", "")
        ) is kept
