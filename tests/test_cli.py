"""The CLI's contract: --help everywhere, sites, extract, and clear errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "sites"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        timeout=120,
    )


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


def test_every_subcommand_has_help() -> None:
    names = subcommands()
    assert {"sites", "crawl", "demo", "read", "extract", "eval"} <= set(names)
    for name in names:
        proc = run(name, "--help")
        assert proc.returncode == 0, proc.stderr
        assert "usage: newsarchive " + name in proc.stdout


def test_sites_json_lists_name_publisher_region_domains() -> None:
    proc = run("sites", "--json")
    assert proc.returncode == 0, proc.stderr
    sites = json.loads(proc.stdout)
    names = {s["name"] for s in sites}
    assert {"regionalheute", "braunschweiger_zeitung", "ndr"} <= names
    for s in sites:
        assert s["publisher"] and s["region"] and s["domains"]


def test_sites_table() -> None:
    proc = run("sites")
    assert proc.returncode == 0
    assert "braunschweiger-zeitung.de" in proc.stdout


def test_extract_one_saved_page() -> None:
    case = FIXTURES / "ndr" / "ndr"
    expected = json.loads((case / "expected.json").read_text())
    proc = run("extract", str(case / "page.html.gz"), "--url", expected["url"])
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["site"] == "ndr"
    assert record["title"] == expected["title"]
    assert record["extractor"]["method"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "no_such_site"], "unknown site"),
        (["crawl", "ndr", "--archive", "ftp://example.org/x"], "cannot use the archive"),
        (["crawl", "ndr", "--from", "2024-13-45"], "not a date"),
        (["crawl", "regionalheute", "--from", "2024-01-01"], "no archive sitemaps"),
        (["crawl", "ndr", "-s", "NOEQUALS"], "NAME=VALUE"),
        (["read", "--archive", "ftp://example.org/x"], "cannot read the archive"),
        (["extract", "/no/such/file.html", "--url", "https://www.ndr.de/x.html"], "cannot read"),
        (["eval", "/no/such/dir"], "not a directory"),
    ],
)
def test_errors_are_clear_and_without_traceback(args: list[str], message: str, tmp_path: Path) -> None:
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "archive").exists()


def test_archive_root_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    proc = run("crawl", "ndr", "--archive", str(blocker), cwd=tmp_path)
    assert proc.returncode == 2
    assert "cannot use the archive" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("read", "--archive", str(blocker), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
