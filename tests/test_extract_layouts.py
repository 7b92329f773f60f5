"""A national portal's article layout, crawled by URL without a site file: the whole text, and none of the
inline teasers, most-read lists, related links, ads and embeds' furniture around and inside it."""

from __future__ import annotations

import pytest

from crawler.evaluate import token_f1
from crawler.extract import extract

URL = "https://www.example-portal.de/politik/neue-regeln-fuer-pendler-123456.html"
PARAGRAPHS = [
    f"Absatz {i}: Die Landesregierung hat am Dienstag neue Regeln für den Nahverkehr beschlossen, die ab dem "
    f"Sommer gelten sollen und viele Pendler im ganzen Land betreffen werden, wie Minister Nummer {i} sagte."
    for i in range(10)
]
LEAD = "Der Vorspann des Artikels fasst das Wichtigste kurz zusammen und macht Lust auf den ganzen Text."


def teaser(i: int, cls: str) -> str:
    return (
        f'<div class="{cls}"><a href="/politik/anderer-artikel-{i}.html"><span class="kicker">Auch interessant'
        f"</span><h3>Ganz andere Schlagzeile Nummer {i} über etwas anderes</h3><p>Ein Teasertext, der neugierig "
        f"machen soll, mit einigen Worten mehr als nötig, Nummer {i}.</p></a></div>"
    )


def card(i: int) -> str:
    """A teaser card without a telling class: a link around a heading and a short text."""
    return (
        f'<div class="c-{i}"><a href="/wirtschaft/weitere-meldung-{i}.html"><h2>Weitere Meldung Nummer {i} aus der '
        f"Wirtschaft</h2></a><p>Kurzer Anreißer zur weiteren Meldung Nummer {i} mit ein paar Worten.</p></div>"
    )


def portal(inline: str) -> str:
    p = PARAGRAPHS
    body = (
        f"<p>{p[0]}</p><p>{p[1]}</p>{inline.replace('{}', '1')}<p>{p[2]}</p>"
        '<blockquote class="twitter-tweet"><p>Ein Tweet zum Thema Nahverkehr</p>&mdash; Jemand (@jemand) '
        '<a href="https://twitter.com/jemand/status/1">May 1, 2024</a></blockquote>'
        f"<h2>Was sich ändert</h2><p>{p[3]}</p><p>{p[4]}</p>"
        '<div class="ad-container"><span>Anzeige</span></div>'
        f"<p>{p[5]}</p>{inline.replace('{}', '2')}<p>{p[6]}</p>"
        '<p><strong>Lesen Sie auch:</strong> <a href="/x.html">Neue Tarife im Nahverkehr</a></p>'
        "<figure><img src='a.jpg'><figcaption>Eine Straßenbahn in der Stadt. Foto: dpa</figcaption></figure>"
        f"<p>{p[7]}</p><p>{p[8]}</p>"
        '<iframe src="https://www.youtube.com/embed/x"></iframe>'
        f"<p>{p[9]}</p>"
        '<section class="related"><h2>Mehr zum Thema</h2><ul>'
        + "".join(
            f'<li><a href="/r{i}.html">Ein verwandter Artikel mit langer Überschrift {i}</a></li>'
            for i in range(5)
        )
        + "</ul></section>"
    )
    return (
        '<html lang="de"><head><meta property="og:title" content="Pendler: Was die neuen Regeln bringen">'
        '<meta name="author" content="example-portal.de"></head><body>'
        '<header><nav><a href="/">Start</a><a href="/politik">Politik</a></nav></header>'
        '<div class="teaser-list">' + "".join(teaser(10 + i, "teaser") for i in range(4)) + "</div>"
        '<main><article><header><p class="kicker">Nahverkehr</p><h1>Neue Regeln für Pendler</h1>'
        f'<p class="intro">{LEAD}</p><p class="byline">Von Anna Beispiel</p></header>{body}</article>'
        '<aside><div class="most-read"><h2>Meistgelesen</h2>'
        + "".join(teaser(20 + i, "teaser") for i in range(5))
        + "</div></aside>"
        + "".join(card(30 + i) for i in range(6))
        + "</main><footer><p>Impressum Datenschutz Kontakt</p></footer></body></html>"
    )


@pytest.mark.parametrize(
    "inline",
    [
        teaser(0, "inline-teaser").replace("Nummer 0", "Nummer {}"),
        teaser(0, "article-teaser teaser--inline").replace("Nummer 0", "Nummer {}"),
        card(0).replace("Nummer 0", "Nummer {}").replace("c-0", "box"),
        '<p class="teaser-link"><a href="/a{}.html">Ganz andere Schlagzeile über etwas anderes</a></p>',
    ],
    ids=["inline-teaser", "teaser-modifier", "unnamed-card", "link-paragraph"],
)
def test_teaser_heavy_national_layout(inline: str) -> None:
    record = extract(portal(inline), URL)
    assert (record["title"], record["kicker"], record["authors"]) == (
        "Neue Regeln für Pendler",
        "Nahverkehr",
        ["Anna Beispiel"],
    )
    body = record["body"]
    expected = "\n\n".join(
        [LEAD, *PARAGRAPHS[:3], "Ein Tweet zum Thema Nahverkehr", "Was sich ändert", *PARAGRAPHS[3:]]
    )
    assert token_f1(expected, body) >= 0.98, body
    assert all(p in body for p in PARAGRAPHS) and body.startswith(LEAD)  # the kicker is not the first line
    for furniture in ("Schlagzeile", "Teasertext", "Meistgelesen", "Anzeige", "verwandter", "Weitere Meldung",
                      "Lesen Sie auch", "Foto: dpa", "Impressum"):  # fmt: skip
        assert furniture not in body, furniture
