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
