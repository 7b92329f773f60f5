"""Operator mistakes (docs/ARCHIVE.md "One archive, one seen-store", README): each is one clear line and a
non-zero exit, and the archive afterwards holds every article exactly once.

One real crawl fills an archive; the mistakes then run in-process against it (a subprocess each would cost
seconds), in the style of test_cli.py's bad-input table.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror, SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.sites import site_classes
from pipelines.archive.reader import open_archive
from pipelines.state import open_state
from tests.clirun import FAST, clean_env

SITE = "ndr"


@pytest.fixture(scope="module")
def mirror() -> Mirror:
    return build_mirror([SiteSpec.from_spider(site_classes()[SITE])], fixtures_dir())


@pytest.fixture(scope="module")
def served(mirror: Mirror) -> Iterator[MirrorServer]:
    with MirrorServer(mirror) as srv:
        yield srv


def crawl_args(server: MirrorServer, *extra: str) -> list[str]:
    return ["crawl", SITE, "--mirror", server.url, "--no-progress", *FAST, *extra]


@pytest.fixture(scope="module")
def crawled(served: MirrorServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("mistakes")
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *crawl_args(served)],
        cwd=work,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # a seen-store that belongs to another archive
    other = open_state(str(work / "other.state.sqlite"))
    other.set_meta("archive_id", "0123456789abcdef0123456789abcdef")
    other.close()
    (work / "no-pages").mkdir()  # a folder without saved pages, for eval
    return work


# (arguments, exit code, what the one line says); "{mirror}" is the mirror's URL
MISTAKES: list[tuple[list[str], int, str]] = [
    (["crawl", SITE, "--state", "typo.sqlite"], 2, "is empty but the archive archive already holds articles"),
    (["crawl", SITE, "--state", "other.state.sqlite"], 2, "belongs to archive 0123456789abcdef"),
    (["crawl", SITE, "--archive", "elsewhere", "--state", "archive.state.sqlite"], 2, "(an empty archive)"),
    (["reextract", "--site", SITE, "--state", "copied-without-store.sqlite"], 2, "newsarchive state rebuild"),
    (["state", "rebuild", "--state", "archive.state.sqlite"], 2, "is not empty"),
    (["state", "rebuild", "--archive", "missing", "--state", "new.sqlite"], 2, "cannot use the archive"),
    (["demo", "--archive", "archive"], 2, "holds records that are not the demo's"),
    (["crawl", "NDR"], 2, "did you mean ndr?"),
    (["crawl", "www.example-zeitung.de"], 2, "needs the scheme: https://www.example-zeitung.de/"),
    (["crawl", "htps://www.example-zeitung.de/"], 2, "did you mean https://www.example-zeitung.de/?"),
    (["health", "--archive", "missing"], 2, "no archive at missing"),
    (["eval", "no-pages"], 2, "no pages in no-pages"),
]


@pytest.mark.parametrize(("args", "code", "message"), MISTAKES, ids=[" ".join(a) for a, _c, _m in MISTAKES])
def test_a_mistake_is_one_line_and_a_nonzero_exit(
    args: list[str],
    code: int,
    message: str,
    crawled: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work = tmp_path / "work"
    shutil.copytree(crawled, work)
    before = sorted(p.relative_to(work) for p in work.rglob("*"))
    monkeypatch.chdir(work)
    for name in ("ARCHIVE_URI", "STATE_URI", "SITES_FILE"):
        monkeypatch.delenv(name, raising=False)
    try:
        got = main(args)
    except SystemExit as exc:  # argparse
        got = int(exc.code or 0)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert got == code, captured.err
    assert len(lines) == 1, captured.err
    assert message in lines[0], lines[0]
    after = sorted(p.relative_to(work) for p in work.rglob("*") if not p.name.endswith(("-wal", "-shm")))
    assert after == [p for p in before if not p.name.endswith(("-wal", "-shm"))], "nothing written"


def test_rebuilt_store_archives_nothing_twice(
    crawled: Path, served: MirrorServer, mirror: Mirror, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    shutil.copytree(crawled, work)
    (work / "archive.state.sqlite").unlink()  # the archive copied without its seen-store
    for suffix in ("-wal", "-shm"):
        (work / f"archive.state.sqlite{suffix}").unlink(missing_ok=True)

    def newsarchive(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crawler.cli", *args],
            cwd=work,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=180,
        )

    refused = newsarchive(*crawl_args(served))
    assert refused.returncode == 2 and "state rebuild" in refused.stderr, refused.stderr[-2000:]
    rebuilt = newsarchive("state", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    articles = {a.url for a in mirror.sites[SITE].articles}
    assert f"{len(articles)} article(s)" in rebuilt.stdout
    again = newsarchive(*crawl_args(served, "--recheck"))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Nothing new" in again.stdout
    got = Counter(r["url"] for r in open_archive(str(work / "archive")).records())
    assert set(got) == articles and all(n == 1 for n in got.values()), got


def test_every_article_is_in_the_archive_once_after_the_mistakes(crawled: Path, mirror: Mirror) -> None:
    got = Counter(r["url"] for r in open_archive(str(crawled / "archive")).records())
    assert set(got) == {a.url for a in mirror.sites[SITE].articles}
    assert all(n == 1 for n in got.values()), got


def test_a_land_in_ascii_is_the_land() -> None:
    from crawler.sites import land_code

    assert land_code("Thueringen") == land_code("Thüringen") == land_code("THURINGEN") == "DE-TH"
    assert land_code("Baden-Wuerttemberg") == "DE-BW"


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path: Path) -> None:
    """`newsarchive sites --json | head -c 100`: the reader goes away early."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "sites", "--json"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_probing_an_unreachable_site_offers_no_entry(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "sites", "probe", "https://www.example-zeitung.de/",
         "--mirror", "http://127.0.0.1:9", "-s", "RETRY_TIMES=0", "--json"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr[-2000:]
    import json

    report = json.loads(proc.stdout)
    assert report["failed"] and report["sites_file_entry"] is None


