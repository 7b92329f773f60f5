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
#: seconds the first interrupt gives the pages in flight before the process ends at once (crawler/shutdown.py)
SHUTDOWN_TIMEOUT = 30.0
#: a site's run with fewer articles than this is not judged on them for drift, nor a baseline (docs/HEALTH.md)
HEALTH_MIN_ARTICLES = 5
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

# A site costs a bounded amount per run (docs/RELIABILITY.md); what a cap leaves out is counted as
# newsarchive/capped/<what> and named in the crawl summary.
#: entries read from one sitemap, feed or page at most: the newest (50,000 is the sitemap protocol's limit)
FRONTIER_DOCUMENT_URLS = 50_000
#: article requests a site queues per run at most (newest first); the rest wait for the next run
FRONTIER_MAX_URLS = 10_000
#: children of sitemap indexes read per run at most (a backfill walks them one at a time and resumes)
SITEMAP_INDEX_CHILDREN = 100
#: seconds a backfill remembers which index children it has read completely
BACKFILL_RESUME_TTL = 90 * 24 * 3600.0
#: robots.txt is read up to this many bytes (Google reads 500 KiB); the rest is ignored
ROBOTSTXT_MAX_BYTES = 512 * 1024
#: seconds a site may crawl per run (0: no limit); then it stops scheduling, finishes and commits
SITE_TIME_BUDGET = 3600.0


def extract_workers() -> int:
    """EXTRACT_WORKERS: one extraction process per core beyond the crawl's own, at least one, at most four."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))
