"""Every site's saved pages extract to their expected record (one parametrised test over all sites)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawler.demo import fixtures_dir
from crawler.evaluate import date_match, token_f1
from crawler.extract import extract
from crawler.sites import site_classes

CASES = sorted(fixtures_dir().glob("*/*/expected.json"))


def test_every_site_ships_a_saved_page() -> None:
    with_pages = {p.parent.parent.name for p in CASES}
    assert with_pages == set(site_classes())


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_saved_page_extracts_to_expected_record(case: Path) -> None:
    site = case.parent.parent.name
    expected = json.loads(case.read_text())
    html = gzip.decompress((case.parent / "page.html.gz").read_bytes())
    record = extract(html, expected["url"], site_classes()[site].selectors)
    assert " ".join(record["title"].split()) == " ".join(expected["title"].split())
    if "kicker" in expected:
        assert record["kicker"] == expected["kicker"]
    if expected.get("published"):
        assert date_match(expected["published"], record["published"])
    assert token_f1(expected["body"], record["body"]) >= 0.98
