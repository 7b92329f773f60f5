"""Scrapy settings of newsarchive.

Politeness is on by default: robots.txt obeyed, AutoThrottle, a User-Agent that names the project and
where to reach it, few concurrent requests per site. The archive and the seen-store come from ARCHIVE_URI /
STATE_URI in the environment (or ``-s ARCHIVE_URI=...``); without them the archive is ./archive and the
seen-store ./archive.state.sqlite beside it.
"""

from __future__ import annotations

import os

from crawler import __version__, defaults
from crawler.logredact import install as _redact_overridden_settings
from crawler.termsafe import install_log_escaping as _escape_log_arguments

# Scrapy logs every overridden setting: values of secret-looking names and passwords in URLs are masked there.
_redact_overridden_settings()
# Text from a site in a log line (a URL, a header, an exception's message) never drives a terminal.
_escape_log_arguments()

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders.de"]
NEWSPIDER_MODULE = "crawler.spiders.de"
# plain `scrapy crawl`, `scrapy list` and Scrapyd know every site `newsarchive crawl` knows: the site files, the
# registry, the sites file (SITES_FILE) and sites given by URL (crawler/spiderloader.py)
SPIDER_LOADER_CLASS = "crawler.spiderloader.NewsSpiderLoader"
# `scrapy crawl` exits with newsarchive's exit codes (crawler/scrapy_commands/crawl.py)
COMMANDS_MODULE = "crawler.scrapy_commands"

CONTACT_URL = "https://github.com/newsarchive-project/newsarchive"
USER_AGENT = f"newsarchive/{__version__} (+{CONTACT_URL})"

# No listening port by default (Scrapy's telnet console would open one per crawler: with more than 50 sites in
# one run the port range runs out, and an open port is an attack surface nobody asked for).
TELNETCONSOLE_ENABLED = False

# Politeness.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# `newsarchive crawl` runs one crawler per site in one process: at most this many sites crawl at once, the next
# starting as one finishes (0: all at once). Each site in flight holds its responses, parse trees and parts
# (docs/benchmarks.md, "Many sites in one run"); 32 sites at ~1 request/s each keep the 2 cores busy anyway.
CONCURRENT_SITES = defaults.CONCURRENT_SITES
COOKIES_ENABLED = False

# Robustness: bounded sizes and times, retries with Scrapy's own middleware.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
REDIRECT_MAX_TIMES = 5
# 429 and 503 answers with Retry-After wait that long (up to RETRY_AFTER_MAX seconds) before they are retried.
RETRY_AFTER_MAX = defaults.RETRY_AFTER_MAX
DOWNLOADER_MIDDLEWARES = {
    # first of all: only http(s) requests go on (crawler/netguard.py)
    "crawler.netguard.SchemeGuard": 1,
    # a stopping crawl (an interrupt, --max-articles) sends no further request (crawler/shutdown.py)
    "crawler.shutdown.StopGuard": 2,
    # runs before RetryMiddleware (550) sees the response
    "crawler.middlewares.RetryAfterMiddleware": 560,
    # Scrapy's robots.txt middleware, reading at most ROBOTSTXT_MAX_BYTES of a robots.txt
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.CappedRobotsTxtMiddleware": 100,
    # Scrapy's meta-refresh redirects, looking at the page's head only instead of decoding the whole body
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.HeadMetaRefreshMiddleware": 580,
}
# Incremental crawls read newest first and stop reading a feed or sitemap after this many known articles in a
# row (0: never stop early; known articles are skipped either way), but only when the site's previous run
# finished cleanly: after a killed or cut-short run every listed article is checked.
INCREMENTAL_STOP_AFTER_KNOWN = defaults.INCREMENTAL_STOP_AFTER_KNOWN
# Known articles are not fetched again, except young ones: under REVISIT_MAX_AGE_HOURS old (by published date,
# else first seen) they are refetched at most every REVISIT_INTERVAL_HOURS, conditionally (If-None-Match /
# If-Modified-Since); 0 turns revisits off. `crawl --recheck` refetches every known article the run discovers.
REVISIT_MAX_AGE_HOURS = defaults.REVISIT_MAX_AGE_HOURS
REVISIT_INTERVAL_HOURS = defaults.REVISIT_INTERVAL_HOURS
# Section pages followed at most this deep through their pagination (calendar and pagination traps).
SECTION_MAX_PAGES = defaults.SECTION_MAX_PAGES

