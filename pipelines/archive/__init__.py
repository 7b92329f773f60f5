"""Archive format v1: layout, manifest, record schema, writer pipeline and reader (docs/ARCHIVE.md)."""

from __future__ import annotations

from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema.json")
