"""Headlines, table tests by defect kind: social and SEO variants of the headline, a kicker (Dachzeile,
topline) inside or above the headline, an SEO title in a breadcrumb's <h1>, a section's name as the <h1>."""

from __future__ import annotations

import pytest

from crawler.extract import SiteSelectors, extract
from crawler.extract.dom import parse
from crawler.extract.titles import headline_parts, same_title

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
    ("markup", "kicker", "headline"),
    [
        # a kicker span before the headline: the kicker apart, with or without a separator
        ('<h1><span class="kicker">Premier League</span><span>Liverpool verliert</span></h1>',
         "Premier League", "Liverpool verliert"),
        ('<h1><span class="seitenkopf__topline">Wetter</span> Sturm an der Küste</h1>', "Wetter", "Sturm an der Küste"),
        ('<h1><div class="article-header__dachzeile">Hannover</div><span>Neue Brücke</span></h1>',
         "Hannover", "Neue Brücke"),
        ('<h1><span class="eyebrow">Politics</span> Senate passes the bill</h1>', "Politics", "Senate passes the bill"),
        ('<h1><span data-cy="kicker">Schule</span> <span>KI im Klassenzimmer</span></h1>', "Schule",
         "KI im Klassenzimmer"),
        # a visually hidden separator: "Kicker: Headline" to screen readers, the two apart in the record
        ('<h1><span class="kicker">Entwurf</span><span class="visually-hidden">:</span> '
         "<span>Ein bisschen Fortschritt</span></h1>", "Entwurf", "Ein bisschen Fortschritt"),
        ('<h1><span class="topline">Kenia</span><span class="sr-only">: </span>Nairobi von unten</h1>',
         "Kenia", "Nairobi von unten"),
        ('<h1><span class="is-flex">Entwurf</span><span class="is-hidden">: </span><span>Fortschritt</span></h1>',
         "Entwurf", "Fortschritt"),
        # a first part closed by a hidden separator is a kicker whatever its class says
        ('<h1><span class="subline">Waffen<span class="visually-hidden">:</span></span> '
         '<span class="topline">Klage eingelegt</span></h1>', "Waffen", "Klage eingelegt"),
        # no kicker: the whole text
        ("<h1>Neue Brücke <em>in</em> Essen</h1>", None, "Neue Brücke in Essen"),
        ('<h1><span class="headline">Nur die Schlagzeile</span></h1>', None, "Nur die Schlagzeile"),
        # a dateline named like a kicker is no kicker
        ('<h1><span class="kicker">12.05.2024</span> Neue Brücke</h1>', None, "12.05.2024 Neue Brücke"),
    ],
)  # fmt: skip
def test_kicker_inside_heading(markup: str, kicker: str | None, headline: str) -> None:
    assert headline_parts(h1(markup)) == (kicker, headline)


def page(head: str, h1_markup: str) -> str:
    return f"<html><head>{head}</head><body><article>{h1_markup}{TEXT}</article></body></html>"


OG = '<meta property="og:title" content="{}">'
TWITTER = '<meta name="twitter:title" content="{}">'
LD = '<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{}"}}</script>'


