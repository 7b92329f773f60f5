from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.items import Article
from pipelines.normalise import NormalisePipeline
from pipelines.text import canonical, clean_body, iso_date, pick_canonical, registrable_host
from tests.threats import observe


class SiteSpider(Spider):
    name = "ndr"


@pytest.fixture
def pipeline() -> NormalisePipeline:
    crawler = get_crawler(SiteSpider)
    crawler.spider = SiteSpider.from_crawler(crawler)
    return NormalisePipeline.from_crawler(crawler)


def article(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "url": "https://www.ndr.de/nachrichten/a-123.html?utm_source=rss&wt_mc=x",
        "site": "ndr",
        "title": "  Hochwasser&nbsp;an der\n Elbe &amp; Weser ",
        "lead": "Der Pegel\tsteigt.",
        "body": "  Erster  Absatz.\n\n\n   Zweiter\u00a0Absatz &quot;zitiert&quot;.  \n \n\nDritter. ",
        "authors": ["Anna  Muster", "anna muster", " ", "Ben &amp; Co"],
        "published": "2024-05-01T10:00:00",
        "modified": "2024-05-01T12:30:00+00:00",
    }
    base.update(fields)
    return base


def test_text_whitespace_and_entities(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(article())
    assert item["title"] == "Hochwasser an der Elbe & Weser"
    assert item["lead"] == "Der Pegel steigt."
    assert item["body"] == 'Erster Absatz.\n\nZweiter Absatz "zitiert".\n\nDritter.'
    assert item["authors"] == ["Anna Muster", "Ben & Co"]


def test_body_keeps_single_line_breaks_inside_a_paragraph() -> None:
    assert clean_body("a\r\n b \r\n\r\nc\u00ad\u200bd") == "a\nb\n\ncd"
    assert clean_body(None) == ""


def test_dates_are_tz_aware(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(article(published="2024-01-15T08:00:00"))
    assert item["published"] == "2024-01-15T08:00:00+01:00"  # naive -> Europe/Berlin (winter)
    assert item["modified"] == "2024-05-01T12:30:00+00:00"
    assert datetime.fromisoformat(item["crawled_at"]).utcoffset() is not None
    assert iso_date("2024-07-01 08:00") == "2024-07-01T08:00:00+02:00"  # summer time
    assert iso_date("2024-03-04") == "2024-03-04T00:00:00+01:00"  # ISO is never read day-first
    assert iso_date("04.03.2024 10:15") == "2024-03-04T10:15:00+01:00"  # German day-first
    assert iso_date("Mon, 06 May 2024 07:00:00 GMT") == "2024-05-06T07:00:00+00:00"
    assert iso_date("kein Datum") is None


def test_unparseable_date_is_dropped_and_counted(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(article(published="gestern"))
    assert item["published"] is None
    assert pipeline.stats.get_value("newsarchive/invalid_date") == 1


def test_tracking_parameters_and_fragment_dropped() -> None:
    url = "https://www.ndr.de/a.html?b=2&utm_medium=x&fbclid=1&gclid=2&WT_mc=3&mc_cid=4&mc_eid=5&a=1#top"
    assert canonical(url) == "https://www.ndr.de/a.html?a=1&b=2"
    assert canonical("https://www.ndr.de/a.html?utm_source=x") == "https://www.ndr.de/a.html"


def test_ids_and_hash(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(article())
    assert item["canonical_url"] == "https://www.ndr.de/nachrichten/a-123.html"
    assert item["id"] == hashlib.sha256(item["canonical_url"].encode()).hexdigest()[:16]
    expected = hashlib.sha256(f"{item['title']}\n\n{item['body']}".encode()).hexdigest()
    assert item["content_hash"] == "sha256:" + expected
    assert (item["schema_version"], item["revision"], item["aliases"]) == (1, 1, [])


def test_declared_canonical_on_same_site_is_used(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(article(canonical_url="https://ndr.de/nachrichten/a-123.html#x"))
    assert item["canonical_url"] == "https://ndr.de/nachrichten/a-123.html"
    assert item["aliases"] == ["https://www.ndr.de/nachrichten/a-123.html"]


def test_declared_canonical_off_site_is_ignored(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(article(canonical_url="https://www.spiegel.de/copy-of-a-123.html"))
    assert item["canonical_url"] == "https://www.ndr.de/nachrichten/a-123.html"
    assert item["aliases"] == []
    assert pipeline.stats.get_value("newsarchive/canonical_ignored") == 1
    assert pick_canonical("https://www.ndr.de/a", "javascript:alert(1)")[1] is False
    assert pipeline.stats.get_value("newsarchive/rejected/scheme") is None, "an https canonical elsewhere"


@pytest.mark.parametrize(
    "declared", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "ftp://ndr.de/a"]
)
def test_a_canonical_tag_of_another_scheme_is_dropped_and_counted(
    pipeline: NormalisePipeline, declared: str
) -> None:
    item = pipeline.process_item(
        article(canonical_url=declared, aliases=[declared, "https://ndr.de/nachrichten/a-123.html"])
    )
    assert item["canonical_url"] == "https://www.ndr.de/nachrichten/a-123.html"
    assert item["aliases"] == ["https://ndr.de/nachrichten/a-123.html"]
    assert pipeline.stats.get_value("newsarchive/rejected/scheme") == 2  # the canonical tag and the alias
    if declared.startswith("file:"):
        observe("scheme-canonical", f"canonical_url {item['canonical_url']}; newsarchive/rejected/scheme = 2")
    assert registrable_host("https://www.braunschweiger-zeitung.de/x") == "braunschweiger-zeitung.de"
    assert registrable_host("http://127.0.0.1:8800/x") == "127.0.0.1"


def test_empty_body_is_kept_and_counted(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(article(body="  \n\n "))
    assert item["body"] == ""
    assert pipeline.stats.get_value("newsarchive/empty_body") == 1


def test_works_with_the_scrapy_item(pipeline: NormalisePipeline) -> None:
    item = pipeline.process_item(Article(**article()))
    assert isinstance(item, Article)
    assert item["title"] == "Hochwasser an der Elbe & Weser"
    assert item["schema_version"] == 1


def test_amp_mobile_and_print_variants_get_the_article_id(pipeline: NormalisePipeline) -> None:
    plain = pipeline.process_item(article(url="https://www.ndr.de/nachrichten/a-123.html"))
    for url, declared in [
        ("https://www.ndr.de/nachrichten/a-123.amp.html?utm_source=x", None),
        ("https://m.ndr.de/nachrichten/a-123.html", None),
        ("https://www.ndr.de/nachrichten/a-123.html?print=1", "https://m.ndr.de/nachrichten/a-123.html"),
        ("https://www.ndr.de/amp/nachrichten/a-123.html", "/nachrichten/a-123.html?amp"),
    ]:
        item = pipeline.process_item(article(url=url, canonical_url=declared))
        assert (item["canonical_url"], item["id"]) == (plain["canonical_url"], plain["id"]), url
        assert item["url"] == url and item["aliases"] == []
