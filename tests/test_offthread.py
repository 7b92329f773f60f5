"""Extraction off the crawl thread (EXTRACT_WORKERS) and the raw WARC parts' compression."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.defaults import extract_workers as default_workers
from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror, load_fixtures
from crawler.demo.server import MirrorServer
from crawler.extract import decode_html, extract
from crawler.offthread import extract_page, process_page
from crawler.sites import site_classes
from pipelines.archive.warc import WARC_GZIP_LEVEL, WarcPart, exchange_records, gzip_member
from pipelines.cluster import signature
from pipelines.precompute import matching_warc, precompute
from pipelines.text import clean_body, clean_text, content_hash
from tests.clirun import FAST

SITES = ["braunschweiger_zeitung", "ndr"]
# fields that differ between two runs of the same crawl
VOLATILE = {"crawled_at", "raw"}


def test_extract_page_is_extract_of_the_decoded_page() -> None:
    classes = site_classes()
    for site in SITES:
        for article in load_fixtures(site, fixtures_dir()):
            selectors = classes[site].selectors
            assert extract_page(article.page, None, article.url, selectors) == extract(
                decode_html(article.page, None), article.url, selectors
            )


def test_default_workers_leaves_the_crawl_a_core() -> None:
    assert 1 <= default_workers() <= 4
    assert default_workers() == max(1, min(4, (os.cpu_count() or 2) - 1))


def _exchange(body: bytes) -> dict[str, Any]:
    return {
        "url": "https://example.org/a",
        "status": 200,
        "headers": [["Content-Type", "text/html"], ["Content-Encoding", "gzip"]],
        "body": body,
        "fetched_at": "2026-01-02T03:04:05+00:00",
        "request_headers": [["User-Agent", "newsarchive-test"]],
    }


def test_warc_part_is_one_gzip_member_per_record_at_its_level() -> None:
    part = WarcPart("x.warc.gz", "test")
    body = b"<html><body>" + b"<p>Text</p>" * 500 + b"</body></html>"
    offset, length, record_id = part.add(_exchange(body), "")
    data = part.getvalue()
    member = data[offset : offset + length]
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")
    # ISA-L at the same level gives the same compressed size: the member was written at WARC_GZIP_LEVEL
    plain = gzip.decompress(member)
    assert len(gzip_member(plain, WARC_GZIP_LEVEL)) == length
    assert len(gzip_member(plain, 0)) != length
    records = [
        (r.rec_type, r.rec_headers.get_header("WARC-Record-ID")) for r in ArchiveIterator(io.BytesIO(data))
    ]
    assert [t for t, _ in records] == ["warcinfo", "response", "request"]
    assert records[1][1] == record_id
    response = next(r for r in ArchiveIterator(io.BytesIO(member)))
    assert response.content_stream().read() == body
    # zlib (and so Python's gzip module) reads every member
    assert gzip.decompress(data).count(b"WARC/1.1\r\n") == 3


def test_exchange_records_built_apart_are_what_the_part_writes() -> None:
    body = (
        "<html><body><h1>Überschrift</h1>".encode() + b"<p>Text und mehr Text</p>" * 300 + b"</body></html>"
    )
    raw = _exchange(body)
    built = exchange_records(raw)
    part = WarcPart("x.warc.gz", "test")
    offset, length, record_id = part.append(built)
    direct = WarcPart("y.warc.gz", "test")
    direct.add(raw, "")
    data = part.getvalue()
    assert (length, record_id) == (len(built.response), built.record_id)
    # warcio verifies the block and payload digests the worker computed ("raise": a mismatch is an error)
    for checked in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        checked.content_stream().read()
    ours = list(ArchiveIterator(io.BytesIO(data)))
    theirs = list(ArchiveIterator(io.BytesIO(direct.getvalue())))
    assert [r.rec_type for r in ours] == [r.rec_type for r in theirs] == ["warcinfo", "response", "request"]
    record = next(iter(ArchiveIterator(io.BytesIO(data[offset : offset + length]))))
    assert record.rec_headers.get_header("WARC-Record-ID") == record_id
    assert record.rec_headers.get_header("WARC-Date") == "2026-01-02T03:04:05.000000Z"
    assert record.rec_headers.get_header("WARC-Payload-Digest") == (
        "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
    )
    assert record.http_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert record.content_stream().read() == body
    request = next(iter(ArchiveIterator(io.BytesIO(data[offset + length :]))))
    assert request.rec_type == "request"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == record_id
    assert request.http_headers.get_header("User-Agent") == "newsarchive-test"


def test_process_page_computes_what_the_pipelines_would() -> None:
    classes = site_classes()
    for site in SITES:
        selectors = classes[site].selectors
        for article in load_fixtures(site, fixtures_dir()):
            exchange = {k: v for k, v in _exchange(article.page).items() if k != "body"}
            exchange["url"] = article.url
            fields, pre = process_page(article.page, None, article.url, selectors, exchange)
            assert fields == extract_page(article.page, None, article.url, selectors)
            title, body = clean_text(fields["title"]), clean_body(fields["body"])
            assert (pre.title, pre.body) == (title, body)
            assert pre.content_hash == content_hash(title, body)
            expected = signature(body)
            assert expected is not None and pre.signature is not None
            assert (pre.signature.values == expected.values).all() and pre.signature.size == expected.size
            assert pre.warc is not None and pre.body_length == len(article.page)
            record = next(iter(ArchiveIterator(io.BytesIO(pre.warc.response))))
            assert record.rec_headers.get_header("WARC-Target-URI") == article.url
            assert record.content_stream().read() == article.page


def test_pipelines_take_precomputed_values_only_when_they_match() -> None:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from pipelines.normalise import NormalisePipeline

    class SiteSpider(Spider):
        name = "test"

    words = " ".join(f"wort{i}" for i in range(60))
    fields = {"title": "Titel &amp; mehr", "body": f"Absatz eins {words}\n\nAbsatz zwei"}
    pre = precompute(fields, None)
    normalise = NormalisePipeline.from_crawler(get_crawler(SiteSpider))
    url = "https://www.example.de/a.html"
    taken = normalise.process_item({**fields, "url": url, "precomputed": pre})
    assert taken["content_hash"] == pre.content_hash == content_hash("Titel & mehr", taken["body"])
    # a hook changed the body or the title after extraction: the precomputed values are not taken
    changed = normalise.process_item({**fields, "body": "Anderer  Text", "url": url, "precomputed": pre})
    assert (changed["body"], changed["content_hash"]) == (
        "Anderer Text",
        content_hash("Titel & mehr", "Anderer Text"),
    )
    retitled = normalise.process_item({**fields, "title": "Neu", "url": url, "precomputed": pre})
    assert retitled["content_hash"] == content_hash("Neu", taken["body"])
    # for the extracted text they name, the values are taken as they are (this one shows that they are used)
    forged = replace(pre, content_hash="sha256:" + "0" * 64, body="Fremder Text")
    taken_forged = normalise.process_item({**fields, "url": url, "precomputed": forged})
    assert (taken_forged["body"], taken_forged["content_hash"]) == ("Fremder Text", forged.content_hash)
    raw = _exchange(b"<html>x</html>")
    with_warc = precompute(fields, raw)
    assert matching_warc({"precomputed": with_warc}, raw) is with_warc.warc
    assert matching_warc({"precomputed": with_warc}, {**raw, "url": "https://example.org/b"}) is None
    assert matching_warc({"precomputed": with_warc}, {**raw, "body": b"<html>other</html>"}) is None
    assert matching_warc({}, raw) is None


def crawl(server: MirrorServer, archive: Path, workers: int) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    cmd = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        *SITES,
        "--mirror",
        server.url,
        "--archive",
        str(archive),
    ]
    cmd += [*FAST, "-s", f"EXTRACT_WORKERS={workers}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=archive.parent, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    read = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "read", "--archive", str(archive)],
        capture_output=True,
        text=True,
        cwd=archive.parent,
        env=env,
        timeout=300,
    )
    assert read.returncode == 0, read.stderr
    return [json.loads(line) for line in read.stdout.splitlines()]


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_archive_the_same_records_as_inline(tmp_path: Path, workers: int) -> None:
    classes = site_classes()
    mirror = build_mirror([SiteSpec.from_spider(classes[s]) for s in SITES], fixtures_dir())
    with MirrorServer(mirror) as server:
        (tmp_path / "inline").mkdir()
        (tmp_path / "pool").mkdir()
        inline = crawl(server, tmp_path / "inline" / "archive", 0)
        pooled = crawl(server, tmp_path / "pool" / "archive", workers)

    def by_url(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {r["url"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in records}

    assert inline
    assert by_url(pooled) == by_url(inline)
    assert len(pooled) == len(inline)


def test_cluster_pending_forgets_committed_articles(tmp_path: Path) -> None:
    """A long crawl keeps only uncommitted signatures in memory; committed ones are found in the store."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from pipelines import cluster
    from pipelines.cluster import ClusterPipeline
    from pipelines.state import SeenEntry, state_for
    from pipelines.text import article_id

    class SiteSpider(Spider):
        name = "test"

    def item(path: str, body: str) -> dict[str, Any]:
        url = f"https://www.example.de/{path}"
        content_hash = f"sha256:{abs(hash(body)):064x}"
        return {
            "id": article_id(url),
            "canonical_url": url,
            "site": "x",
            "body": body,
            "content_hash": content_hash,
        }

    words = [f"wort{i}" for i in range(400)]
    text = " ".join(words)
    cluster._PENDING.clear()
    crawler = get_crawler(SiteSpider, {"STATE_URI": f"sqlite:///{tmp_path}/state.sqlite"})
    pipeline = ClusterPipeline.from_crawler(crawler)
    store = state_for(crawler)
    try:
        first = pipeline.process_item(item("a.html", text))
        pipeline.process_item(item("b.html", " ".join(reversed(words))))
        store.mark_archived([SeenEntry(first["canonical_url"], first["id"], "x", first["content_hash"])])
        assert pipeline.prune() == cluster.BANDS  # a.html is committed: its bands are dropped
        assert {e.id for entries in pipeline.pending.values() for e in entries} == {
            article_id("https://www.example.de/b.html")
        }
        # the committed article is still found, through the store's index
        copy = pipeline.process_item(item("c.html", text + " Nachtrag."))
        assert copy["cluster"] == first["id"]
    finally:
        store.close()
        cluster._PENDING.clear()


