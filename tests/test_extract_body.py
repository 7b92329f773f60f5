"""Body layers: the generic extractor on German page furniture, the lead, site selectors, the fallback."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from crawler.extract import SiteSelectors, extract

URL = "https://www.example-zeitung.de/lokales/brueckenbau-123.html"
P1 = (
    "Die Stadt hat am Montag mit dem Bau der neuen Brücke über die Oker begonnen, wie ein Sprecher mitteilte."
)
P2 = "Die Arbeiten sollen nach Angaben der Verwaltung bis zum Herbst kommenden Jahres dauern, hieß es."
P3 = "Anwohner müssen sich in dieser Zeit auf Umleitungen einstellen, die Buslinien fahren geänderte Routen."
P4 = "Die Kosten liegen nach aktueller Schätzung bei rund zwölf Millionen Euro, den Großteil trägt das Land."
LEAD = "Seit Jahren war die alte Brücke marode. Jetzt beginnt der Neubau – mit Folgen für den Verkehr."

PAGE = f"""<!doctype html><html lang="de"><head><title>Brückenbau beginnt | Example Zeitung</title>
<meta property="og:description" content="{LEAD}"></head><body>
<header class="site-header"><nav><a href="/">Start</a> <a href="/lokales">Lokales</a></nav></header>
<main><article>
  <header><span class="kicker">Verkehr</span><h1>Brückenbau beginnt</h1>
    <p class="article-lead">{LEAD}</p>
    <div class="byline">Von Anna Beispiel und Ben Muster</div>
    <time datetime="2024-04-26T15:24:10+02:00">26.04.2024</time>
  </header>
  <figure><img src="/b.jpg"><figcaption>Die alte Brücke. Foto: Max Muster</figcaption></figure>
  <div class="article-body">
    <p>{P1}</p>
    <p>Foto: Stadt Beispielstadt</p>
    <div class="share-buttons"><a href="#">Teilen</a> <a href="#">Facebook</a></div>
    <p>{P2}</p>
    <h2>Umleitungen für Busse</h2>
    <p>{P3}</p>
    <aside class="related"><h3>Lesen Sie auch</h3><p><a href="/x">Neue Ampel am Markt</a></p></aside>
    <p>Lesen Sie auch: <a href="/y">Baustellen im Überblick</a></p>
    <div class="teaser"><h3><a href="/z">Sperrung der B1 im Sommer</a></h3>
      <p>Auch die Bundesstraße wird monatelang gesperrt, Pendler brauchen viel Geduld.</p></div>
    <p>{P4}</p>
    <p>(dpa)</p>
    <div class="newsletter-box"><p>Unser Newsletter: Jetzt abonnieren und nichts verpassen!</p></div>
  </div>
  <p class="footer-note">Mehr News aus der Region</p>
