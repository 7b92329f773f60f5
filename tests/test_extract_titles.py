"""Headlines, table tests by defect kind: a kicker (Dachzeile) inside the <h1>, and which metadata headline
a page without a site file prints."""

from __future__ import annotations

import pytest

from crawler.extract import SiteSelectors, extract
from crawler.extract.dom import parse
from crawler.extract.titles import headline_parts, printed_title, same_title

URL = "https://www.example-zeitung.de/lokales/artikel-123.html"
TEXT = "".join(
    f"<p>Absatz {i} mit genug Text, damit er als Artikeltext zählt, und noch etwas mehr dazu.</p>"
    for i in range(6)
)


def h1(markup: str) -> object:
    root = parse(f"<html><body>{markup}</body></html>")
    assert root is not None
    return next(root.iter("h1"))


@pytest.mark.parametrize(
    ("markup", "kicker", "headline", "printed"),
    [
        # a kicker span joined to the headline without a separator: a label, left out
        ('<h1><span class="kicker">Premier League</span><span>Liverpool verliert</span></h1>',
         None, "Liverpool verliert", "Liverpool verliert"),
        ('<h1><span class="seitenkopf__topline">Wetter</span> Sturm an der Küste</h1>',
         None, "Sturm an der Küste", "Sturm an der Küste"),
        ('<h1><div class="article-header__dachzeile">Hannover</div><span>Neue Brücke</span></h1>',
         None, "Neue Brücke", "Neue Brücke"),
        ('<h1><span class="eyebrow">Politics</span> Senate passes the bill</h1>',
         None, "Senate passes the bill", "Senate passes the bill"),
        # a visually hidden separator: the page means "Kicker: Headline"
        ('<h1><span class="kicker">Entwurf</span><span class="visually-hidden">:</span> '
         "<span>Ein bisschen Fortschritt</span></h1>",
         "Entwurf:", "Ein bisschen Fortschritt", "Entwurf: Ein bisschen Fortschritt"),
        ('<h1><span class="topline">Kenia</span><span class="sr-only">: </span>Nairobi von unten</h1>',
         "Kenia:", "Nairobi von unten", "Kenia: Nairobi von unten"),
        # a kicker-ish class after the start of the headline is no kicker
        ('<h1><span class="subline">Waffen<span class="visually-hidden">:</span></span> '
         '<span class="topline">Klage eingelegt</span></h1>', None, "Waffen: Klage eingelegt",
         "Waffen: Klage eingelegt"),
        # no kicker: the whole text
        ("<h1>Neue Brücke <em>in</em> Essen</h1>", None, "Neue Brücke in Essen", "Neue Brücke in Essen"),
        ('<h1><span class="headline">Nur die Schlagzeile</span></h1>', None, "Nur die Schlagzeile",
         "Nur die Schlagzeile"),
    ],
)  # fmt: skip
def test_kicker_inside_h1(markup: str, kicker: str | None, headline: str, printed: str) -> None:
    el = h1(markup)
    assert headline_parts(el) == (kicker, headline)
    assert printed_title(el) == printed


def page(head: str, h1_markup: str) -> str:
    return f"<html><head>{head}</head><body><article>{h1_markup}{TEXT}</article></body></html>"


