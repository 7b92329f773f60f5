"""Evaluation scoring functions and the corpus runner (on a tiny generated corpus)."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from crawler.evaluate import (
    authors_match,
    date_match,
    evaluate,
    kicker_match,
    own_names,
    snippet_checks,
    title_match,
    token_f1,
)


def test_token_f1() -> None:
    assert token_f1("a b c", "a b c") == 1.0
    assert token_f1("A b\n\nc", "c  B a") == 1.0  # lower-case, whitespace-split, order ignored
    assert token_f1("a a b", "a b") == pytest.approx(2 * 1.0 * (2 / 3) / (1.0 + 2 / 3))  # multisets
    assert token_f1("a b", "") == 0.0
    assert token_f1("", "a") == 0.0
    assert token_f1(None, None) == 0.0
    assert token_f1("a b", "c d") == 0.0


def test_title_match() -> None:
    assert title_match("Ein  Titel ", "Ein Titel")
    assert not title_match("Ein Titel", "Ein anderer Titel")
    assert not title_match("Ein Titel", None)


def test_title_match_with_the_kicker_apart_and_invisible_characters() -> None:
    # an expected record of the older convention ("Kicker: Headline") matches the headline with its kicker
    assert title_match("Wetter: Sturm an der Küste", "Sturm an der Küste", "Wetter")
    assert not title_match("Wetter: Sturm an der Küste", "Sturm an der Küste")
    assert not title_match("Wetter: Sturm an der Küste", "Sturm an der Küste", "Klima")
    assert title_match("Ein bisschen Fortschritt\u200b", "Ein bisschen Fort\u00adschritt")
    assert title_match('Sie sagt "Nein"', "Sie sagt „Nein“") and not title_match(
        "Sie sagt Nein", "Sie sagt „Nein“"
    )
    assert kicker_match(None, None) and kicker_match("Wetter ", "Wetter") and not kicker_match("Wetter", None)


def test_snippets_and_a_day_alone() -> None:
    expected = {"body_with": ["erste Zeile", "zweite  Zeile"], "body_without": ["Impressum"]}
    assert snippet_checks(expected, "Die erste Zeile.\n\nDie zweite Zeile.") == [True, True, True]
    assert snippet_checks(expected, "Die erste Zeile. Impressum") == [True, False, False]
    assert date_match("2020-01-20", "2020-01-20T23:30:00-05:00")
    assert not date_match("2020-01-20", "2020-01-21T00:30:00+01:00")


def test_authors_match_takes_the_sites_own_name_as_no_author() -> None:
    own = own_names("https://www.ndr.de/nachrichten/a.html", {"site_publisher": "Norddeutscher Rundfunk"})
    assert own("ndr.de") and own("NDR Info") and not own("Anna Beispiel") and not own("dpa")
    assert authors_match(["ndr.de"], [], own) and not authors_match(["ndr.de"], [])
    assert authors_match(["Anna Beispiel", "NDR Info"], ["Anna Beispiel"], own)
    assert not authors_match(["Anna Beispiel"], [], own)  # a person expected, nobody found


def test_authors_match_is_a_set_comparison() -> None:
    assert authors_match(["A B", "C D"], ["C D", "A  B"])
    assert not authors_match(["A B"], ["A B", "C D"])
    assert not authors_match(["A B"], None)


def test_date_match_to_the_minute_with_berlin_for_naive() -> None:
    assert date_match("2024-04-25T14:07:00", "2024-04-25T12:07:59+00:00")  # CEST = UTC+2
    assert date_match("2024-01-05T08:00:00+00:00", "2024-01-05T09:00:30+01:00")
    assert not date_match("2024-01-05T08:00:00+00:00", "2024-01-05T08:01:00+00:00")
    assert not date_match("2024-01-05", None)
    assert not date_match("2024-01-05", "kein Datum")


def _write(corpus: Path, name: str, html: str, expected: dict[str, Any], packed: bool = False) -> None:
    page = corpus / name
    page.mkdir(parents=True)
    if packed:
        (page / "page.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
    else:
        (page / "page.html").write_text(html, encoding="utf-8")
    (page / "expected.json").write_text(json.dumps(expected), encoding="utf-8")


TEXT = " ".join(["Ein Satz mit Inhalt, der lang genug für einen echten Absatz im Artikel ist."] * 3)
TEXT2 = "Ein zweiter Absatz, auch er lang genug, damit die Seite als Artikel mit Text durchgeht."


def test_evaluate_small_corpus(tmp_path: Path) -> None:
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Titel",'
        ' "author": {"name": "Anna B"}, "datePublished": "2024-04-25T14:07:00+02:00"}</script></head>'
        f"<body><article><h1>Titel</h1><p>{TEXT}</p><p>{TEXT2}</p></article></body></html>"
    )
    url = "https://example.de/a"
    _write(tmp_path, "a", html, {"url": url, "title": "Titel", "body": f"{TEXT}\n\n{TEXT2}",
                                 "authors": ["Anna B"], "published": "2024-04-25T14:07:00"})  # fmt: skip
    _write(tmp_path, "b", html, {"url": url, "body": "völlig fremde wörter", "authors": []}, packed=True)
    _write(tmp_path, "c", "", {"url": url, "title": "Leer", "body": "etwas"})
    (tmp_path / "not-a-page").mkdir()
    out = io.StringIO()
    seen: list[str] = []
    scores = evaluate(tmp_path, records_out=out, progress=lambda i, n, name: seen.append(f"{i}/{n} {name}"))
    assert scores["pages"] == 3
    assert scores["body_f1"] == pytest.approx(1 / 3, abs=0.01)
    assert scores["title_exact"] == 0.5  # pages a and c have a title
    assert scores["authors_exact"] == 1.0  # only page a has authors
    assert scores["published_exact"] == 1.0
    assert scores["ms_per_page"] >= 0
    assert (scores["title_pages"], scores["authors_pages"], scores["published_pages"]) == (2, 1, 1)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["dir"] for line in lines] == ["a", "b", "c"]
    assert lines[0]["record"]["title"] == "Titel"
    assert seen == ["1/3 a", "2/3 b", "3/3 c"]


def test_evaluate_passes_site_selectors(tmp_path: Path) -> None:
    from crawler.extract import SiteSelectors

    html = (
        f"<html><body><h1>Falsch</h1><h2 class='t'>Richtig</h2><article><p>{TEXT}</p></article></body></html>"
    )
    _write(tmp_path, "a", html, {"url": "https://example.de/a", "title": "Richtig", "body": TEXT})
    assert evaluate(tmp_path)["title_exact"] == 0.0
    assert evaluate(tmp_path, selectors_for=lambda url: SiteSelectors(title="h2.t"))["title_exact"] == 1.0


def test_eval_scores_a_scope_without_selectors_as_a_site_given_by_url_gets_it(tmp_path: Path) -> None:
    from tests.clirun import cli

    # og:title is a social variant of the printed headline: with or without a site file, the printed one
    html = (
        '<html><head><meta property="og:title" content="Sozial">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Richtig"}</script></head>'
        f"<body><article><h1>Richtig</h1><p>{TEXT}</p><p>{TEXT2}</p></article></body></html>"
    )
    url = "https://www.ndr.de/nachrichten/a,richtig-100.html"
    _write(tmp_path / "corpus", "a", html, {"url": url, "title": "Richtig", "body": f"{TEXT}\n\n{TEXT2}"})
    _write(tmp_path / "corpus", "b", "", {"url": url, "title": "Leer", "body": "etwas"})
    index = {"pages": [{"dir": "a", "scope": "regional"}, {"dir": "b", "scope": "national"}]}
    (tmp_path / "corpus" / "index.json").write_text(json.dumps(index), encoding="utf-8")

    def scores(*extra: str) -> dict[str, Any]:
        proc = cli("eval", str(tmp_path / "corpus"), "--json", *extra, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return dict(json.loads(proc.stdout))

    assert scores("--scope", "regional")["title_exact"] == 1.0
    plain = scores("--scope", "regional", "--no-selectors")
    assert plain["pages"] == 1 and plain["title_exact"] == 1.0 and plain["body_f1"] == 1.0
    assert scores()["pages"] == 2
    proc = cli("eval", str(tmp_path), "--scope", "national", cwd=tmp_path)
    assert proc.returncode == 2 and "--scope needs" in proc.stderr


CORPUS = Path(os.environ.get("NEWSARCHIVE_EVAL_CORPUS", "/work/shared/corpus/de"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="evaluation corpus not available")
def test_evaluation_corpus_benchmark() -> None:
    scores = evaluate(CORPUS)
    assert scores["pages"] > 0
    assert scores["body_f1"] >= 0.95
    assert scores["authors_exact"] >= 0.85
    assert scores["published_exact"] >= 0.9
