"""Every crawler setting with a default in crawler/defaults.py has that value in crawler/settings.py, and the
components that read it fall back to the same value without our settings module."""

from __future__ import annotations

import re
from pathlib import Path

from crawler import defaults, settings

REPO = Path(__file__).resolve().parents[1]
NAMES = [n for n in vars(defaults) if n.isupper() and not n.startswith("_")]


def test_settings_take_their_defaults_from_one_place() -> None:
    assert len(NAMES) >= 8
    for name in NAMES:
        assert getattr(settings, name) == getattr(defaults, name), name
    assert defaults.extract_workers() == settings.EXTRACT_WORKERS


def test_readers_fall_back_to_the_same_defaults() -> None:
    """No reader of one of these settings writes its own literal fallback."""
    names = "|".join(NAMES)
    literal = re.compile(
        r'settings\.get(?:int|float|bool)?\(\s*"(' + names + r')"\s*(?:\)|,(?!\s*defaults\.))'
    )
    offenders = [
        f"{path.relative_to(REPO)}: {m.group(0)}"
        for path in (REPO / "crawler").rglob("*.py")
        for m in literal.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