@pytest.mark.parametrize(
    ("head", "markup", "title", "kicker"),
    [
        # -- headline vs social and SEO variants: the printed headline wins --
        (OG.format("Essen feiert seine Brücke"), "<h1>Neue Brücke in Essen eröffnet</h1>",
         "Neue Brücke in Essen eröffnet", None),
        (OG.format("Forscher warnt: Verlernen Studierende das Lesen?")
         + TWITTER.format("Forscher aus Osnabrück warnt: Lesen verlernt"),
         "<h1>Forscher aus Osnabrück warnt: Studierende verlernen das Lesen</h1>",
         "Forscher aus Osnabrück warnt: Studierende verlernen das Lesen", None),
        (OG.format("Neue Brücke in Essen eröffnet - Verkehr, Sperrung, Umleitung"),
         "<h1>Neue Brücke in Essen eröffnet</h1>", "Neue Brücke in Essen eröffnet", None),
        (OG.format("New court files expose the security team of the casino owner")
         + TWITTER.format("New court files expose the security team of the..."),
         "<h1>Court files expose a security team</h1>", "Court files expose a security team", None),
        (LD.format("Brücke Essen: alle Infos, Sperrungen, Umleitungen"), "<h1>Neue Brücke in Essen</h1>",
         "Neue Brücke in Essen", None),
        ("<title>Neue Brücke in Essen eröffnet | Example Zeitung</title>", "<h1>Neue Brücke eröffnet</h1>",
         "Neue Brücke eröffnet", None),
        # the site's name is no part of the headline
        (OG.format("Neue Brücke | Example Zeitung"), "<h1>Neue Brücke | Example Zeitung</h1>", "Neue Brücke", None),
        # -- kicker inside the <h1> and above it --
        (OG.format("Wetter: Sturm an der Küste"), '<h1><span class="kicker">Wetter</span> Sturm an der Küste</h1>',
         "Sturm an der Küste", "Wetter"),
        ("", '<p class="topline">Hitzefolgen</p><h1>So sind Straßenbahnen vorbereitet</h1>',
         "So sind Straßenbahnen vorbereitet", "Hitzefolgen"),
        ("", '<div class="article-header__overline"><span>Wahlkampf</span></div><h1>Die Debatte im Saal</h1>',
         "Die Debatte im Saal", "Wahlkampf"),
        # the metadata's "Kicker: " before the printed headline, the kicker printed just above it in a plain box
        (OG.format("Kenia: Nairobi von unten"), '<div class="red">Kenia</div><h1>Nairobi von unten</h1>',
         "Nairobi von unten", "Kenia"),
        # ...not printed: an SEO prefix, left out
        (OG.format("Nairobi: Die Stadt von unten erzählt"), "<h1>Die Stadt von unten erzählt</h1>",
         "Die Stadt von unten erzählt", None),
        # a label ending in a colon above the headline is no kicker
        ("", '<div class="kicker">Filed under:</div><h1>Senate passes the bill</h1>', "Senate passes the bill", None),
        # ...nor a box's or a control's label
        ("", '<div class="kicker"><a href="#c">Comments</a></div><h1>Senate passes the bill</h1>',
         "Senate passes the bill", None),
        # -- which heading is the printed headline --
        # an SEO title in a breadcrumb's <h1>, the headline printed in an <h2> the JSON-LD confirms
        (OG.format("Haftbefehl: Streeck lobt Doku") + LD.format("Streeck lobt Haftbefehl-Doku und warnt"),
         '<nav class="breadcrumb"><ol><li><a href="/">Home</a></li><li><h1>Haftbefehl: Streeck lobt Doku</h1></li>'
         '</ol></nav><header><span class="kicker">Die Haftbefehl-Story</span>'
         "<h2>Streeck lobt Haftbefehl-Doku und warnt</h2></header>",
         "Streeck lobt Haftbefehl-Doku und warnt", "Die Haftbefehl-Story"),
        # ...a breadcrumb <h1> alone, confirmed by the metadata: it
        (OG.format("Landtagswahl: Die Debatte im Saal"),
         '<ol class="c-breadcrumb"><li><h1>Landtagswahl: Die Debatte im Saal</h1></li></ol><h2>Die Debatte</h2>',
         "Landtagswahl: Die Debatte im Saal", None),
        # a section's name in the <h1>, the headline in an <h2> the <title> confirms
        ("<title>Babies Who Eat Peanuts Early May Avoid Allergy</title>",
         "<h1>Allergies Health Center</h1><h2>Babies Who Eat Peanuts Early May Avoid Allergy</h2>",
         "Babies Who Eat Peanuts Early May Avoid Allergy", None),
        # a button's <h1> after the headline is no headline
        (OG.format("Die Eisheiligen 2024: Wann sie sind"),
         '<ol class="breadcrumb"><li><h1>Die Eisheiligen 2024: Wann sie sind</h1></li></ol>'
         "<button><h1>Artikel merken</h1></button>", "Die Eisheiligen 2024: Wann sie sind", None),
        # no printed headline: the metadata in its order
        (LD.format("Die Brücke") + "<title>Neue Brücke - Example Zeitung</title>", "<h2>Kurz</h2>", "Die Brücke", None),
    ],
)  # fmt: skip
def test_title_choice(head: str, markup: str, title: str, kicker: str | None) -> None:
    record = extract(page(head, markup), URL)
    assert (record["title"], record["kicker"]) == (title, kicker)


def test_site_selector_title_h1_keeps_the_kicker_apart() -> None:
    html = page("", '<h1 class="t"><span class="kicker">Wetter</span><span>Sturm an der Küste</span></h1>')
    record = extract(html, URL, SiteSelectors(title="h1.t"))
    assert (record["title"], record["kicker"]) == ("Sturm an der Küste", "Wetter")
    assert record["extractor"]["fields"]["title"] == "selectors"


def test_same_title_ignores_soft_hyphens_and_zero_width() -> None:
    assert same_title("Ver\u00adfas\u00adsung\u200b", "Verfassung")
    assert not same_title("Verfassung", "Verfassungen")
    assert not same_title(None, "x")


def test_site_title_order_names_the_metadata_source() -> None:
    head = OG.format("Sturm: Was jetzt wichtig ist") + LD.format("Sturm an der Küste erwartet")
    html = page(head, "<h1><span class='kicker'>Wetter</span>Sturm an der Küste</h1>")
    record = extract(html, URL, SiteSelectors(title_order=("jsonld",)))
    assert (
        record["title"] == "Sturm an der Küste erwartet"
        and record["extractor"]["fields"]["title"] == "jsonld"
    )
    assert extract(html, URL)["title"] == "Sturm an der Küste"  # no site file: the printed headline


@pytest.mark.parametrize(
    "banner",
    [
        '<header><h1><a href="/">Das grosse Stadtportal online</a></h1></header>',
        '<div role="banner"><h1>Ministerium für Verkehr und Bau</h1></div>',
        '<div class="logo"><h1><a href="https://www.example-zeitung.de/">Die Zeitung im Netz</a></h1></div>',
    ],
)
def test_a_banner_or_logo_h1_is_no_headline(banner: str) -> None:
    html = (
        "<html><head><title>Neue Brücke eröffnet | Example Zeitung</title></head><body>"
        f"{banner}<main>{TEXT}</main></body></html>"
    )
    # no printed headline: the <title> without the site's name
    assert extract(html, URL)["title"] == "Neue Brücke eröffnet"
