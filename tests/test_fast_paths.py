"""The faster forms of per-article work give what the reference forms give, byte for byte and bit for bit."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from w3lib.html import replace_entities

from crawler.demo import fixtures_dir
from crawler.demo.mirror import load_fixtures
from crawler.middlewares import HeadMetaRefreshMiddleware
from pipelines.archive.record import build_record, dumps, dumps_json
from pipelines.cluster import NUM_PERM, SEED, minhash, shingles, signature
from pipelines.text import canonical, clean_body, clean_text

WORDS = [
    "Die",
    "Stadt",
    "hat",
    "am",
    "Montag",
    "über",
    "den",
    "Haushalt",
    "für",
    "2027",
    "beraten",
    "Bürgermeisterin",
    "Müller",
    "sagte",
]


def _texts() -> list[str]:
    rng = random.Random(7)
    texts = [" ".join(rng.choice(WORDS) for _ in range(n)) for n in (0, 3, 14, 50, 400, 2000)]
    for article in load_fixtures("ndr", fixtures_dir()):
        texts.append(article.page.decode("utf-8", "replace"))
    return texts


def test_minhash_is_datasketchs_bit_for_bit() -> None:
    for text in _texts():
        grams = shingles(text)
        reference = MinHash(num_perm=NUM_PERM, seed=SEED)
        reference.update_batch(list(grams))
        ours = minhash(grams)
        assert ours.dtype == np.uint32
        assert np.array_equal(ours, np.asarray(reference.hashvalues, dtype=np.uint32)), text[:60]
    sig = signature(" ".join(WORDS * 3))
    assert sig is not None and sig.size == len(shingles(" ".join(WORDS * 3)))


def _records() -> list[dict[str, Any]]:
    base = build_record(
        {
            "id": "0123456789abcdef",
            "url": "https://www.example.de/a?x=1&y=ü",
            "title": 'Ein "Titel" mit \\ Backslash, Tab\tund\nZeilen, \x00\x1f\x7f, € und 😀',
            "body": "Absatz eins.\n\nAbsatz zwei mit </script> und \u2028 \u2029 \ufeff",
            "authors": ("Anna Muster", "Bernd Beispiel"),
            "keywords": {"eins"},
            "published": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "modified": datetime(2026, 1, 2, 3, 4, 5, 123456),
            "crawled_at": date(2026, 1, 2),
            "revision": 2**40,
            "paywalled": True,
            "raw": {
                "part": "raw/x.warc.gz",
                "offset": 0,
                "length": 12,
                "nested": [1, 2.5, None, b"bytes\xff"],
            },
        }
    )
    return [base, build_record({"id": "x"}), {"n": -(2**63)}, {"big": 2**70}, {1: "non-str key"}]


def test_orjson_records_are_the_json_modules_byte_for_byte() -> None:
    for record in _records():
        assert dumps(record) == dumps_json(record)
    # and they read back as the same JSON
    assert json.loads(dumps(_records()[0]))["published"] == "2026-01-02T03:04:05+00:00"


def _clean_text_reference(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(replace_entities(str(value)).translate(_TABLE).split())
    return text or None


_TABLE = dict.fromkeys(map(ord, "\u200b\ufeff\u00ad"))


def _clean_body_reference(value: object) -> str:
    import re

    if not value:
        return ""
    text = replace_entities(str(value)).translate(_TABLE).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in re.split(r"\n[^\S\n]*\n\s*", text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "  a  b ",
        "Müller &amp; Söhne &shy;Trenn\u00adung &#8203;x\u200by \ufeffz & Co",
        "eins\r\n\r\nzwei\rdrei\n \n\n vier  ",
        "&",
        "&amp;shy;",
        42,
    ],
)
def test_clean_text_and_body_are_what_they_were(value: object) -> None:
    assert clean_text(value) == _clean_text_reference(value)
    assert clean_body(value) == _clean_body_reference(value)


def test_clean_body_on_pages() -> None:
    for text in _texts():
        assert clean_body(text) == _clean_body_reference(text)
        assert clean_text(text) == _clean_text_reference(text)


def test_canonical_is_cached_and_the_same() -> None:
    url = "https://m.example.de/amp/politik/artikel.html?utm_source=x&b=2&a=1#top"
    canonical.cache_clear()
    first = canonical(url)
    assert first == "https://www.example.de/politik/artikel.html?a=1&b=2"
    assert canonical(url) is first
    assert canonical.cache_info().hits == 1


HEAD_PAGES = [
    b'<html><head><meta http-equiv="refresh" content="0; url=/neu.html"></head><body>x</body></html>',
    b'<html><head><base href="https://cdn.example.de/b/"><meta http-equiv="Refresh" content="3;URL=c.html">',
    b'<html><head><meta http-equiv="refresh" content="500; url=/spaet.html"></head></html>',
    b"<html><head><noscript><meta http-equiv='refresh' content='0;url=/js'></noscript></head></html>",
    b'<html><head><meta charset="iso-8859-1"><meta http-equiv="refresh" content="0;url=/m\xfcnchen"></head>',
    b"<html><head><title>no refresh</title></head><body>"
    + "<p>Grüße</p>".encode() * 3000
    + b"</body></html>",
    b"<html><head>" + b"<!-- padding -->" * 400 + b'<meta http-equiv="refresh" content="0;url=/late"></head>',
]


@pytest.mark.parametrize("page", HEAD_PAGES)
def test_head_meta_refresh_redirects_as_scrapys_does(page: bytes) -> None:
    crawler = get_crawler(settings_dict={"METAREFRESH_ENABLED": True})
    theirs, ours = (
        MetaRefreshMiddleware.from_crawler(crawler),
        HeadMetaRefreshMiddleware.from_crawler(crawler),
    )
    request = Request("https://www.example.de/alt.html")

    def response() -> HtmlResponse:
        return HtmlResponse(request.url, body=page, request=request)

    expected = theirs.process_response(request, response())
    got = ours.process_response(request, response())
    if isinstance(expected, Request):
        assert isinstance(got, Request) and got.url == expected.url
    else:
        assert isinstance(got, HtmlResponse) and got.body == page


def test_head_meta_refresh_does_not_decode_the_whole_body() -> None:
    crawler = get_crawler(settings_dict={"METAREFRESH_ENABLED": True})
    middleware = HeadMetaRefreshMiddleware.from_crawler(crawler)
    request = Request("https://www.example.de/a.html")
    response = HtmlResponse(request.url, body=HEAD_PAGES[5], request=request)
    assert middleware.process_response(request, response) is response
    assert getattr(response, "_cached_ubody", None) is None  # response.text was never built


def test_gc_tuning_freezes_once_and_sets_the_threshold() -> None:
    frozen = gc.get_freeze_count()
    script = (
        "import gc\n"
        "from crawler.gctune import tune\n"
        "before = gc.get_threshold()\n"
        "assert tune(12345) is True\n"
        "assert gc.get_freeze_count() > 1000\n"
        "assert gc.get_threshold() == (12345, before[1], before[2])\n"
        "assert tune(999) is False and gc.get_threshold()[0] == 12345\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "ok"
    assert gc.get_freeze_count() == frozen  # this process was not touched


def test_gc_tuning_is_an_extension_that_gc_tune_false_turns_off() -> None:
    from scrapy.exceptions import NotConfigured

    from crawler.gctune import GcTuning

    with pytest.raises(NotConfigured):
        GcTuning.from_crawler(get_crawler(settings_dict={"GC_TUNE": False}))
    ext = GcTuning.from_crawler(get_crawler(settings_dict={"GC_THRESHOLD": 777}))
    assert ext.threshold == 777
