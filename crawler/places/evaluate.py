"""Score the place tagger on a labelled set: precision and recall of ``place`` and common-word false places.

Two files (tests/fixtures/places/): ``sentences.jsonl``, written cases ({"id", "title", "lead", "body", "url",
"coverage", "section"?, "hints"?, "place": key or null, "not": [names that must not be among places]}; also
``heldout.jsonl``, cases written after the rules were fixed and never used to tune them), and
``pages.jsonl``, saved pages ({"page": "corpus:de/ndr" | "repo:PATH", "place": key or null}) extracted whole;
"corpus:" pages are read from a corpus directory given by the caller and skipped when it is missing.

precision: correct main places among the articles given one; recall: correct main places among the articles
labelled with one; a place is correct when its key equals the label (a municipality inside a labelled
district counts for it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.places.tagger import find_places


def _correct(got: str | None, want: str | None) -> bool:
    if got is None or want is None:
        return got == want
    return got == want or (len(want) == 5 and got.startswith(want))


def _page_fields(ref: str, repo: Path, corpus: Path | None) -> tuple[dict[str, Any], str, Any] | None:
    from crawler.evaluate import read_page
    from crawler.extract import extract
    from crawler.places.coverage import site_coverage
    from crawler.sites import site_for_url

    kind, _, rel = ref.partition(":")
    if kind == "corpus":
        if corpus is None or not (corpus / rel).is_dir():
            return None
        page_dir = corpus / rel
    else:
        page_dir = repo / rel
    expected = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
    html = read_page(page_dir)
    if html is None:
        return None
    url = str(expected.get("url") or "")
    site = site_for_url(url)
    coverage = site_coverage(site) if site else None
    return extract(html, url, site.selectors if site else None, coverage), url, coverage


def score(
    fixtures: Path,
    repo: Path,
    corpus: Path | None = None,
    sentences: str = "sentences.jsonl",
    pages: str | None = "pages.jsonl",
) -> dict[str, Any]:
    """Scores over the written cases of ``sentences`` and the saved pages of ``pages`` (None: none)."""
    rows: list[dict[str, Any]] = []
    for line in (fixtures / sentences).read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        places, place = find_places(
            case.get("title"), case.get("lead"), case.get("body"), case.get("url") or "",
            case.get("section"), case.get("hints"), case.get("coverage"),
        )  # fmt: skip
        rows.append({"id": case["id"], "want": case["place"], "got": place and place["ags"],
                     "names": [p["name"] for p in places], "not": case.get("not", [])})  # fmt: skip
    skipped = 0
    for line in (fixtures / pages).read_text(encoding="utf-8").splitlines() if pages else ():
        case = json.loads(line)
        found = _page_fields(case["page"], repo, corpus)
        if found is None:
            skipped += 1
            continue
        fields = found[0]
        rows.append({"id": case["page"], "want": case["place"], "got": fields["place"] and fields["place"]["ags"],
                     "names": [p["name"] for p in fields["places"]], "not": []})  # fmt: skip
    predicted = [r for r in rows if r["got"] is not None]
    labelled = [r for r in rows if r["want"] is not None]
    right = [r for r in predicted if _correct(r["got"], r["want"])]
    common = [f"{r['id']}: {name}" for r in rows for name in r["not"] if name in r["names"]]
    wrong = [
        f"{r['id']}: got {r['got']}, want {r['want']}" for r in rows if not _correct(r["got"], r["want"])
    ]
    return {
        "articles": len(rows),
        "labelled_with_place": len(labelled),
        "labelled_without_place": len(rows) - len(labelled),
        "pages_skipped": skipped,
        "precision": round(len(right) / len(predicted), 3) if predicted else 0.0,
        "recall": round(len(right) / len(labelled), 3) if labelled else 0.0,
        "common_word_false_places": len(common),
        "errors": wrong + [f"common word as a place: {c}" for c in common],
    }