def test_workers_leave_when_the_crawl_process_is_killed() -> None:
    script = (
        "import sys, time\n"
        "from twisted.internet import defer, reactor\n"
        "from crawler.offthread import ExtractPool\n"
        "pool = ExtractPool(1)\n"
        "async def main():\n"
        "    await pool.process(b'<html><h1>x</h1></html>', None, 'https://example.org/', None, {})\n"
        "    print(*pool.pids, flush=True)\n"
        "defer.ensureDeferred(main())\n"
        "reactor.run()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        assert proc.stdout is not None
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        assert workers
        proc.kill()
        proc.wait(timeout=10)
    deadline = time.monotonic() + 15
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if _running(pid)]
    assert not alive, f"worker(s) {alive} outlived the killed crawl"


POOL_SCRIPT = """
import json, os, signal, sys, threading
from twisted.internet import defer, task
from crawler.demo import fixtures_dir
from crawler.demo.mirror import load_fixtures
from crawler.offthread import ExtractPool, WorkerLost, process_page

async def main(reactor):
    pages = [(a.page, a.url) for a in load_fixtures("ndr", fixtures_dir())][:4]
    pool = ExtractPool(2)
    out = {"threads": [], "same": [], "lost": None}
    async def one(body, url):
        fields, pre = await pool.process(body, None, url, None, {"url": url, "status": 200, "headers": []})
        ref_fields, ref_pre = process_page(body, None, url, None, {"url": url, "status": 200, "headers": []})
        same = fields == ref_fields and (pre is None) == (ref_pre is None)
        if pre is not None:
            same = same and (pre.content_hash, pre.warc.response[:0], pre.body_length) == (
                ref_pre.content_hash, b"", ref_pre.body_length)
            same = same and bool((pre.signature is None) == (ref_pre.signature is None))
        out["same"].append(same)
        out["threads"].append(threading.active_count())
    await defer.gatherResults([defer.ensureDeferred(one(b, u)) for b, u in pages * 2])
    first = sorted(pool.pids)
    os.kill(first[0], signal.SIGKILL)
    await task.deferLater(reactor, 0.5, lambda: None)
    await defer.gatherResults([defer.ensureDeferred(one(b, u)) for b, u in pages])
    out["replaced"] = first[0] not in pool.pids and len(pool.pids) == 2
    pids = pool.pids
    pool.close()
    out["children_left"] = [p for p in pids if os.path.exists(f"/proc/{p}") and
                            open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]
    try:
        await pool.process(b"<html></html>", None, "https://example.org/", None, {})
    except WorkerLost as exc:
        out["lost"] = str(exc)
    print("RESULT " + json.dumps(out), flush=True)

task.react(main)
"""


def test_pool_answers_as_inline_work_without_threads_and_replaces_a_dead_worker() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", POOL_SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stderr[-3000:]
    out = json.loads(lines[-1][7:])
    assert out["same"] and all(out["same"])
    # the reactor thread only: no feeder or management threads for the handoff
    assert set(out["threads"]) == {1}
    assert out["replaced"]
    assert out["children_left"] == []
    assert out["lost"] == "no extraction worker left"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
