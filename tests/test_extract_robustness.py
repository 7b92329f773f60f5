"""extract() never raises and always returns every key with the right type, whatever the input."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import EXTRACTOR_VERSION, extract
from crawler.extract.core import _Extraction
from crawler.extract.explain import explain, render

URL = "https://www.example.de/a/b.html"
SAMPLE = (
    '<html lang="de"><head><meta charset="utf-8"><title>Überschrift | Example</title>'
    '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Überschrift","author":'
    '[{"name":"Anna"}],"datePublished":"2024-02-30T25:61:00"}</script></head><body><article><h1>Überschrift</h1>'
    '<p class="lead">Ein Vorspann mit Umlauten: äöü ß – „Zitat“.</p>'
    + "".join(
        f"<p>Absatz {i}: Text, Text und noch mehr Text für einen Absatz im Artikel.</p>" for i in range(5)
    )
    + "</article></body></html>"
)
KEYS: dict[str, Any] = {
    "title": (str, type(None)),
    "lead": (str, type(None)),
    "body": str,
    "authors": list,
    "published": (str, type(None)),
    "modified": (str, type(None)),
    "section": (str, type(None)),
    "keywords": list,
    "image": (str, type(None)),
    "language": (str, type(None)),
    "paywalled": bool,
    "canonical_url": (str, type(None)),
    "extractor": dict,
}


def check(result: dict[str, Any]) -> None:
    assert set(KEYS) <= set(result)
    for key, kind in KEYS.items():
        assert isinstance(result[key], kind), key
    assert all(isinstance(a, str) for a in result["authors"])
    assert all(isinstance(k, str) for k in result["keywords"])
    assert result["extractor"]["version"] == EXTRACTOR_VERSION
    assert result["extractor"]["method"] in (
        "selectors",
        "jsonld",
        "microdata",
        "opengraph",
        "fallback",
        "none",
    )


def run(html: str | bytes) -> None:
    # the internal run must not raise either: extract()'s catch-all is a last resort, not the mechanism
    check(_Extraction(html, URL, None).run())
    check(extract(html, URL))
    # and neither does the explanation behind `newsarchive extract --explain`
    explained = explain(html, URL)
    check(explained["record"])
    assert set(explained["fields"]) in (set(), {"title", "authors", "published", "body"})
    assert isinstance(render(explained), str)


_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(st.integers(min_value=0, max_value=len(SAMPLE)))
def test_truncated_html(cut: int) -> None:
    run(SAMPLE[:cut])


@_settings
@given(st.integers(min_value=0, max_value=len(SAMPLE) - 1), st.text(max_size=30))
def test_garbled_html(position: int, junk: str) -> None:
    run(SAMPLE[:position] + junk + SAMPLE[position:])


@_settings
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    run(data)


@_settings
@given(st.sampled_from(["utf-8", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-8-sig", "iso-8859-15"]))
def test_odd_encodings(encoding: str) -> None:
    data = SAMPLE.replace('charset="utf-8"', f'charset="{encoding}"').encode(encoding, "replace")
    run(data)


@_settings
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    run(text)


def test_empty_and_degenerate_inputs() -> None:
    for html in [
        "",
        " ",
        b"",
        b"\x00\x00",
        "<",
        "<html>",
        "<?xml version='1.0' encoding='utf-8'?><html/>",
        "\ufeff",
    ]:
        run(html)
    deep = "<div>" * 5000 + "Text" + "</div>" * 5000
    run(deep)


def test_latin1_page_is_decoded() -> None:
    html = '<html><head><meta charset="iso-8859-1"><title>Grüße aus Köln</title></head><body></body></html>'
    assert extract(html.encode("latin-1"), URL)["title"] == "Grüße aus Köln"
