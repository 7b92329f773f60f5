"""``newsarchive report``: the HTML page's content, escaping, and that it renders cleanly in headless Chromium."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.report import build_report, collect, render
from pipelines.archive.layout import articles_key, commit_name, manifest_key, new_run_id
from pipelines.archive.reader import open_archive
from pipelines.storage import FileStorage
from tests.test_reading_support import article, sample_archive, write_run

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = '<script>alert("x")</script> & <b>'


def add_commit_with_stats(archive: Path) -> None:
    """A commit whose manifest carries crawl statistics (a key readers may or may not find)."""
    storage, run = FileStorage(archive), new_run_id()
    record = {**article(7, "mopo"), "id": "7" * 16, "revision": 3, "title": HOSTILE, "body": ""}
    data = gzip.compress(json.dumps(record).encode() + b"\n")
    key = articles_key("mopo", "2024-05-03", run, 0)
    storage.put(key, data)
    part = {"key": key, "kind": "articles", "site": "mopo", "date": "2024-05-03", "records": 1}
    commit = commit_name(run, 0)
    manifest = {
        "schema_version": 1,
        "commit": commit,
        "parts": [{**part, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}],
        "records": 1,
        "crawler": {"spider": "mopo"},
        "stats": {"newsarchive/archive_errors": 2, "log_count/ERROR": 5, "note": "text is ignored"},
    }
    storage.put(manifest_key(commit), json.dumps(manifest).encode())


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    archive = sample_archive(tmp_path)
    add_commit_with_stats(archive)
    return archive


def test_report_content(archive: Path) -> None:
    stats = collect(open_archive(str(archive)))
    assert (stats.commits, stats.records, stats.articles) == (4, 8, 7)
    assert stats.per_day[("ndr", "2024-05-02")] == 1 and stats.per_day[("ndr", "unknown")] == 1
    assert stats.revisions == 2 and sorted(r.revision for r in stats.revised.values()) == [2, 3]
    ((cluster, members),) = stats.syndicated()
    assert cluster == "c1" and {m.site for m in members} == {"ndr", "mopo"}
    assert stats.methods["ndr"] == {"jsonld": 3, "fallback": 1} and stats.methods["mopo"]["opengraph"] == 1
    assert stats.checks["ndr"]["empty body"] == 1 and stats.checks["mopo"]["empty body"] == 1
    assert stats.manifest_stats["mopo"]["stats/log_count/ERROR"] == 5
    # places: each article counted once, by its first record (the revision of ndr 2 is not counted again)
    assert stats.with_place == 3
    assert stats.district_main == {"03103": 1, "03151": 1, "02000": 1}
    assert stats.district_sites["02000"] == {"mopo"}

    page = render(stats, title="Report <of> things")
    assert HOSTILE not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<title>Report &lt;of&gt; things</title>" in page
    assert "Gifhorn (Landkreis)" in page and "Wolfsburg (kreisfreie Stadt)" in page
    for section in ("per-day", "revisions", "clusters", "places", "extraction", "errors"):
        assert f'id="{section}"' in page
    assert re.search(r'<svg id="chart" role="img" aria-label="[^"]+"', page)
    assert page.count('class="bar"') == 5  # one bar segment per (site, day) with dated articles
    assert "stats/newsarchive/archive_errors" in page and "ndr 1 r1" in page
    # self-contained: nothing is loaded from anywhere
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=", page)
    assert "default-src 'none'" in page


def test_report_of_an_empty_archive_and_without_manifest_stats(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    page = build_report(str(tmp_path / "empty"))
    assert 'id="chart"' in page and "No commits yet" in page
    write_run(tmp_path / "archive", [article(1, published=None)])
    page = build_report(str(tmp_path / "archive"))
    assert "carry no crawl statistics" in page and "without a publication date" in page


def test_report_command(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "report.html"
    assert main(["report", "--archive", str(archive), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["report", "--archive", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "cannot read the archive" in capsys.readouterr().err


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args, page.as_uri(),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def body_attrs(dom: str) -> dict[str, str]:
    match = re.search(r"<body([^>]*)>", dom)
    assert match, dom[:500]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (/usr/bin/chromium; make installs it)"
)
def test_report_renders_in_headless_chromium(archive: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["report", "--archive", str(archive), "--out", str(page)]) == 0
    done = chromium(page, tmp_path / "profile", "--dump-dom")
    attrs = body_attrs(done.stdout)
    assert attrs.get("data-ready") == "1", "the page's script did not run"
    assert attrs.get("data-errors") == "0", done.stderr
    assert int(attrs["data-bars"]) == 5
    assert '<svg id="chart"' in done.stdout
    assert not re.search(r"CONSOLE.*(Uncaught|Error)|Refused to", done.stderr), done.stderr
    shot = tmp_path / "report.png"
    chromium(page, tmp_path / "profile", "--window-size=1200,1400", f"--screenshot={shot}")
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000

    # the error capture works: the same page with a failing script and a blocked request reports them
    broken = tmp_path / "broken.html"
    text = page.read_text(encoding="utf-8")
    text = text.replace(
        "</body>", '<script>undefinedFunction();</script><img src="https://example.invalid/x.png"></body>'
    )
    broken.write_text(text, encoding="utf-8")
    attrs = body_attrs(chromium(broken, tmp_path / "profile", "--dump-dom").stdout)
    assert int(attrs["data-errors"]) >= 2