def test_the_seen_store_follows_an_archive_given_with_dash_s(
    crawled: Path, served: MirrorServer, mirror: Mirror, tmp_path: Path
) -> None:
    """`crawl -s ARCHIVE_URI=X` used to keep ./archive.state.sqlite: "Nothing new", and X stayed empty."""
    work = tmp_path / "work"
    shutil.copytree(crawled, work)
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *crawl_args(served, "-s", "ARCHIVE_URI=second")],
        cwd=work,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Nothing new" not in proc.stdout
    assert (work / "second.state.sqlite").exists()
    for archive in ("archive", "second"):
        got = Counter(r["url"] for r in open_archive(str(work / archive)).records())
        assert set(got) == {a.url for a in mirror.sites[SITE].articles} and all(n == 1 for n in got.values())


def test_a_pair_from_before_identities_is_adopted_and_a_stranger_refused(
    crawled: Path, tmp_path: Path
) -> None:
    import sqlite3

    from pipelines.archive.identity import IDENTITY_KEY, BindingError, bind, ensure_identity, read_identity
    from pipelines.storage import open_storage

    work = tmp_path / "work"
    shutil.copytree(crawled, work)
    (work / "archive" / IDENTITY_KEY).unlink()  # as an archive and its store from before identities
    with sqlite3.connect(work / "archive.state.sqlite") as db:
        db.execute("DELETE FROM meta WHERE key = 'archive_id'")
    storage = open_storage(str(work / "archive"))
    stranger = open_state(str(work / "stranger.sqlite"))
    stranger.add_alias("https://www.ndr.de/x.html", "https://www.ndr.de/y.html")  # remembers something else
    try:
        with pytest.raises(BindingError, match="knows none of the archive's newest articles"):
            bind(storage, stranger, "archive", "stranger.sqlite")
    finally:
        stranger.close()
    assert read_identity(storage) is None, "a refused pair writes nothing"
    own = open_state(str(work / "archive.state.sqlite"))
    try:
        adopted = bind(storage, own, "archive", "archive.state.sqlite")
        assert read_identity(storage) == adopted == own.get_meta("archive_id")
        assert bind(storage, own, "archive", "archive.state.sqlite") == adopted  # and from then on, simply
    finally:
        own.close()
    assert ensure_identity(storage) == adopted, "written once: a second writer reads the first one's"


def test_the_summary_says_nothing_new_only_when_nothing_went_wrong() -> None:
    import io

    from crawler.progress import SiteCounts
    from crawler.runner import CrawlResult, print_summary

    def summary(interrupted: str = "", **counts: int) -> str:
        out = io.StringIO()
        print_summary(CrawlResult([SiteCounts("ndr", pages=3, **counts)], "archive", "s", interrupted), out)
        return out.getvalue()

    assert "Nothing new" in summary(known=3)
    assert "Nothing new" not in summary(errors=2) and "2 error(s)" in summary(errors=2)
    assert "Nothing new" not in summary(failed=True, errors=1)
    interrupted = summary("SIGTERM")
    assert "Nothing new" not in interrupted and "Interrupted (SIGTERM): 0 article(s) committed" in interrupted
