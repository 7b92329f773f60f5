"""Smoke test of scripts/bench_extract.py on a one-page corpus (no peer extractor needed)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_extract.py"

PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Neue Brücke eröffnet</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Neue Brücke eröffnet",
"datePublished": "2024-05-02T10:15:00+02:00", "author": {"@type": "Person", "name": "Anna Beispiel"}}</script>
</head><body><article><h1>Neue Brücke eröffnet</h1>
<p>Nach zwei Jahren Bauzeit ist die neue Brücke über die Oker am Donnerstag für den Verkehr
freigegeben worden.</p>
<p>Die Stadt rechnet mit deutlich weniger Staus in der Innenstadt und mit mehr Radverkehr auf der Strecke.</p>
</article></body></html>"""

EXPECTED = {
    "url": "https://www.example.de/lokales/neue-bruecke-eroeffnet.html",
    "title": "Neue Brücke eröffnet",
    "body": "Nach zwei Jahren Bauzeit ist die neue Brücke über die Oker am Donnerstag für den Verkehr "
    "freigegeben worden.\n\nDie Stadt rechnet mit deutlich weniger Staus in der Innenstadt und mit mehr "
    "Radverkehr auf der Strecke.",
    "authors": ["Anna Beispiel"],
    "published": "2024-05-02T10:15:00+02:00",
}


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_extract", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    case = tmp_path / "corpus" / "example"
    case.mkdir(parents=True)
    (case / "page.html").write_text(PAGE, encoding="utf-8")
    (case / "expected.json").write_text(json.dumps(EXPECTED, ensure_ascii=False), encoding="utf-8")
    return tmp_path / "corpus"


def test_rows_for_ours_a_failing_peer_and_a_missing_one(bench: ModuleType, corpus: Path) -> None:
    def failing() -> Any:
        def run(html: str | bytes, url: str, selectors: Any) -> dict[str, Any]:
            raise RuntimeError("boom")

        return run

    def missing() -> Any:
        raise ImportError("No module named 'nowhere'")

    contenders = [
        bench.CONTENDERS[0],
        bench.Contender("failing", None, failing),
        bench.Contender("missing", None, missing),
    ]
    report = bench.bench(corpus, contenders)
    ours, fails, gone = report["results"]
    assert report["pages"] == 1
    assert ours["status"] == "ok" and ours["body_f1"] > 0.9 and ours["title_exact"] == 1.0
    assert fails["status"] == "ok" and fails["raised"] == 2  # warm-up + timed call, both empty
    assert [fails[key] for key in bench.METRICS[:-2]] == [0.0, 0.0, 0.0, 0.0, 0.0]
    assert gone["status"] == "not installed"
    table = bench.markdown(report).splitlines()
    assert table[0] == (
        "| extractor | body_f1 | snippets | title_exact | authors_exact | published_exact | ms_per_page"
        " | cpu_ms_per_page |"
    )
    # no page gives snippets: that column is "–"
    assert table[2].startswith("| newsarchive ") and table[3].startswith("| failing | 0.000 | – |")
    assert table[4] == "| missing | not installed | – | – | – | – | – | – |"


def test_html_text_keeps_blocks_apart(bench: ModuleType) -> None:
    text = bench.html_text("<div><h2>Kopf</h2><p>Ein <b>fetter</b>Satz.</p><p>Zwei</p></div>")
    assert text == "Kopf\n\nEin fetterSatz.\n\nZwei"