@pytest.mark.parametrize(
    ("head", "h1_markup", "title"),
    [
        # only the h1: the kicker label is not part of the headline
        ("", '<h1><span class="kicker">Premier League</span>Liverpool verliert</h1>', "Liverpool verliert"),
        # og:title first, its site suffix trimmed
        ('<meta property="og:title" content="Neue Brücke | Example Zeitung">', "<h1>Neue Brücke</h1>",
         "Neue Brücke"),
        # without og:title: the metadata headline the page prints wins over an SEO variant
        ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Neue Brücke"}</script>'
         '<meta name="twitter:title" content="Brücke Essen: alle Infos, Sperrungen, Umleitungen">',
         '<h1><span class="kicker">Essen</span>Neue Brücke</h1>', "Neue Brücke"),
        # og:title is the printed headline plus an SEO tail: the printed headline
        ('<meta property="og:title" content="Neue Brücke in Essen eröffnet - Verkehr, Sperrung, Umleitung">',
         "<h1>Neue Brücke in Essen eröffnet</h1>", "Neue Brücke in Essen eröffnet"),
        # ...but a colon continues the headline, and a different og:title stays
        ('<meta property="og:title" content="Neue Brücke in Essen eröffnet: Was Pendler wissen müssen">',
         "<h1>Neue Brücke in Essen eröffnet</h1>", "Neue Brücke in Essen eröffnet: Was Pendler wissen müssen"),
        ('<meta property="og:title" content="Essen feiert seine Brücke">', "<h1>Neue Brücke in Essen eröffnet</h1>",
         "Essen feiert seine Brücke"),
        # og:title and twitter:title are two different social variants: the printed headline
        ('<meta property="og:title" content="Forscher warnt: Verlernen Studierende das Lesen?">'
         '<meta name="twitter:title" content="Forscher aus Osnabrück warnt: Studierende verlernen das Lesen">',
         "<h1>Forscher aus Osnabrück warnt: Studierende verlernen das Lesen</h1>",
         "Forscher aus Osnabrück warnt: Studierende verlernen das Lesen"),
        ('<meta property="og:title" content="Wenn Beton platzt: Der Kampf gegen die Hitze">'
         '<meta name="twitter:title" content="Verkehrschaos durch Hitze: Alte Trams als Risiko">',
         "<h1>So sind Straßenbahnen auf Hitzewellen vorbereitet</h1>", "So sind Straßenbahnen auf Hitzewellen vorbereitet"),
        # ...but a twitter:title that is og:title cut short or with a tail is the same headline: og:title stays
        ('<meta property="og:title" content="Trainer Schubert: Nicht mehr viel zu verlieren">'
         '<meta name="twitter:title" content="Trainer Schubert: Nicht mehr viel zu verlieren - Nachfolger appelliert">',
         "<h1>MSV-Trainer Schubert: Nicht mehr viel zu verlieren</h1>", "Trainer Schubert: Nicht mehr viel zu verlieren"),
        ('<meta property="og:title" content="New court files expose the security team of the casino owner">'
         '<meta name="twitter:title" content="New court files expose the security team of the...">',
         "<h1>Court files expose a security team</h1>", "New court files expose the security team of the casino owner"),
        # og:title is the printed headline without the kicker the <h1> starts with: the printed headline
        ('<meta property="og:title" content="Bericht: Aktivistin getötet">', "<h1>Bei Protesten 2022: Bericht: Aktivistin "
         "getötet</h1>", "Bei Protesten 2022: Bericht: Aktivistin getötet"),
        # ...and the reverse (og:title with the kicker, the <h1> without) keeps og:title
        ('<meta property="og:title" content="Kenia: Nairobi von unten">', "<h1>Nairobi von unten</h1>",
         "Kenia: Nairobi von unten"),
        # without metadata, an <h1> that is a section's name: the <title> names the headline printed in an <h2>
        ("<title>Babies Who Eat Peanuts Early May Avoid Allergy</title>",
         "<h1>Allergies Health Center</h1><h2>Babies Who Eat Peanuts Early May Avoid Allergy</h2>",
         "Babies Who Eat Peanuts Early May Avoid Allergy"),
        # ...but a <title> that no <h2> prints leaves the <h1>
        ("<title>Peanut allergy: babies, study, advice</title>",
         "<h1>Babies Who Eat Peanuts Early May Avoid Allergy</h1><h2>What the study found</h2>",
         "Babies Who Eat Peanuts Early May Avoid Allergy"),
        # ...and the first one in the usual order when none is printed
        ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Die Brücke"}</script>'
         "<title>Neue Brücke - Example Zeitung</title>", "<h1>Etwas anderes</h1>", "Die Brücke"),
    ],
)  # fmt: skip
def test_title_choice(head: str, h1_markup: str, title: str) -> None:
    assert extract(page(head, h1_markup), URL)["title"] == title


def test_site_selector_title_h1_drops_the_kicker() -> None:
    html = page("", '<h1 class="t"><span class="kicker">Wetter</span><span>Sturm an der Küste</span></h1>')
    record = extract(html, URL, SiteSelectors(title="h1.t"))
    assert record["title"] == "Sturm an der Küste"
    assert record["extractor"]["fields"]["title"] == "selectors"


def test_same_title_ignores_soft_hyphens_and_zero_width() -> None:
    assert same_title("Ver\u00adfas\u00adsung\u200b", "Verfassung")
    assert not same_title("Verfassung", "Verfassungen")
    assert not same_title(None, "x")


def test_site_title_order_without_its_source_falls_back_to_the_printed_headline() -> None:
    head = '<meta property="og:title" content="Sturm: Was jetzt wichtig ist">'
    html = page(head, "<h1><span class='kicker'>Wetter</span>Sturm an der Küste</h1>")
    selectors = SiteSelectors(title_order=("jsonld",))  # the site's og:title is a social variant
    record = extract(html, URL, selectors)
    assert record["title"] == "Sturm an der Küste" and record["extractor"]["fields"]["title"] == "fallback"
    with_jsonld = html.replace("</head>", '<script type="application/ld+json">{"@type": "NewsArticle", '
                               '"headline": "Sturm an der Küste erwartet"}</script></head>')  # fmt: skip
    assert extract(with_jsonld, URL, selectors)["title"] == "Sturm an der Küste erwartet"
    assert extract(html, URL)["title"] == "Sturm: Was jetzt wichtig ist"  # no site file: og:title first
