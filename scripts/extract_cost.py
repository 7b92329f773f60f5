"""CPU time of extraction per page: crawler.extract.extract over corpora, the minimum of several passes.

CPU time (time.process_time), not wall time, and the best of --repeat passes, so figures taken on a busy machine
still compare: run it for two versions of the code one after the other, e.g. the previous release with
``git archive v1 crawler pipelines | tar -x -C /tmp/old && PYTHONPATH=/tmp/old python scripts/extract_cost.py``.

With ``--worker`` it also times everything an extraction worker does for a page (crawler.offthread.process_page:
extraction, then the content hash, the MinHash signature and the WARC records of the exchange).

With ``--places`` it also times extraction without the place tagging (crawler/places: the markup hints on the
parse and the tagger), passes with and without it taking turns, and reports the difference per page.

With ``--gc-threshold N`` the garbage collection is tuned after the warm-up as in a crawl's extraction worker
(crawler/gctune.py: the objects alive frozen, the youngest generation collected every N allocations), written out
here so that it applies to earlier versions of the code too.

Usage: python scripts/extract_cost.py [CORPUS_DIR ...] [--repeat N] [--worker] [--places] [--gc-threshold N]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULTS = [
    REPO.parent / "shared" / "corpus" / "de",
    REPO / "tests" / "fixtures" / "devset" / "newspaper4k",
    REPO / "tests" / "fixtures" / "devset" / "readability",
]


def best(repeat: int, pages: int, run: Callable[[], object], digits: int = 2) -> float:
    """The fewest CPU milliseconds a page over ``repeat`` passes of ``run`` (a pass over ``pages`` pages)."""
    passes = []
    for _ in range(max(repeat, 1)):
        start = time.process_time()
        run()
        passes.append((time.process_time() - start) * 1000 / pages)
    return round(min(passes), digits)


def main() -> int:
    from crawler.evaluate import page_dirs, read_page
    from crawler.extract import EXTRACTOR_VERSION, extract
    from crawler.sites import site_classes, site_for_url

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "corpus",
        nargs="*",
        type=Path,
        help="corpus directories (default: the German corpus and the development sets)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="passes over the pages (default: %(default)s)")
    parser.add_argument("--worker", action="store_true", help="also time an extraction worker's whole page")
    parser.add_argument(
        "--places", action="store_true", help="also time extraction without place tagging, side by side"
    )
    parser.add_argument(
        "--gc-threshold",
        type=int,
        default=0,
        help="tune the garbage collection as a worker does (0: CPython's)",
    )
    args = parser.parse_args()
    corpora = args.corpus or [c for c in DEFAULTS if c.is_dir()]
    classes = site_classes()
    pages = []
    for corpus in corpora:
        for page_dir in page_dirs(corpus):
            expected = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
            site = site_for_url(expected["url"], classes)
            html = read_page(page_dir)
            if html is not None:
                pages.append((html, expected["url"], site.selectors if site else None))
    if not pages:
        parser.error("no pages")
    for html, url, selectors in pages[:3]:  # warm-up: imports, caches
        extract(html, url, selectors)
    if args.worker:
        from crawler.offthread import process_page

        process_page(b"<html><p>warm up</p></html>", None, "https://example.org/", None, {"status": 200})
    if args.gc_threshold > 0:
        gc.collect()
        gc.freeze()
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    result: dict[str, object] = {
        "extractor": EXTRACTOR_VERSION,
        "pages": len(pages),
        "gc_threshold": gc.get_threshold()[0],
    }
    result["cpu_ms_per_page"] = best(args.repeat, len(pages), lambda: [extract(*page) for page in pages])
    if args.places:
        result.update(places_cost(args.repeat, pages, extract))
    if args.worker:
        from crawler.offthread import process_page

        raw = [
            (html if isinstance(html, bytes) else html.encode("utf-8"), url, sel) for html, url, sel in pages
        ]
        exchange = {
            "status": 200,
            "headers": [["Content-Type", "text/html; charset=utf-8"]],
            "request_headers": [],
        }
        exchange["fetched_at"] = "2026-01-01T00:00:00+00:00"

        def work() -> None:
            for body, url, selectors in raw:
                process_page(body, None, url, selectors, {**exchange, "url": url})

        work()  # warm-up: imports, the MinHash permutations
        result["worker_cpu_ms_per_page"] = best(args.repeat, len(pages), work)
    print(json.dumps(result))
    return 0


def places_cost(
    repeat: int, pages: list[tuple[object, str, object]], extract: Callable[..., object]
) -> dict[str, float]:
    """CPU ms a page with and without place tagging, passes taking turns (the same load on both)."""
    import crawler.extract.core as core

    tagged, hints = core.tag_places, core.place_hints
    with_places: list[float] = []
    without: list[float] = []
    for _ in range(max(repeat, 1)):
        for on in (True, False):
            core.tag_places = tagged if on else (lambda fields, url, coverage=None: fields)  # type: ignore[assignment]
            core.place_hints = hints if on else (lambda *args: {})  # type: ignore[assignment]
            start = time.process_time()
            for page in pages:
                extract(*page)
            (with_places if on else without).append((time.process_time() - start) * 1000 / len(pages))
    core.tag_places, core.place_hints = tagged, hints
    a, b = min(with_places), min(without)
    return {
        "cpu_ms_per_page_with_places": round(a, 3),
        "cpu_ms_per_page_without_places": round(b, 3),
        "places_cpu_ms_per_page": round(a - b, 3),
    }


if __name__ == "__main__":
    sys.exit(main())
