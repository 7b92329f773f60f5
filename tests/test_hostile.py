"""Hostile input and faults: the crawl goes on, every bad resource is logged with a reason and counted, the
archive holds exactly the good articles, and nothing is written outside the archive and state roots.

With NEWSARCHIVE_RELIABILITY_JSON set, the observations are written there; scripts/reliability_report.py turns
them into docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pipelines.archive.reader import open_archive
from tests.hostile import CASES, CP1252, DISCOVERY, GOOD_RH, INTERNAL, MDR, RH, TIMEOUT, UMLAUTS, Hostile
from tests.threats import observe

SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_START_DELAY": "0",
    "DOWNLOAD_TIMEOUT": str(TIMEOUT),
    "RETRY_TIMES": "1",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Crawl:
    returncode: int
    stdout: str
    log: str
    stats: dict[str, dict[str, Any]]
    records: list[dict[str, Any]]
    requests: list[tuple[str, str, int]]
    root: Path
    before: set[str]
    after: set[str]


def tree(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*")}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    root = tmp_path_factory.mktemp("hostile")
    work = root / "work"
    work.mkdir()
    before = tree(root)
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    args = [sys.executable, "-m", "crawler.cli", "crawl", "mdr", "regionalheute", "--no-progress"]
    for name, value in {**SETTINGS, "NEWSARCHIVE_STATS_FILE": str(root / "stats.json")}.items():
        args += ["-s", f"{name}={value}"]
    with Hostile() as server:
        proc = subprocess.run(
            [*args, "--mirror", server.url], capture_output=True, text=True, cwd=work, env=env, timeout=300
        )
        requests = list(server.requests)
    stats = json.loads((root / "stats.json").read_text())
    (root / "stats.json").unlink()
    records = list(open_archive(str(work / "archive")).records())
    result = Crawl(
        proc.returncode, proc.stdout, proc.stderr, stats, records, requests, root, before, tree(root)
    )
    yield result
    out = os.environ.get("NEWSARCHIVE_RELIABILITY_JSON")
    if out:
        Path(out).write_text(json.dumps(observations(result), indent=1, ensure_ascii=False))


def url_of(path: str, host: str = MDR) -> str:
    return path if "://" in path else f"https://{host}{path}"


def log_lines(crawl: Crawl, needle: str) -> list[str]:
    return [line.split("] ", 1)[-1] for line in crawl.log.splitlines() if needle in line]


def hits(crawl: Crawl, path: str, host: str = MDR) -> int:
    return sum(1 for h, p, _ in crawl.requests if h == host and p.split("?")[0] == path.split("?")[0])


def test_the_crawl_goes_on_and_exits_0(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.stdout + crawl.log[-3000:]
    for site in ("mdr", "regionalheute"):
        assert "spider_exceptions/count" not in crawl.stats[site], "no callback of ours raised"
    # Scrapy's robots.txt middleware logs its download error with a traceback; no other traceback may appear
    robots_errors = sum(
        "[scrapy.downloadermiddlewares.robotstxt] ERROR" in line for line in crawl.log.splitlines()
    )
    assert crawl.log.count("Traceback") == robots_errors


def test_archive_holds_exactly_the_good_articles(crawl: Crawl) -> None:
    expected = {url_of(c.path) for c in CASES if c.archived} | {url_of(GOOD_RH, RH)}
    assert sorted(r["url"] for r in crawl.records) == sorted(expected)


@pytest.mark.parametrize(
    "name", ["good", "latin1-header", "cp1252-meta", "latin1-undeclared", "wrong-charset"]
)
def test_umlauts_come_out_as_a_reader_sees_them(crawl: Crawl, name: str) -> None:
    case = next(c for c in CASES if c.name == name)
    record = next(r for r in crawl.records if r["url"] == url_of(case.path))
    assert "Brückensanierung dauert länger" in record["title"]
    assert UMLAUTS in record["body"]
    if name in ("cp1252-meta", "wrong-charset"):
        assert CP1252 in record["body"]
    assert "\ufffd" not in record["body"] + record["title"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("malformed", "no article"),
        ("empty", "empty response"),
        ("binary", "binary body"),
        ("gzip-bomb", "exceeded DOWNLOAD_MAXSIZE"),
        ("brotli-bomb", "exceeded DOWNLOAD_MAXSIZE"),
        ("huge", "larger than download max size"),
        ("redirect-loop", "max redirections reached"),
        ("500", "Ignoring non-200 response"),
        ("slow", "took longer than"),
        ("reset", "cannot fetch"),
    ],
)
def test_bad_resources_are_logged_with_a_reason(crawl: Crawl, name: str, reason: str) -> None:
    case = next(c for c in CASES if c.name == name)
    lines = [line for line in log_lines(crawl, case.path) if "not archived" in line or "cannot fetch" in line]
    assert lines, f"no log line for {case.path}"
    assert any(reason in line for line in lines), lines


def test_bad_resources_are_counted(crawl: Crawl) -> None:
    mdr = crawl.stats["mdr"]
    assert mdr["newsarchive/rejected/empty response"] == 1
    assert mdr["newsarchive/rejected/binary body"] == 1
    assert mdr["newsarchive/rejected/no article"] == 1
    # huge, two bombs, redirect loop, 500, slow, reset
    assert mdr["newsarchive/fetch_errors"] == 7
    assert mdr["newsarchive/discovery_errors"] == 3  # HTML feed, billion laughs, XXE
    assert mdr["newsarchive/retry_after"] == 2  # 429 and 503 waited for
    assert mdr["newsarchive/robots_forbidden"] == 1
    assert mdr["newsarchive/archived"] == sum(c.archived for c in CASES)
    assert crawl.stats["regionalheute"]["newsarchive/archived"] == 1


def test_retry_after_is_honoured(crawl: Crawl) -> None:
    for name in ("429", "503"):
        case = next(c for c in CASES if c.name == name)
        assert hits(crawl, case.path) == 2, "one refusal, one retry"
        assert any("Retry-After 1.0 s" in line for line in log_lines(crawl, case.path))


def test_discovery_traps(crawl: Crawl) -> None:
    paths = [(h, p) for h, p, _ in crawl.requests]
    assert paths.count((MDR, "/news-sitemap.xml")) == 1, "a sitemap index listing itself is read once"
    assert not any("/etc/hostname" in line for line in crawl.log.splitlines() if "GET" in line)
    hostname = socket.gethostname()
    assert all(hostname not in json.dumps(r) for r in crawl.records), "nothing of the local file leaks"
    assert any("declares entities (refused)" in line for line in log_lines(crawl, "sitemap-lachen.xml"))
    assert any("an HTML page, not XML" in line for line in log_lines(crawl, "index-rss.xml"))
    pages = [p for h, p in paths if h == RH and p.startswith("/braunschweig/?seite=")]
    assert 1 <= len(pages) <= 4, "pagination followed SECTION_MAX_PAGES (5) deep, then stopped"
    assert not any("/kalender/" in p for h, p in paths), "calendar links are not articles"


def test_never_fetched(crawl: Crawl) -> None:
    for name in ("robots-disallowed", "other-host"):
        case = next(c for c in CASES if c.name == name)
        assert not any(p == urlsplit(url_of(case.path)).path for _, p, _ in crawl.requests), case.name
    assert not any(h == "www.example.org" for h, _, _ in crawl.requests)


def test_other_schemes_and_unmirrored_hosts_are_refused(crawl: Crawl) -> None:
    mdr = crawl.stats["mdr"]
    assert mdr["newsarchive/rejected/scheme"] == 2, "the file: sitemap entry and the redirect to file:"
    # the redirect target and its robots.txt, refused in the download handler before any DNS lookup
    assert mdr["newsarchive/rejected/address"] == 2
    assert not any(h == INTERNAL for h, _, _ in crawl.requests)
    assert any("scheme 'file' refused" in line for line in log_lines(crawl, "etc/hostname,abc-122.html"))
    assert any("intern.mdr.de is not mirrored" in line for line in log_lines(crawl, "geheim-125.html"))
    hostname = socket.gethostname()
    assert all(hostname not in json.dumps(r) for r in crawl.records), "nothing of a local file leaks"
    observe(
        "scheme-discovery",
        f"newsarchive/rejected/scheme = {mdr['newsarchive/rejected/scheme']}; log: "
        + log_lines(crawl, "etc/hostname,abc-122.html")[-1][:150],
    )
    observe(
        "mirror-escape",
        f"{sum(h == INTERNAL for h, _, _ in crawl.requests)} request(s) for {INTERNAL}; log: "
        + log_lines(crawl, "geheim-125.html")[-1][:150],
    )


def test_robots_txt_that_times_out_does_not_stop_the_site(crawl: Crawl) -> None:
    assert hits(crawl, "/robots.txt", RH) >= 1
    assert any(r["url"] == url_of(GOOD_RH, RH) for r in crawl.records)


def test_nothing_written_outside_the_roots(crawl: Crawl) -> None:
    new = crawl.after - crawl.before
    allowed = ("work", "work/archive", "work/archive.state.sqlite")
    assert new, "the crawl wrote its archive"
    assert all(p.startswith(allowed) for p in new), sorted(p for p in new if not p.startswith(allowed))
    assert not Path("/tmp/evil").exists()
    traversal = next(r for r in crawl.records if r["url"].endswith("pfad-120.html"))
    assert all(".." not in key for key in [traversal["raw"]["warc"]])


def observations(crawl: Crawl) -> list[dict[str, str]]:
    """What happened to each case, from this run's log, stats, archive and server log (for the docs)."""
    archived = {r["url"] for r in crawl.records}
    rows = []
    for case in CASES:
        url = url_of(case.path)
        lines = [
            line
            for line in log_lines(crawl, case.path)
            if "ERROR" in line
            or "WARNING" in line
            or "not archived" in line
            or "cannot fetch" in line
            or "Retry-After" in line
        ]
        observed = "archived" if url in archived else "not archived"
        n = hits(crawl, case.path) if "://" not in case.path else 0
        rows.append(
            {
                "case": case.name,
                "served": case.description,
                "expected": case.expectation,
                "observed": f"{observed}; {n} request(s)" + (f"; log: {lines[-1][:160]}" if lines else ""),
            }
        )
    paths = [(h, p) for h, p, _ in crawl.requests]
    counted = {
        "self-index": f"read {paths.count((MDR, '/news-sitemap.xml'))} time(s); its children read",
        "section-trap": f"{sum(1 for h, p in paths if h == RH and p.startswith('/braunschweig/?'))} further section "
        f"page(s) fetched, {sum(1 for _, p in paths if '/kalender/' in p)} calendar page(s)",
    }
    for name, path, served, expected in DISCOVERY:
        key = path.split("?")[0].split("/")[-1] or path
        lines = [
            line for line in crawl.log.splitlines() if key in line and ("ERROR" in line or "WARNING" in line)
        ]
        observed = counted.get(name) or (lines[-1].split("] ", 1)[-1][:160] if lines else "no error logged")
        rows.append({"case": name, "served": served, "expected": expected, "observed": observed})
    return rows
