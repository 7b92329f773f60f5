"""reextract end to end: a site file that extracts badly, fixed later, and its articles extracted again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec
from crawler.demo.server import MirrorServer
from crawler.demo.synthetic import build_synthetic_mirror
from crawler.extract import EXTRACTOR_VERSION
from crawler.sites import site_classes
from pipelines.archive.reader import open_archive
from pipelines.state import open_state
from tests.clirun import FAST

SITE = "ndr"
#: runs the CLI with the site file broken: its body selectors pick the page's headings only
BROKEN = (
    "import sys; from crawler.extract import SiteSelectors; from crawler.sites import site_classes; "
    f"site_classes()[{SITE!r}].selectors = SiteSelectors(body='body', paragraphs='h1, h2'); "
    "from crawler.cli import main; sys.exit(main(sys.argv[1:]))"
)
SCHEMA = json.loads((Path(__file__).parents[1] / "pipelines" / "archive" / "schema.json").read_text())


def run(*args: str, cwd: Path, broken: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    command = ["-c", BROKEN] if broken else ["-m", "crawler.cli"]
    return subprocess.run(
        [sys.executable, *command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def raw_files(archive: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(archive)): p.read_bytes()
        for p in sorted((archive / "v1" / "raw").rglob("*.warc.gz"))
    }


def test_reextract_after_the_site_file_is_fixed(tmp_path: Path) -> None:
    mirror = build_synthetic_mirror([SiteSpec.from_spider(site_classes()[SITE])], fixtures_dir(), per_site=4)
    archive = tmp_path / "archive"
    with MirrorServer(mirror) as server:
        crawl = run("crawl", SITE, "--mirror", server.url, *FAST, cwd=tmp_path, broken=True)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-3000:]
    first = {r["id"]: r for r in open_archive(str(archive)).records()}
    assert len(first) == 4
    assert all(
        r["extractor"]["method"] == "selectors" and "Dawidowski" not in r["body"] for r in first.values()
    )
    raw_before = raw_files(archive)
    assert raw_before

    # the site file is fixed (the subprocess runs the real one): every article gets a new revision
    proc = run("reextract", "--archive", str(archive), "--site", SITE, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "4 record(s) read, 4 new revision(s), 0 unchanged" in proc.stdout, proc.stdout
    latest = list(open_archive(str(archive)).records(latest=True))
    assert len(latest) == 4
    for record in latest:
        old = first[record["id"]]
        jsonschema.validate(record, SCHEMA)
        assert (
            record["revision"] == 2
            and record["previous_hash"] == old["content_hash"] != record["content_hash"]
        )
        assert (record["url"], record["canonical_url"], record["crawled_at"]) == (
            old["url"],
            old["canonical_url"],
            old["crawled_at"],
        )
        assert "Dawidowski" in record["body"] and len(record["body"]) > len(old["body"])
        assert (
            record["extractor"]["method"] != "selectors"
            and record["extractor"]["version"] == EXTRACTOR_VERSION
        )
        assert record["extractor"]["reextracted_at"]
        assert record["raw"] == old["raw"], "the new record points at the original raw response"
    assert raw_files(archive) == raw_before, "no raw response is written again"
    html = open_archive(str(archive)).read_payload(latest[0])
    assert b"<html" in html.lower()

    store = open_state(str(tmp_path / "archive.state.sqlite"))
    try:
        entries = [store.get(r["canonical_url"]) for r in latest]
    finally:
        store.close()
    assert all(e is not None and e.revision == 2 and e.etag for e in entries), entries

    # nothing changed since: nothing new; a day after today: nothing read
    again = run("reextract", "--archive", str(archive), "--site", SITE, cwd=tmp_path)
    assert again.returncode == 0 and "0 new revision(s), 4 unchanged" in again.stdout, again.stdout
    later = run("reextract", "--archive", str(archive), "--site", SITE, "--from", "2999-01-01", cwd=tmp_path)
    assert later.returncode == 0 and "0 record(s) read" in later.stdout, later.stdout
    assert len(list(open_archive(str(archive)).records())) == 8

    # the validators were kept: a recheck of the unchanged pages is answered 304, nothing is archived
    with MirrorServer(mirror) as server:
        recheck = run("crawl", SITE, "--mirror", server.url, *FAST, "--recheck", cwd=tmp_path)
    assert recheck.returncode == 0, recheck.stdout + recheck.stderr[-3000:]
    assert "'newsarchive/not_modified': 4" in recheck.stderr
    assert len(list(open_archive(str(archive)).records())) == 8

    bad = run("reextract", "--archive", str(archive), "--site", "nosuchsite", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown site" in bad.stderr and "Traceback" not in bad.stderr
    bad_date = run(
        "reextract", "--archive", str(archive), "--site", SITE, "--from", "yesterday", cwd=tmp_path
    )
    assert bad_date.returncode == 2 and "Traceback" not in bad_date.stderr
