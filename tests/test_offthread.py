"""Extraction off the crawl thread (EXTRACT_WORKERS) and the raw WARC parts' compression."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.defaults import extract_workers as default_workers
from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror, load_fixtures
from crawler.demo.server import MirrorServer
from crawler.extract import decode_html, extract
from crawler.offthread import extract_page
from crawler.sites import site_classes
from pipelines.archive.warc import WARC_GZIP_LEVEL, WarcPart
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


def test_warc_part_is_one_gzip_member_per_record_at_level_6() -> None:
    part = WarcPart("x.warc.gz", "test")
    body = b"<html><body>" + b"<p>Text</p>" * 500 + b"</body></html>"
    raw = {
        "url": "https://example.org/a",
        "status": 200,
        "headers": [["Content-Type", "text/html"]],
        "body": body,
    }
    offset, length, record_id = part.add(raw, "")
    data = part.getvalue()
    member = data[offset : offset + length]
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")
    # zlib at the same level gives the same compressed size: the member was written at WARC_GZIP_LEVEL
    plain = gzip.decompress(member)
    compressor = zlib.compressobj(WARC_GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    assert len(compressor.compress(plain) + compressor.flush()) == length
    records = [
        (r.rec_type, r.rec_headers.get_header("WARC-Record-ID")) for r in ArchiveIterator(io.BytesIO(data))
    ]
    assert [t for t, _ in records] == ["warcinfo", "response", "request"]
    assert records[1][1] == record_id
    response = next(r for r in ArchiveIterator(io.BytesIO(member)))
    assert response.content_stream().read() == body


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
        "from crawler.offthread import ExtractPool, extract_page\n"
        "pool = ExtractPool(1)\n"
        "pool.executor.submit(extract_page, b'<html><h1>x</h1></html>', None, 'https://example.org/', None).result()\n"
        "print(*pool.executor._processes, flush=True)\n"
        "time.sleep(60)\n"
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


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
