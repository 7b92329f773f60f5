"""The demo's packaged pages (crawler/demo/pages) are generated from tests/fixtures/sites and match it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_pages", REPO / "scripts" / "make_demo_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_packaged_pages_match_their_source() -> None:
    make = generator()
    wanted, packaged = make.page_files(), make.packaged_files()
    assert wanted, "the fixtures hold pages"
    assert sorted(packaged) == sorted(wanted), "run scripts/make_demo_pages.py"
    stale = [rel for rel in wanted if wanted[rel] != packaged[rel]]
    assert not stale, f"stale: {stale[:5]} (run scripts/make_demo_pages.py)"


def test_packaged_pages_are_small() -> None:
    size = sum(p.stat().st_size for p in (REPO / "crawler" / "demo" / "pages").rglob("*") if p.is_file())
    assert size < 1_500_000
