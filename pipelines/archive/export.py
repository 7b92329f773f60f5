"""Export archive records to Parquet or CSV, partitioned Hive style by site and publication date.

Every record field is written by a possible attacker: in CSV, a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading ``'``, so that a spreadsheet shows it as text instead of running
it as a formula (OWASP's rule for CSV injection). Parquet keeps the values as they are.

pyarrow is an optional dependency (``pip install 'newsarchive[export]'``); it is imported when an export
runs. Records stream through in batches: memory holds one batch plus pyarrow's open files.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.archive.layout import sanitise_site

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "ExportError",
    "ExportResult",
    "export_records",
    "partition_of",
    "schema",
]

FORMATS = ("parquet", "csv")
INSTALL_HINT = "pip install 'newsarchive[export]'"
UNKNOWN_DATE = "unknown"
BATCH_ROWS = 10_000  # records held in memory and written at a time (one file per partition and batch)

#: record fields written to every file, in order; ``site`` and ``date`` are the partition directories
STRING_FIELDS = frozenset(
    {
        "id", "url", "canonical_url", "publisher", "region", "language", "title", "kicker", "lead", "body",
        "published", "modified", "section", "image", "crawled_at", "previous_hash", "content_hash",
        "cluster", "near_duplicate_of",
    }
)  # fmt: skip
LIST_FIELDS = frozenset({"authors", "keywords", "aliases"})
INT_FIELDS = frozenset({"revision", "schema_version", "schema_minor"})
#: the places as flat columns: the main place's key, name, district and Land, and every place's key
PLACE_COLUMNS = ("place", "place_name", "place_district", "place_land", "places")
COLUMNS: tuple[str, ...] = (
    "id", "url", "canonical_url", "publisher", "region", "language", "title", "lead", "body", "authors",
    "published", "modified", "section", "keywords", "image", "paywalled", "crawled_at", "revision",
    "previous_hash", "content_hash", "aliases", "cluster", "near_duplicate_of", "raw", "extractor",
    "schema_version", "schema_minor", "kicker", *PLACE_COLUMNS,
)  # fmt: skip
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: a CSV cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``'`` before ``= + - @`` tab or CR (OWASP's rule)."""
    return "'" + value if value.startswith(FORMULA_START) else value


class ExportError(Exception):
    """The export cannot run (pyarrow missing, unknown format, output not empty); one line for the user."""


@dataclass
class ExportResult:
    out: Path
    records: int = 0
    files: list[str] = field(default_factory=list)  # paths relative to ``out``, sorted


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.csv
        import pyarrow.parquet
    except ImportError as exc:
        raise ExportError(f"export needs pyarrow: {INSTALL_HINT}") from exc
    return pyarrow


