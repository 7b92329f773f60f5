"""Every site's saved pages extract to their expected record (one parametrised test over all sites)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.demo import fixtures_dir
from crawler.extract import extract
from crawler.sites import site_classes

CASES = sorted(fixtures_dir().glob("*/*/expected.json"))


def body_f1(expected: str, got: str) -> float:
    a, b = Counter(expected.lower().split()), Counter(got.lower().split())
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(b.values()), common / sum(a.values())
    return 2 * precision * recall / (precision + recall)


def instant(value: str) -> datetime:
    """The instant to the minute, as `newsarchive eval` compares dates (naive values are Berlin time)."""
    parsed = datetime.fromisoformat(value)
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    return parsed.replace(second=0, microsecond=0)


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
    if expected.get("published"):
        assert record["published"] and instant(record["published"]) == instant(expected["published"])
    assert body_f1(expected["body"], record["body"]) >= 0.98
