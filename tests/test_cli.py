"""The CLI's contract: --help everywhere, sites, extract, and clear errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.cli import build_parser, main

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


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    names = subcommands()
    assert {"sites", "crawl", "demo", "read", "extract", "eval"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert "usage: newsarchive " + name in capsys.readouterr().out
    proc = run("crawl", "--help")  # and from a real process
    assert proc.returncode == 0 and "usage: newsarchive crawl" in proc.stdout


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


CURSOR = "20240101T120000.000000Z-20240101T115900Z-0123abcd-00001"

# bad input to every command: (arguments, what the one line on stderr must say)
BAD_INPUT = [
    (["crawl", "no_such_site"], "unknown site"),
    (["crawl", "ndr", "--archive", "ftp://example.org/x"], "cannot use the archive"),
    (["crawl", "ndr", "--state", "mongodb://x/y"], "seen-store"),
    (["crawl", "ndr", "--from", "2024-13-45"], "not a date"),
    (["crawl", "ndr", "--to", "yesterday"], "not a date"),
    (["crawl", "braunschweiger_zeitung", "--from", "2024-02-01", "--to", "2024-01-01"], "is after --to"),
    (["crawl", "regionalheute", "--from", "2024-01-01"], "no archive sitemaps"),
    (["crawl", "ndr", "-s", "NOEQUALS"], "NAME=VALUE"),
    (["crawl", "ndr", "--max-articles", "-3"], "must be 1 or more"),
    (["crawl", "ndr", "--max-articles", "0"], "must be 1 or more"),
    (["crawl", "ndr", "--max-articles", "many"], "not a whole number"),
    (["crawl", "ndr", "--mirror", "notaurl"], "not an http(s) URL"),
    (["crawl", "ndr", "--mirror", "file:///etc"], "not an http(s) URL"),
    (["crawl", "ndr", "--mirror", "http://127.0.0.1:port"], "not an http(s) URL"),
    (["crawl"], "name the sites to crawl"),
    (["crawl", "ndr", "--no-such-option"], "unrecognized arguments"),
    (["demo", "-s", "NOEQUALS"], "NAME=VALUE"),
    (["demo", "--archive", "ftp://example.org/x"], "cannot use the archive"),
    (["read", "--archive", "ftp://example.org/x"], "cannot read the archive"),
    (["read", "--after", "garbage"], "not a cursor"),
    (["read", "--after", CURSOR + "x"], "not a cursor"),
    (["read", "--published-from", "2024-02-01", "--published-to", "2024-01-01"], "is after"),
    (["read", "--published-from", "soon"], "bad --published-from"),
    (["export", "out", "--format", "xml"], "invalid choice"),
    (["export", "out", "--after", "garbage"], "not a cursor"),
    (["export", "out", "--published-from", "2024-02-01", "--published-to", "2024-01-01"], "is after"),
    (["extract", "/no/such/file.html", "--url", "https://www.ndr.de/x.html"], "cannot read"),
    (["extract", "page.html", "--url", "www.ndr.de/x.html"], "not an http(s) URL"),
    (["eval", "/no/such/dir"], "not a directory"),
    (["health", "--limit", "0"], "must be 1 or more"),
    (["verify", "--min-age", "-1"], "0 or more"),
    (["reextract", "--site", "ndr", "--from", "2024-99-01"], "not a date"),
    (["reextract", "--site", "no_such_site"], "unknown site"),
    (["deploy", "--url", "localhost:6800"], "not an http(s) URL"),
    (["history"], "required"),
    (["state", "rebuild", "--archive", "/no/such/archive"], "cannot use the archive"),
    (["report", "--archive", "ftp://example.org/x"], "archive"),
    (["sites", "--no-such-option"], "unrecognized arguments"),
    (["no-such-command"], "invalid choice"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a) for a, _m in BAD_INPUT])
def test_bad_input_is_exit_2_with_one_clear_line(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process (a subprocess per case would cost seconds each; the next test runs a few as processes)."""
    monkeypatch.chdir(tmp_path)
    for name in ("ARCHIVE_URI", "STATE_URI"):
        monkeypatch.delenv(name, raising=False)
    try:
        code = main(args)
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert message in lines[0]
    assert lines[0].startswith("newsarchive"), "names the program"
    assert list(tmp_path.iterdir()) == [], "nothing written"


@pytest.mark.parametrize("case", [0, 11, 19, 23], ids=lambda i: " ".join(BAD_INPUT[i][0]))
def test_bad_input_in_a_real_process(case: int, tmp_path: Path) -> None:
    args, message = BAD_INPUT[case]
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and message in proc.stderr
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_every_command_is_in_the_bad_input_table() -> None:
    assert {args[0] for args, _message in BAD_INPUT} >= set(subcommands())


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
