"""Structured-data layer: JSON-LD (@graph, several blocks, author shapes), microdata, meta tags."""

from __future__ import annotations

import json
from typing import Any

from crawler.extract import extract

URL = "https://www.example-zeitung.de/lokales/artikel-123.html"


def page(*jsonld: Any, head: str = "", body: str = "") -> str:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(j)}</script>' for j in jsonld)
    return f"<html lang='de-DE'><head>{head}{scripts}</head><body>{body}</body></html>"


ARTICLE_TEXT = "".join(
    f"<p>Absatz {i} mit genug Text, damit er als Artikeltext zählt, und noch mehr.</p>" for i in range(6)
)


def test_graph_with_person_reference_and_dates() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": URL},
            {"@type": "Person", "@id": "#p1", "name": "Anna Beispiel"},
            {
                "@type": "NewsArticle",
                "headline": "Rathaus bekommt neues Dach",
                "mainEntityOfPage": {"@id": URL},
                "author": {"@id": "#p1"},
                "datePublished": "2024-04-26T15:24:10+02:00",
                "dateModified": "2024-04-26 18:00",
                "isAccessibleForFree": "False",
                "keywords": "Rathaus, Dach , Stadtrat",
                "articleSection": "Lokales",
                "image": {"@type": "ImageObject", "url": "/img/dach.jpg"},
            },
        ],
    }
    result = extract(page(data, body=ARTICLE_TEXT), URL)
    assert result["title"] == "Rathaus bekommt neues Dach"
    assert result["authors"] == ["Anna Beispiel"]
    assert result["published"] == "2024-04-26T15:24:10+02:00"
    assert result["modified"] == "2024-04-26T18:00:00+02:00"  # naive -> Europe/Berlin (summer time)
    assert result["paywalled"] is True
    assert result["keywords"] == ["Rathaus", "Dach", "Stadtrat"]
    assert result["section"] == "Lokales"
    assert result["image"] == "https://www.example-zeitung.de/img/dach.jpg"
    assert result["language"] == "de"
    assert result["extractor"]["fields"]["title"] == "jsonld"


def test_several_blocks_pick_the_one_for_this_page() -> None:
    other = {
        "@type": "NewsArticle",
        "headline": "Ein anderer Artikel",
        "url": "https://www.example-zeitung.de/x",
    }
    main = {
        "@type": ["ReportageNewsArticle"],
        "headline": "Der richtige Artikel",
        "url": URL,
        "author": "Max Muster",
    }
    result = extract(page([other, main], {"@type": "Organization", "name": "Example Zeitung"}), URL)
    assert result["title"] == "Der richtige Artikel"
    assert result["authors"] == ["Max Muster"]


def test_author_shapes() -> None:
    authors = [
        {"@type": "Person", "name": "Anna Beispiel"},
        {"@type": "Person", "givenName": "Ben", "familyName": "Muster"},
        "Von Carla Test und Dora Probe",
        {"@type": "Person", "name": ["Anna Beispiel"]},
    ]
    result = extract(page({"@type": "NewsArticle", "headline": "T", "author": authors}), URL)
    assert result["authors"] == ["Anna Beispiel", "Ben Muster", "Carla Test", "Dora Probe"]


def test_broken_jsonld_is_tolerated() -> None:
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Mit Komma",}'
        '</script><script type="application/ld+json">{not json</script></head><body></body></html>'
    )
    assert extract(html, URL)["title"] == "Mit Komma"


def test_opengraph_and_meta_fallbacks() -> None:
    head = (
        '<meta property="og:title" content="Neuer Radweg | Example Zeitung">'
        '<meta property="og:site_name" content="Example Zeitung">'
        '<meta property="article:published_time" content="2024-01-05T08:00:00Z">'
        '<meta name="news_keywords" content="Verkehr, Radweg">'
        '<meta property="og:image" content="https://cdn.example.de/a.jpg">'
        '<meta property="og:locale" content="de_DE">'
        '<meta name="author" content="Eva Schreiber">'
        '<link rel="canonical" href="/lokales/radweg">'
    )
    result = extract(f"<html><head>{head}</head><body>{ARTICLE_TEXT}</body></html>", URL)
    assert result["title"] == "Neuer Radweg"
    assert result["published"] == "2024-01-05T08:00:00+00:00"
    assert result["keywords"] == ["Verkehr", "Radweg"]
    assert result["image"] == "https://cdn.example.de/a.jpg"
    assert result["language"] == "de"
    assert result["authors"] == ["Eva Schreiber"]
    assert result["canonical_url"] == "https://www.example-zeitung.de/lokales/radweg"


def test_meta_names_with_colons_or_underscores() -> None:
    head = '<meta name="article:published:time" content="2024-10-23T15:48:15+00:00">'
    assert (
        extract(f"<html><head>{head}</head><body></body></html>", URL)["published"]
        == "2024-10-23T15:48:15+00:00"
    )


def test_microdata_article_body_is_the_container() -> None:
    body = (
        '<div itemscope itemtype="https://schema.org/NewsArticle">'
        '<h1 itemprop="headline">Microdata-Titel</h1>'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">Fritz Fuchs</span></span>'
        '<time itemprop="datePublished" datetime="2023-03-01T10:00:00+01:00">1. März</time>'
        f'<div itemprop="articleBody">{ARTICLE_TEXT}</div>'
        "<div class='sidebar'><p>Ganz anderer Text, der nicht zum Artikel gehört, lang genug.</p></div></div>"
    )
    result = extract(f"<html><body>{body}</body></html>", URL)
    assert result["title"] == "Microdata-Titel"
    assert result["authors"] == ["Fritz Fuchs"]
    assert result["published"] == "2023-03-01T10:00:00+01:00"
    assert result["extractor"]["method"] == "microdata"
    assert "Ganz anderer Text" not in result["body"]


def test_content_tier_locked_means_paywalled() -> None:
    head = '<meta property="article:content_tier" content="locked">'
    assert extract(f"<html><head>{head}</head><body></body></html>", URL)["paywalled"] is True
    assert extract("<html><head></head><body></body></html>", URL)["paywalled"] is False