def schema(fmt: str = "parquet") -> pa.Schema:
    """The file schema: lists are list<string> and raw/extractor structs in Parquet, JSON text in CSV."""
    pa = _pyarrow()
    nested = fmt != "parquet"
    types: dict[str, Any] = {
        "paywalled": pa.bool_(),
        "raw": pa.string()
        if nested
        else pa.struct(
            [
                ("warc", pa.string()),
                ("offset", pa.int64()),
                ("length", pa.int64()),
                ("record_id", pa.string()),
            ]
        ),
        "extractor": pa.string()
        if nested
        else pa.struct(
            [("method", pa.string()), ("version", pa.string()), ("fields", pa.map_(pa.string(), pa.string()))]
        ),
    }
    fields = []
    for name in COLUMNS:
        if name in LIST_FIELDS or name == "places":
            kind = pa.string() if nested else pa.list_(pa.string())
        elif name in INT_FIELDS:
            kind = pa.int64()
        else:
            kind = types.get(name, pa.string())
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def partition_of(record: Mapping[str, Any]) -> tuple[str, str]:
    """(site, date): the sanitised site and the ``published`` day as written, or ``unknown``."""
    published = record.get("published")
    day = UNKNOWN_DATE
    if isinstance(published, str) and (match := _DAY.match(published)):
        try:
            day = date.fromisoformat(match.group()).isoformat()
        except ValueError:
            day = UNKNOWN_DATE
    return sanitise_site(record.get("site")), day


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _row(record: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    """One row of the fixed schema; values of a wrong type are coerced or dropped to null."""
    row: dict[str, Any] = {}
    place = record.get("place") if isinstance(record.get("place"), Mapping) else None
    flat = {"place": "ags", "place_name": "name", "place_district": "district", "place_land": "land"}
    for name in COLUMNS:
        value = record.get(name)
        if name in flat:
            row[name] = None if place is None else _text(place.get(flat[name]))
        elif name == "places":
            keys = [str(p.get("ags")) for p in value if isinstance(p, Mapping)] if isinstance(value, list) else []
            row[name] = keys if fmt == "parquet" else json.dumps(keys, ensure_ascii=False)
        elif name in LIST_FIELDS:
            items = [str(v) for v in value] if isinstance(value, list) else []
            row[name] = items if fmt == "parquet" else json.dumps(items, ensure_ascii=False)
        elif name in INT_FIELDS:
            row[name] = _int(value)
        elif name == "paywalled":
            row[name] = bool(value)
        elif name == "raw":
            raw = value if isinstance(value, Mapping) else None
            if fmt != "parquet":
                row[name] = None if raw is None else json.dumps(raw, ensure_ascii=False)
            else:
                row[name] = None if raw is None else {
                    "warc": _text(raw.get("warc")), "offset": _int(raw.get("offset")),
                    "length": _int(raw.get("length")), "record_id": _text(raw.get("record_id")),
                }  # fmt: skip
        elif name == "extractor":
            ext = value if isinstance(value, Mapping) else None
            if fmt != "parquet":
                row[name] = None if ext is None else json.dumps(ext, ensure_ascii=False)
            else:
                fields = ext.get("fields") if ext is not None else None
                row[name] = None if ext is None else {
                    "method": _text(ext.get("method")), "version": _text(ext.get("version")),
                    "fields": [(str(k), _text(v)) for k, v in fields.items()] if isinstance(fields, Mapping) else [],
                }  # fmt: skip
        else:
            row[name] = _text(value)
        if fmt == "csv" and isinstance(row[name], str):
            row[name] = neutralise_cell(row[name])
    row["site"], row["date"] = partition_of(record)
    return row


def _prepare(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{str(out)!r} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ExportError(f"{str(out)!r} is not empty (use --force to replace an earlier export there)")
        for child in out.glob("site=*"):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
    out.mkdir(parents=True, exist_ok=True)


def export_records(
    records: Iterable[Mapping[str, Any]],
    out: str | Path,
    fmt: str = "parquet",
    *,
    force: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> ExportResult:
    """Write ``records`` to ``out/site=<site>/date=<YYYY-MM-DD|unknown>/part-<n>.<fmt>``.

    Refuses a non-empty ``out`` unless ``force`` (which first removes the ``site=*`` directories there).
    Rows keep the order of ``records`` within each file.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    arrow = _pyarrow()
    out = Path(out)
    file_schema = schema(fmt)
    result = ExportResult(out=out)
    _prepare(out, force)

    def chunks() -> Iterator[dict[tuple[str, str], list[dict[str, Any]]]]:
        """The records in batches of ``batch_rows``, each grouped by partition (record order kept)."""
        batch: dict[tuple[str, str], list[dict[str, Any]]] = {}
        held = 0
        for record in records:
            row = _row(record, fmt)
            batch.setdefault((row.pop("site"), row.pop("date")), []).append(row)
            result.records += 1
            held += 1
            if held >= batch_rows:
                yield batch
                batch, held = {}, 0
        if batch:
            yield batch

    written: list[str] = []
    # Each file is written on this thread with pyarrow's plain writers. Arrow's dataset writer would start its
    # global CPU and I/O thread pools, whose native threads were still alive when the interpreter exited and
    # now and then aborted the process there ("terminate called without an active exception", exit 134).
    for n, batch in enumerate(chunks()):
        for (site, day), rows in batch.items():
            folder = out / f"site={site}" / f"date={day}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / (f"part-0.{fmt}" if n == 0 else f"part-{n}-0.{fmt}")
            table = arrow.Table.from_pylist(rows, schema=file_schema)
            if fmt == "parquet":
                arrow.parquet.write_table(table, path)
            else:
                arrow.csv.write_csv(table, path)
            written.append(str(path))
    result.files = sorted(Path(path).relative_to(out).as_posix() for path in written)
    return result
