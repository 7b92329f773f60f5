"""Offline demo: an in-memory mirror of the sites served over HTTP on 127.0.0.1.

The pages it serves ship with the package (crawler/demo/pages/, generated from tests/fixtures/sites by
scripts/make_demo_pages.py), so an installed newsarchive runs the demo from any directory.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["fixtures_dir", "pages_dir"]


def pages_dir() -> Path:
    """The packaged mirror pages: <site>/<case>/{page.html.gz,expected.json} (the fields the mirror uses)."""
    return Path(__file__).resolve().parent / "pages"


def fixtures_dir() -> Path:
    """The source checkout's tests/fixtures/sites (full expected records; for tests and fixture scripts)."""
    path = Path(__file__).resolve().parent.parent.parent / "tests" / "fixtures" / "sites"
    if not path.is_dir():
        raise FileNotFoundError(f"tests/fixtures/sites is in a source checkout only (looked in {path})")
    return path