# Sites given by their front-page URL (crawler/spiders/discover.py): the entry points found are kept in the state
# store for DISCOVERY_TTL seconds (0: discover on every run); at most DISCOVERY_MAX_SECTIONS section fronts linked
# from the front page are read when no sitemap or feed is found.
DISCOVERY_TTL = defaults.DISCOVERY_TTL
DISCOVERY_MAX_SECTIONS = defaults.DISCOVERY_MAX_SECTIONS
# An incremental run reads the DISCOVERY_INDEX_CHILDREN newest children (by lastmod) of a discovered sitemap index.
DISCOVERY_INDEX_CHILDREN = defaults.DISCOVERY_INDEX_CHILDREN
# Pages of such sites found to be no article (a section front, a form) are not fetched again for REJECTED_TTL seconds.
REJECTED_TTL = defaults.REJECTED_TTL
# A site costs a bounded amount per run; what a cap leaves out is counted as newsarchive/capped/<what> and named
# in the crawl summary (docs/RELIABILITY.md, "Bounded cost per site"). At most FRONTIER_DOCUMENT_URLS entries are
# read from one sitemap, feed or page (the newest, streamed: memory grows with the cap, not the document); at most
# FRONTIER_MAX_URLS article requests are queued per site and run (newest first; the rest wait for the next run); at
# most SITEMAP_INDEX_CHILDREN children of sitemap indexes are read per run (a backfill walks an index one child at
# a time and resumes where it stopped, for BACKFILL_RESUME_TTL seconds); robots.txt is read up to
# ROBOTSTXT_MAX_BYTES; after SITE_TIME_BUDGET seconds (0: no limit) a site stops scheduling, finishes the requests
# in flight and commits what it has.
FRONTIER_DOCUMENT_URLS = defaults.FRONTIER_DOCUMENT_URLS
FRONTIER_MAX_URLS = defaults.FRONTIER_MAX_URLS
SITEMAP_INDEX_CHILDREN = defaults.SITEMAP_INDEX_CHILDREN
BACKFILL_RESUME_TTL = defaults.BACKFILL_RESUME_TTL
ROBOTSTXT_MAX_BYTES = defaults.ROBOTSTXT_MAX_BYTES
SITE_TIME_BUDGET = defaults.SITE_TIME_BUDGET
# A user's TOML list of sites (crawler/sites/entry.py, docs/ADDING_A_SITE.md); `crawl --sites-file` sets it too.
SITES_FILE = os.environ.get("SITES_FILE", "")

# Every http(s) request goes through the mirror handler; it is a pass-through unless MIRROR_URL is set, in
# which case requests for a site's hosts are sent to that server (path and query kept, real host in Host:).
# Under --mirror, requests for any other host are refused without a DNS lookup.
MIRROR_URL = ""
# Only http and https are ever fetched: Scrapy's file, data, s3 and ftp handlers are off.
DOWNLOAD_HANDLERS = {
    "http": "crawler.mirror.MirrorDownloadHandler",
    "https": "crawler.mirror.MirrorDownloadHandler",
    "file": None,
    "data": None,
    "s3": None,
    "ftp": None,
}
# Addresses are checked after DNS resolution, on every hop (crawler/netguard.py): loopback, private, link-local,
# CGNAT, multicast and reserved addresses are refused (counted as newsarchive/rejected/address) except in these
# networks, e.g. ["10.1.0.0/16"] or -s ALLOWED_NETWORKS=10.1.0.0/16,fd00::/8 for sites on an intranet. The
# --mirror target is always allowed.
ALLOWED_NETWORKS: list[str] = []
TWISTED_DNS_RESOLVER = "crawler.netguard.GuardedResolver"
# host -> address(es) answered without DNS, for tests and offline runs; checked like any DNS answer.
DNS_OVERRIDES: dict[str, str | list[str]] = {}

