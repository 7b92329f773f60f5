"""A one-page, self-contained HTML report of an archive (inline CSS, SVG chart and a few lines of JS)."""

from __future__ import annotations

from crawler.report.html import render
from crawler.report.stats import ArchiveStats, collect

__all__ = ["ArchiveStats", "build_report", "collect", "render"]


def build_report(uri: str, title: str | None = None) -> str:
    """The report of the archive at ``uri`` as an HTML string (StorageError if it cannot be read)."""
    from pipelines.archive.reader import open_archive

    reader = open_archive(uri)
    return render(collect(reader), title=title or f"newsarchive report: {uri}")
