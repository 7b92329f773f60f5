"""The reader's filters, latest-revision mode and cursor, and ``newsarchive read`` with the same options."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from pipelines.archive.reader import ArchiveReader, RecordFilter, open_archive, parse_bound
from tests.test_reading_support import article, sample_archive, write_run


@pytest.fixture
def reader(tmp_path: Path) -> ArchiveReader:
    return open_archive(str(sample_archive(tmp_path)))


def titles(records: Any) -> list[str]:
    return [r["title"] for r in records]


def test_site_filter_one_or_several(reader: ArchiveReader) -> None:
    assert titles(reader.records(site="ndr")) == ["ndr 1 r1", "ndr 2 r1", "ndr 3 r1", "ndr 2 r2"]
    assert titles(reader.records("mopo")) == ["mopo 1 r1", "mopo 2 r1", "mopo 4 r1"]
    assert len(list(reader.records(site=["ndr", "mopo"]))) == 7
    assert list(reader.records(site=[])) == []
    assert list(reader.records(site="nowhere")) == []


def test_published_dates_are_whole_local_days(reader: ArchiveReader) -> None:
    # 2024-05-02T23:30+02:00 is May 2 where it was published (21:30 UTC)
    may2 = titles(reader.records(published_from=date(2024, 5, 2), published_to=date(2024, 5, 2)))
    assert may2 == ["ndr 2 r1", "ndr 2 r2"]
    assert titles(reader.records(published_from="2024-05-03")) == ["mopo 2 r1", "mopo 4 r1"]
    assert titles(reader.records(published_to="2024-05-01")) == ["ndr 1 r1", "mopo 1 r1"]
    # records without ``published`` never match a range
    assert "ndr 3 r1" not in titles(reader.records(published_from="2000-01-01"))


def test_published_datetimes_are_instants(reader: ArchiveReader) -> None:
    start = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)  # 08:30 in Berlin: after ndr 1 (08:00), before mopo 1
    end = datetime(2024, 5, 2, 21, 30, tzinfo=UTC)  # exactly ndr 2 (inclusive)
    assert titles(reader.records(published_from=start, published_to=end)) == [
        "ndr 2 r1",
        "mopo 1 r1",
        "ndr 2 r2",
    ]
    plus2 = timezone(timedelta(hours=2))
    assert titles(reader.records(published_to=datetime(2024, 5, 1, 8, 0, tzinfo=plus2))) == ["ndr 1 r1"]
    assert titles(reader.records(published_from="2024-06-01T11:59:59Z")) == ["mopo 2 r1"]


def test_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_bound(datetime(2024, 5, 1, 12))
    with pytest.raises(ValueError):
        parse_bound("yesterday")
    assert parse_bound("2024-05-01") == date(2024, 5, 1)


def test_language_and_cluster(reader: ArchiveReader) -> None:
    assert titles(reader.records(language="en")) == ["mopo 2 r1"]
    assert titles(reader.records(language="EN")) == ["mopo 2 r1"]
    assert len(list(reader.records(language=["de", "en"]))) == 7
    assert titles(reader.records(cluster="c1")) == ["ndr 1 r1", "mopo 1 r1"]
    assert titles(reader.records(cluster="c1", site="mopo")) == ["mopo 1 r1"]


def test_language_prefix(tmp_path: Path) -> None:
    write_run(tmp_path / "archive", [article(1, language="de-AT"), article(2, language="dea")])
    assert titles(open_archive(str(tmp_path / "archive")).records(language="de")) == ["ndr 1 r1"]


def test_latest_revision_across_commits(reader: ArchiveReader) -> None:
    latest = titles(reader.records(latest=True))
    assert latest == ["ndr 1 r1", "ndr 3 r1", "mopo 1 r1", "mopo 2 r1", "ndr 2 r2", "mopo 4 r1"]
    # filters apply to the latest record
    assert titles(reader.records(site="ndr", published_from="2024-05-02", latest=True)) == ["ndr 2 r2"]
    # within the commits after a cursor, the latest there
    first = reader.manifests()[0]
    assert titles(reader.records(after=first, latest=True)) == ["ndr 2 r2", "mopo 4 r1"]
    assert reader.cursor == reader.manifests()[-1]


def test_latest_yields_a_repeated_revision_once(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_run(archive, [article(1), article(2)])
    write_run(archive, [article(1)])  # archived again (e.g. the seen-store was lost): same id, same revision
    reader = open_archive(str(archive))
    assert titles(reader.records()) == ["ndr 1 r1", "ndr 2 r1", "ndr 1 r1"]
    assert titles(reader.records(latest=True)) == ["ndr 1 r1", "ndr 2 r1"]


def test_cursor_with_filters(reader: ArchiveReader, tmp_path: Path) -> None:
    assert titles(reader.records(site="mopo")) == ["mopo 1 r1", "mopo 2 r1", "mopo 4 r1"]
    cursor = reader.cursor
    assert cursor == reader.manifests()[-1]
    write_run(tmp_path / "archive", [article(5), article(6, "mopo")])
    assert titles(reader.records(site="mopo", after=cursor)) == ["mopo 6 r1"]
    assert reader.cursor is not None and reader.cursor > cursor
    # a stopped iteration keeps the cursor at the last commit read completely
    records = reader.records(after=None)
    next(records)
    assert reader.cursor is None
    records.close()


def test_select_with_a_prepared_filter(reader: ArchiveReader) -> None:
    selection = RecordFilter.build(site="ndr", language="de", published_from="2024-05-01")
    assert titles(reader.select(selection, latest=True)) == ["ndr 1 r1", "ndr 2 r2"]
    assert selection.wants_part({"kind": "articles", "site": "ndr"})
    assert not selection.wants_part({"kind": "raw", "site": "ndr"})


def read_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[dict[str, Any]], str]:
    assert main(["read", *args]) == 0
    out, err = capsys.readouterr()
    return [json.loads(line) for line in out.splitlines()], err


def test_read_command_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = str(sample_archive(tmp_path))
    records, err = read_cli(capsys, "--archive", archive)
    assert len(records) == 7
    cursor = err.splitlines()[-1].removeprefix("cursor: ")
    assert cursor == open_archive(archive).manifests()[-1]
    records, _ = read_cli(capsys, "--archive", archive, "--site", "ndr", "--site", "mopo", "--latest")
    assert titles(records) == ["ndr 1 r1", "ndr 3 r1", "mopo 1 r1", "mopo 2 r1", "ndr 2 r2", "mopo 4 r1"]
    records, _ = read_cli(
        capsys, "--archive", archive, "--published-from", "2024-05-02", "--published-to", "2024-05-02"
    )
    assert titles(records) == ["ndr 2 r1", "ndr 2 r2"]
    records, _ = read_cli(capsys, "--archive", archive, "--language", "en", "--all-revisions")
    assert titles(records) == ["mopo 2 r1"]
    records, _ = read_cli(capsys, "--archive", archive, "--cluster", "c1", "--site", "ndr")
    assert titles(records) == ["ndr 1 r1"]
    records, err = read_cli(capsys, "--archive", archive, "--after", cursor)
    assert records == [] and err.splitlines()[-1] == f"cursor: {cursor}"


def test_read_command_rejects_bad_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = str(sample_archive(tmp_path))
    assert main(["read", "--archive", archive, "--published-from", "May"]) == 2
    assert "published" in capsys.readouterr().err
    assert main(["read", "--archive", archive, "--published-to", "2024-05-01T10:00"]) == 2
    assert "UTC offset" in capsys.readouterr().err