# No listening port unless asked: Scrapy's telnet console and remote-control HTTP server both run code for whoever
# reaches them. -s TELNETCONSOLE_ENABLED=1 or -s REMOTE_CONTROL_ENABLED=1 turns one on for debugging.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

EXTENSIONS = {
    "crawler.gctune.GcTuning": 0,
    "crawler.extensions.SiteLock": 100,
    "crawler.shutdown.MaxArticles": 200,
    "crawler.extensions.SiteBudget": 150,
    "crawler.extensions.ItemErrors": 160,
    "crawler.health.HealthMonitor": 500,
    "crawler.extensions.StatsFile": 900,
}
# Extraction health per site and run, judged against the site's history for drift (docs/HEALTH.md); the
# thresholds are HEALTH_* settings with the defaults documented there.
HEALTH_ENABLED = defaults.HEALTH_ENABLED
# A site's run with fewer articles than this is not judged on them (coverage, length, layers) nor used as a baseline.
HEALTH_MIN_ARTICLES = defaults.HEALTH_MIN_ARTICLES
# a JSON file that receives every site's final stats ({site: stats}); empty: none
NEWSARCHIVE_STATS_FILE = ""
# One run per site at a time (a lock in the state store); a dead run's lock expires after RUN_LOCK_TTL seconds.
RUN_LOCK_ENABLED = defaults.RUN_LOCK_ENABLED
RUN_LOCK_TTL = defaults.RUN_LOCK_TTL

ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.cluster.ClusterPipeline": 250,
    # MAX_ARTICLES (crawl --max-articles): later articles are dropped unseen (pipelines/limit.py)
    "pipelines.limit.ArticleLimitPipeline": 290,
    "pipelines.archive.pipeline.ArchivePipeline": 300,
}

# Where the archive and the seen-store live.
ARCHIVE_URI = os.environ.get("ARCHIVE_URI") or "archive"
# empty: the seen-store of ARCHIVE_URI however that is given (here, -s ARCHIVE_URI=..., --archive), e.g.
# ./archive.state.sqlite beside ./archive (pipelines.state.state_uri)
STATE_URI = os.environ.get("STATE_URI", "")
# Parts that cannot be uploaded (the store is down) wait here and go up with the next put or the next run;
# empty: no spool, a failed upload fails the commit. S3 endpoint, region, addressing style and credentials come
# from the environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_S3_ADDRESSING_STYLE, boto3's credential chain);
# never put secrets in settings, since Scrapy logs overridden settings. See docs/DEPLOY.md.
ARCHIVE_SPOOL_DIR = os.environ.get("ARCHIVE_SPOOL_DIR", "")
ARCHIVE_SPOOL_RETRY_INTERVAL = 60.0

# Performance: processes that do the per-article work off the crawl thread (crawler/offthread.py: parse,
# extraction, content hash, MinHash signature, the compressed WARC records), so that a second core works; 0 does
# it inline. Default: one per core beyond the first, 1 to 4.
EXTRACT_WORKERS = defaults.extract_workers()
# Garbage collection (crawler/gctune.py): after start-up the objects alive are frozen (no collection walks them
# again) and the youngest generation is collected every GC_THRESHOLD net allocations instead of CPython's 700, in
# the crawl process and in the extraction workers; GC_TUNE = False keeps CPython's defaults.
GC_TUNE = defaults.GC_TUNE
GC_THRESHOLD = defaults.GC_THRESHOLD
# The archive pipeline builds and compresses the raw WARC records of items that arrive without them (items of
# other spiders) in a thread of its own (compression releases the GIL).
ARCHIVE_WRITER_THREAD = True

# The first SIGINT/SIGTERM stops scheduling and gives the pages in flight up to SHUTDOWN_TIMEOUT seconds before
# the process ends at once (a second interrupt ends it at once); exit code 6 either way (crawler/shutdown.py).
SHUTDOWN_TIMEOUT = defaults.SHUTDOWN_TIMEOUT
# `crawl --max-articles N` sets it: a site stops scheduling after N archived articles (0: no limit).
MAX_ARTICLES = 0

# Dropped items are the normal case for duplicates and unchanged articles: no warnings for them.
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
LOG_LEVEL = "INFO"

FEED_EXPORT_ENCODING = "utf-8"
