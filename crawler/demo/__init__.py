"""Offline demo: an in-memory mirror of the sites served over HTTP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

__all__ = ["fixtures_dir"]


def fixtures_dir() -> Path:
    """The repository's tests/fixtures/sites directory (the saved pages the mirror serves)."""
    path = Path(__file__).resolve().parent.parent.parent / "tests" / "fixtures" / "sites"
    if not path.is_dir():
        raise FileNotFoundError(
            f"the demo needs a source checkout with tests/fixtures/sites (looked in {path})"
        )
    return path
