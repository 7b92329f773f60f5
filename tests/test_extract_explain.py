"""``newsarchive extract --explain``: per field the candidates of every layer, the winner and why."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.extract import SiteSelectors
from crawler.extract.explain import explain, render
from tests.clirun import cli

URL = "https://www.example-zeitung.de/lokales/artikel-123.html"
TEXT = "".join(
    f"<p>Absatz {i} mit genug Text, damit er als Artikeltext zählt, und noch etwas mehr dazu.</p>"
    for i in range(6)
)
PAGE = f"""<html lang="de"><head>
<meta property="og:title" content="Brücke gesperrt: Was Pendler jetzt wissen müssen | Example Zeitung">
<meta name="author" content="Example Zeitung">
<meta property="article:published_time" content="2024-04-26T10:00:00+02:00">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Neue Brücke in Essen",
 "author": {{"@type": "Organization", "name": "Example Zeitung"}}}}</script>
<title>Neue Brücke in Essen - Example Zeitung</title></head>
<body><article><h1><span class="kicker">Verkehr</span>Neue Brücke in Essen</h1>
<p class="byline">Von Anna Beispiel</p>{TEXT}</article></body></html>"""


def test_explain_names_candidates_winner_and_rule() -> None:
    out = explain(PAGE, URL)
    fields = out["fields"]
    assert out["record"]["title"] == fields["title"]["value"] == "Neue Brücke in Essen"
    assert out["record"]["kicker"] == "Verkehr"
    title = fields["title"]
    assert title["layer"] == "fallback" and "metadata headline confirms" in title["why"]
    sources = {(c["layer"], c["source"]) for c in title["candidates"]}
    assert {("opengraph", "og:title"), ("jsonld", "headline"), ("fallback", "<title>")} <= sources
    h1 = next(c for c in title["candidates"] if c["source"].startswith("<h1>"))
    assert h1["value"] == "Neue Brücke in Essen" and "kicker 'Verkehr' apart" in h1["source"]
    og = next(c for c in title["candidates"] if c["source"] == "og:title")
    assert og["cleaned"] == "Brücke gesperrt: Was Pendler jetzt wissen müssen"

    authors = fields["authors"]
    assert authors["value"] == ["Anna Beispiel"] and authors["layer"] == "fallback"
    assert "brand or publisher" in authors["why"]
    jsonld = next(c for c in authors["candidates"] if c["layer"] == "jsonld")
    assert jsonld["value"] == ["Example Zeitung"] and jsonld["brand"] == ["Example Zeitung"]

    published = fields["published"]
    assert published["value"] == "2024-04-26T10:00:00+02:00" and published["layer"] == "opengraph"
    assert any(c["source"] == "meta article:published_time" for c in published["candidates"])

    body = fields["body"]
    assert body["layer"] == "fallback" and "densest text container <article" in body["why"]

    text = render(out)
    assert "title: 'Neue Brücke in Essen'" in text and "  * fallback   <h1>" in text
    assert "(brand/publisher: Example Zeitung)" in text


def test_explain_with_site_selectors() -> None:
    selectors = SiteSelectors(title="h1", authors=".byline", title_order=("jsonld",))
    fields = explain(PAGE, URL, selectors)["fields"]
    assert fields["title"]["layer"] == "selectors" and fields["title"]["value"] == "Neue Brücke in Essen"
    assert fields["title"]["candidates"][0] == {
        "layer": "selectors", "source": "h1", "value": "Neue Brücke in Essen", "cleaned":
        "Neue Brücke in Essen"}  # fmt: skip
    assert fields["authors"]["why"] == "the site file's authors selector matched"


def test_explain_empty_page() -> None:
    assert explain("", URL)["fields"] == {}


def test_cli_extract_explain(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    text = cli("extract", str(page), "--url", URL, "--explain", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("site file: none (generic layers only)\ntitle: ")
    assert "chosen: fallback (a person printed on the page wins" in text.stdout
    as_json = cli("extract", str(page), "--url", URL, "--explain", "--json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["site"] is None and set(data["fields"]) == {"title", "authors", "published", "body"}
    helped = cli("extract", "--help", cwd=tmp_path)
    assert "--explain" in helped.stdout
