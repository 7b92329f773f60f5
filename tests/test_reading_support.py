"""Helpers (no tests) for the reading tests: sample archives written by the real archive pipeline."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.utils.test import get_crawler

from pipelines.archive.pipeline import ArchivePipeline
from pipelines.normalise import NormalisePipeline
from pipelines.state import state_for
from pipelines.storage import Storage

_lock = threading.Lock()  # get_crawler touches process-wide Scrapy state


class SampleSpider(Spider):
    name = "sample"


def write_run(
    archive: Path,
    items: Iterable[dict[str, Any]],
    max_records: int = 500,
    wrap: Callable[[Storage], Storage] | None = None,
) -> None:
    """One crawl run through NormalisePipeline + ArchivePipeline: commits every ``max_records`` items.

    ``wrap`` replaces the pipeline's storage (e.g. to hold a commit between its parts and its manifest).
    """
    with _lock:
        crawler = get_crawler(
            SampleSpider,
            {
                "ARCHIVE_URI": str(archive),
                "STATE_URI": f"sqlite:///{archive.parent}/{archive.name}.state-{threading.get_ident()}.sqlite",
                "ARCHIVE_PART_MAX_RECORDS": max_records,
            },
        )
        crawler.spider = SampleSpider.from_crawler(crawler)
        normalise, pipeline = NormalisePipeline.from_crawler(crawler), ArchivePipeline.from_crawler(crawler)
    if wrap is not None:
        pipeline.storage = wrap(pipeline.storage)
    pipeline.open_spider()
    for entry in items:
        pipeline.process_item(normalise.process_item(dict(entry)))
    pipeline.close_spider()
    state_for(crawler).close()


def article(
    n: int,
    site: str = "ndr",
    published: str | None = "2024-05-01T10:00:00+02:00",
    *,
    language: str = "de",
    revision: int = 1,
    cluster: str | None = None,
    method: str = "jsonld",
    body: str | None = None,
    title: str | None = None,
    place: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """An item of ``site`` whose id is stable for ``(site, n)``; revisions change title and body; ``place``:
    (official key, name) of its one place."""
    places = []
    if place is not None:
        key, name = place
        land = {"03": "DE-NI", "02": "DE-HH"}.get(key[:2], "DE-NI")
        places = [
            {"ags": key, "name": name, "district": key[:5], "land": land, "source": "dateline", "mentions": 2}
        ]
    return {
        "places": places,
        "place": places[0] if places else None,
        "url": f"https://www.{site}.de/artikel-{n}.html",
        "site": site,
        "publisher": site.upper(),
        "language": language,
        "title": title if title is not None else f"{site} {n} r{revision}",
        "body": body if body is not None else f"Text {n} revision {revision}.",
        "published": published,
        "revision": revision,
        "cluster": cluster,
        "extractor": {"method": method, "version": "1", "fields": {"body": method}},
    }


def sample_archive(root: Path) -> Path:
    """``root/archive`` with three commits: ndr and mopo articles, a revision, a cluster, an English one."""
    archive = root / "archive"
    write_run(
        archive,
        [
            article(1, published="2024-05-01T08:00:00+02:00", cluster="c1", place=("03103000", "Wolfsburg")),
            article(
                2, published="2024-05-02T23:30:00+02:00", place=("03151009", "Gifhorn")
            ),  # 21:30 UTC: May 2
            article(3, published=None, method="fallback", body=""),
            article(
                1, "mopo", published="2024-05-01T09:00:00+02:00", cluster="c1", place=("02000000", "Hamburg")
            ),
            article(2, "mopo", published="2024-06-01T12:00:00+00:00", language="en"),
        ],
    )
    write_run(
        archive,
        [article(2, published="2024-05-02T23:30:00+02:00", revision=2, place=("03151009", "Gifhorn"))],
    )
    write_run(archive, [article(4, "mopo", published="2024-05-03T07:00:00+02:00", method="opengraph")])
    return archive
