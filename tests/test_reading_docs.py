"""Every code block of docs/READING.md runs: python blocks in one namespace, sh blocks in bash, sql in DuckDB."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_reading_support import sample_archive

DOC = Path(__file__).resolve().parent.parent / "docs" / "READING.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


def blocks() -> list[tuple[str, str]]:
    return [(lang, code) for lang, code in BLOCK.findall(DOC.read_text(encoding="utf-8"))]


def test_the_page_has_examples_of_every_kind() -> None:
    langs = [lang for lang, _ in blocks()]
    assert langs.count("python") >= 4 and langs.count("sql") == 4 and langs.count("sh") >= 3


def test_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    duckdb = pytest.importorskip("duckdb")
    sample_archive(tmp_path)
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("ARCHIVE_URI", None)
    namespace: dict[str, object] = {"__name__": "readme"}
    results: list[list[tuple[object, ...]]] = []
    for lang, code in blocks():
        if lang == "python":
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, str(DOC), "exec"), namespace)
        elif lang == "sh":
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", code], env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, f"{code}\n{done.stderr}"
        elif lang == "sql":
            with duckdb.connect() as con:
                results.append(con.sql(code).fetchall())
    glob_counts, latest, parquet, districts = results
    assert sum(int(row[2]) for row in glob_counts) == 7  # every record, every revision
    assert len(latest) == 6 and {r[4]: r[2] for r in latest}["ndr 2 r2"] == 2
    by_site = {(r[0], r[1]): r[2] for r in parquet}
    assert by_site[("ndr", "2024-05-02")] == 2 and by_site[("mopo", "2024-06-01")] == 1
    assert ("ndr", "unknown") not in by_site
    assert {r[0]: r[2] for r in districts} == {"03103": 1, "03151": 2, "02000": 1}  # every revision exported
    assert len((tmp_path / "wolfsburg.jsonl").read_text().splitlines()) == 1
    assert len((tmp_path / "gifhorn.jsonl").read_text().splitlines()) == 1
    assert (tmp_path / "gifhorn-by-key.jsonl").read_text() == (tmp_path / "gifhorn.jsonl").read_text()
    assert (tmp_path / "report.html").stat().st_size > 1000
    assert len((tmp_path / "ndr-may.jsonl").read_text().splitlines()) == 3
    assert (tmp_path / "new.jsonl").read_text() == ""
