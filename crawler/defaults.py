"""Defaults of newsarchive's own crawler settings, written once.

crawler/settings.py sets each of them; every component that reads one passes the same value as its fallback, so
a crawl without our settings module (plain Scrapy with other settings, a test's ``get_crawler``) behaves the
same. The archive pipeline's settings keep their defaults in pipelines/ (which never imports crawler/), and
settings.py takes them from there. No Scrapy imports here.
"""

from __future__ import annotations

import os

from pipelines.state.base import DEFAULT_TTL as _LOCK_TTL

#: stop reading a feed or sitemap after this many known articles in a row (after a clean previous run only)
INCREMENTAL_STOP_AFTER_KNOWN = 20
#: refetch known articles younger than this (hours; 0: never) ...
REVISIT_MAX_AGE_HOURS = 48.0
#: ... at most this often (hours)
REVISIT_INTERVAL_HOURS = 6.0
#: follow a section page's pagination at most this deep
SECTION_MAX_PAGES = 5
#: the longest Retry-After wait honoured (seconds)
RETRY_AFTER_MAX = 120.0
#: one run per site at a time, and the seconds a dead run's lock lasts
RUN_LOCK_ENABLED = True
RUN_LOCK_TTL = _LOCK_TTL
#: extraction health per site and run (docs/HEALTH.md)
HEALTH_ENABLED = True
#: sites crawling at once in one process (0: all at once)
CONCURRENT_SITES = 32
#: sites given by URL: seconds the discovered entry points are kept (0: discover on every run)
DISCOVERY_TTL = 24 * 3600.0
#: ... section fronts linked from the front page read at most
DISCOVERY_MAX_SECTIONS = 20
#: ... the newest children of a discovered sitemap index an incremental run reads
DISCOVERY_INDEX_CHILDREN = 5
#: ... seconds a page found to be no article is not fetched again
REJECTED_TTL = 7 * 24 * 3600.0
#: garbage collection (crawler/gctune.py): the start-up objects frozen in the crawl process and the extraction
#: workers, and the youngest generation collected every GC_THRESHOLD net allocations (CPython: 700)
GC_TUNE = True
GC_THRESHOLD = 50_000


def extract_workers() -> int:
    """EXTRACT_WORKERS: one extraction process per core beyond the crawl's own, at least one, at most four."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))