</article></main>
<footer><p>Impressum Datenschutz Kontakt – alle Rechte vorbehalten bei der Example Zeitung GmbH.</p></footer>
</body></html>"""


def test_generic_body_keeps_text_and_drops_furniture() -> None:
    result = extract(PAGE, URL)
    assert result["body"] == "\n\n".join([LEAD, P1, P2, "Umleitungen für Busse", P3, P4])
    assert result["lead"] == LEAD
    assert result["title"] == "Brückenbau beginnt"
    assert result["authors"] == ["Anna Beispiel", "Ben Muster"]
    assert result["published"] == "2024-04-26T15:24:10+02:00"
    assert result["extractor"]["method"] == "fallback"
    assert result["extractor"]["fields"]["body"] == "fallback"


def test_body_split_over_sibling_boxes_comes_out_whole() -> None:
    boxes = "".join(
        f'<div class="mod"><div class="box"><p>{p}</p></div></div>'
        '<div class="ad-slot"><span>Anzeige</span></div>'
        for p in (P1, P2, P3, P4)
    )
    html = f"<html><body><div class='page'><article><h1>Titel</h1>{boxes}</article></div></body></html>"
    assert extract(html, URL)["body"] == "\n\n".join([P1, P2, P3, P4])


def test_lines_of_text_in_a_div_with_breaks() -> None:
    text = f"<div class='text'>{P1}<br><br>{P2} <b>fett</b><br><br>{P3}</div>"
    html = f"<html><body><article><h1>T</h1>{text}</article></body></html>"
    body = extract(html, URL)["body"]
    assert P1 in body and "fett" in body and P3 in body


def test_site_selectors_layer_with_dated_versions() -> None:
    old = SiteSelectors(body="div.old-body", title="h1")
    new = SiteSelectors(
        body="div.article-body", paragraphs="p, h2", drop=("aside", "div.teaser"), lead="p.article-lead",
        authors="div.byline", title="h1", since=date(2024, 1, 1), previous=old,
    )  # fmt: skip
    result = extract(PAGE, URL, new)
    assert result["extractor"]["method"] == "selectors"
    assert result["body"].startswith(LEAD + "\n\n" + P1)
    assert "Sperrung der B1" not in result["body"] and "Auch die Bundesstraße" not in result["body"]
    assert result["authors"] == ["Anna Beispiel", "Ben Muster"]
    assert [v.since for v in new.versions()] == [date(2024, 1, 1), None]
    # a page from before the new layout: only the old version applies; its body selector misses -> generic
    older_page = PAGE.replace("2024-04-26T15:24:10+02:00", "2023-04-26T15:24:10+02:00")
    assert extract(older_page, URL, new)["extractor"]["method"] == "fallback"


def test_bad_selectors_do_not_raise() -> None:
    result = extract(PAGE, URL, SiteSelectors(body="div[[[", title="//h1[", authors=":::"))
    assert P1 in result["body"]


def test_trafilatura_is_the_last_fallback_for_pages_without_paragraphs() -> None:
    cells = "".join(f"<tr><td>{p}</td></tr>" for p in (P1, P2, P3, P4))
    html = f"<html><body><table>{cells}</table></body></html>"
    result = extract(html, URL)
    assert P2 in result["body"]


def test_jsonld_article_body_when_the_page_text_is_missing() -> None:
    text = " ".join([P1, P2, P3])
    data = json.dumps({"@type": "NewsArticle", "headline": "Nur JSON", "articleBody": text})
    script = f'<script type="application/ld+json">{data}</script>'
    html = f'<html><head>{script}</head><body><div id="app"></div></body></html>'
    result = extract(html, URL)
    assert result["body"] == text
    assert result["extractor"]["method"] == "jsonld"


REGIONALHEUTE = Path(__file__).parent / "fixtures" / "sites" / "regionalheute"


@pytest.mark.skipif(not REGIONALHEUTE.is_dir(), reason="regionalheute fixture not present")
def test_regionalheute_body_has_no_credits_or_region_footer() -> None:
    for case in sorted(REGIONALHEUTE.glob("*/expected.json")):
        expected = json.loads(case.read_text(encoding="utf-8"))
        html = gzip.decompress((case.parent / "page.html.gz").read_bytes())
        result = extract(html, expected["url"])
        body = result["body"]
        assert body
        assert "Foto:" not in body
        assert "mehr news aus der region" not in body.lower()
        assert result["title"] == expected["title"]


def test_declared_article_body_overrules_a_wrong_container() -> None:
    declared = " ".join([P1, P2, P3, P4])
    data = json.dumps({"@type": "NewsArticle", "headline": "T", "articleBody": declared})
    comments = "".join(
        f"<p>Leserkommentar {i}: Das sehe ich anders, die Stadt hätte früher handeln müssen, finde ich.</p>"
        for i in range(12)
    )
    html = (
        f'<html><head><script type="application/ld+json">{data}</script></head><body>'
        f"<div class='leserstimmen'>{comments}</div></body></html>"
    )
    result = extract(html, URL)
    assert result["body"] == declared
    assert result["extractor"]["method"] == "jsonld"


def test_english_page() -> None:
    paragraphs = [
        "The city council approved the new bridge on Monday after a debate that lasted for several hours.",
        "Construction is expected to start in the spring and to last for about two years, officials said.",
        "Residents will have to use detours, and several bus lines will change their routes, the city said.",
    ]
    html = (
        "<html lang='en-GB'><head><title>Council approves bridge - The Example Times</title>"
        "<meta property='og:site_name' content='The Example Times'></head><body><article>"
        "<h1>Council approves bridge</h1><p class='byline'>By Jane Doe and John Roe</p>"
        "<time datetime='2024-03-01T09:30:00+00:00'>1 March 2024</time>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<p>Read more: <a href='/x'>Other story</a></p><div class='share'>Share this article</div>"
        "</article></body></html>"
    )
    result = extract(html, "https://www.example-times.co.uk/news/bridge")
    assert result["title"] == "Council approves bridge"
    assert result["body"] == "\n\n".join(paragraphs)
    assert result["authors"] == ["Jane Doe", "John Roe"]
    assert result["published"] == "2024-03-01T09:30:00+00:00"
    assert result["language"] == "en"


def test_article_half_beside_a_show_more_box_comes_out_whole() -> None:
    # the first paragraphs straight in the text container, the rest in a "show more" box that holds more text
    first = [f"First part, paragraph {i}: the council met on Monday, and the bridge plan passed, 7 to 2." for i in
             range(3)]  # fmt: skip
    rest = [
        f"Second part, paragraph {i}: residents asked about diversions, costs and dates, and officials said the "
        "work would begin in spring, run for a year and cost about twelve million dollars, most paid by the state."
        for i in range(8)
    ]
    html = (
        "<html lang='en'><body><article><h1>Bridge plan passes</h1><div class='content'>"
        + "".join(f"<p>{p}</p>" for p in first)
        + "<div class='toggle-group target'>"
        + "".join(f"<p>{p}</p>" for p in rest)
        + "</div></div></article></body></html>"
    )
    body = extract(html, "https://www.example.com/news/bridge")["body"]
    assert body == "\n\n".join(first + rest)


@pytest.mark.parametrize(
    ("dateline", "kept"),
    [
        ("<span class='dateline'>CAIRO —</span>", "CAIRO — "),  # a wire-style place dateline is text
        ("<span class='dateline'>26.04.2024, 15:24 Uhr</span>", ""),  # a date line is not
    ],
)
def test_place_dateline_opening_a_paragraph(dateline: str, kept: str) -> None:
    first = "Gunmen opened fire on visitors at the national museum on Wednesday, killing at least 19 people."
    rest = [
        "The attack was the deadliest in the country in years, officials said, and the museum was closed.",
        "Security forces surrounded the building within minutes and freed the visitors held inside it.",
        "The government said it would step up security at museums and other sites that tourists visit.",
    ]
    html = (
        "<html lang='en'><body><article><h1>Museum attack</h1>"
        f"<p>{dateline} {first}</p>" + "".join(f"<p>{p}</p>" for p in rest) + "</article></body></html>"
    )
    body = extract(html, "https://www.example.com/world/museum")["body"]
    assert body == "\n\n".join([kept + first, *rest])
