"""Run crawls of one or more sites in one process and report on them (used by ``crawl`` and ``demo``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from crawler import defaults
from crawler.progress import ProgressExtension, SiteCounts, summary_table
from crawler.shutdown import EXIT_INTERRUPTED, Interrupts, stop
from crawler.sites import UnknownSites, project_settings, resolve_sites
from crawler.spiders.base import NewsSpider

# Exit codes, documented in README.md for schedulers.
EXIT_OK = 0
EXIT_ARCHIVE_ERROR = 1
EXIT_USAGE = 2
EXIT_SITE_FAILED = 3
EXIT_LOCKED = 4
EXIT_DRIFT = 5  # a site's extraction health drifted (docs/HEALTH.md)
# EXIT_INTERRUPTED = 6 (crawler/shutdown.py): the run was interrupted (SIGINT/SIGTERM); precedence 1, 6, 3, 5, 4
__all__ = ["EXIT_INTERRUPTED"]


class UsageError(Exception):
    """A bad argument or an unusable archive/state location: a message and exit code 2."""


@dataclass
class CrawlOptions:
    sites: list[str]
    archive_uri: str | None = None
    state_uri: str | None = None
    max_articles: int | None = None
    mirror: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    mode: str = "incremental"
    date_from: str | None = None
    date_to: str | None = None
    progress: bool = False
    recheck: bool = False  # refetch every known article the run discovers (conditionally)
    distributed: str | None = None  # redis:// URI: be one worker of a distributed crawl (crawler/distributed)
    sites_file: str | None = None  # a user's TOML list of sites (crawler/sites/entry.py); else SITES_FILE
    extra_settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class CrawlResult:
    rows: list[SiteCounts]
    archive_uri: str
    state_uri: str
    interrupted: str = ""  # the signal that interrupted the run ("" when none)

    @property
    def exit_code(self) -> int:
        if any(r.archive_errors or r.item_errors for r in self.rows):
            return EXIT_ARCHIVE_ERROR
        if self.interrupted:
            return EXIT_INTERRUPTED
        if any(r.failed for r in self.rows):
            return EXIT_SITE_FAILED
        if any(r.drift for r in self.rows):
            return EXIT_DRIFT
        if any(r.locked_by for r in self.rows):
            return EXIT_LOCKED
        return EXIT_OK


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["NAME=VALUE", ...]`` as given to ``-s``."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s takes NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def build_settings(opts: CrawlOptions) -> Settings:
    """Project settings with the command line's choices on top (``-s`` last, as in ``scrapy crawl``)."""
    from crawler.locations import default_state_uri

    settings = project_settings().copy()
    if opts.archive_uri:
        settings.set("ARCHIVE_URI", opts.archive_uri, priority="cmdline")
        if not opts.state_uri and "STATE_URI" not in opts.overrides:
            settings.set("STATE_URI", default_state_uri(opts.archive_uri), priority="cmdline")
    if opts.state_uri:
        settings.set("STATE_URI", opts.state_uri, priority="cmdline")
    if opts.mirror:
        settings.set("MIRROR_URL", opts.mirror.rstrip("/"), priority="cmdline")
    if opts.sites_file:
        settings.set("SITES_FILE", opts.sites_file, priority="cmdline")
    if opts.distributed:
        from crawler.distributed import distributed_settings
        from pipelines.state import StateError

        try:
            shared = distributed_settings(opts.distributed, settings.getdict("DOWNLOADER_MIDDLEWARES"))
        except StateError as exc:
            raise UsageError(f"--distributed: {exc}") from exc
        for name, value in shared.items():
            settings.set(name, value, priority="cmdline")
        if not opts.state_uri and "STATE_URI" not in opts.overrides:
            settings.set("STATE_URI", opts.distributed, priority="cmdline")
    if opts.max_articles:
        settings.set("MAX_ARTICLES", opts.max_articles, priority="cmdline")
    if opts.progress:
        settings.set("NEWSARCHIVE_PROGRESS", True, priority="cmdline")
        settings.set(
            "EXTENSIONS", {**settings.getdict("EXTENSIONS"), "crawler.progress.ProgressExtension": 900}
        )
        if "LOG_LEVEL" not in opts.overrides:
            settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for name, value in opts.extra_settings.items():
        settings.set(name, value, priority="cmdline")
    for name, value in opts.overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def check_network_settings(settings: Settings) -> None:
    """ALLOWED_NETWORKS and DNS_OVERRIDES must parse before the resolver is built from them."""
    from crawler.netguard import parse_networks, parse_overrides

    try:
        parse_networks(settings.getlist("ALLOWED_NETWORKS"))
        parse_overrides(settings.getdict("DNS_OVERRIDES"))
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def check_redis(uri: str) -> None:
    """The distributed crawl's Redis answers (PING, with its password) before any request to a site."""
    from pipelines.state import StateError
    from pipelines.state.redis import connect

    try:
        client, _prefix = connect(uri)
    except StateError as exc:
        raise UsageError(f"--distributed: {exc}") from exc
    client.close()


def check_locations(settings: Settings) -> None:
    """Open the archive and the seen-store once before any request, so a bad URI fails at start, and check that
    the seen-store belongs to the archive (pipelines/archive/identity.py)."""
    from pipelines.archive.identity import BindingError, bind
    from pipelines.state import StateError, open_state, parse_state_uri, state_uri
    from pipelines.storage import Storage, StorageError, open_storage

    state = state_uri(settings)
    try:
        where = parse_state_uri(state)  # before the archive creates anything
    except StateError as exc:
        raise UsageError(f"cannot use the seen-store: {exc}") from exc
    new_file = where.backend == "sqlite" and not Path(where.target).exists()
    uri = str(settings.get("ARCHIVE_URI"))

    def writable() -> Storage:
        try:
            return open_storage(uri, settings)
        except (StorageError, NotConfigured) as exc:
            raise UsageError(f"cannot use the archive: {exc}") from exc

    try:  # read first: nothing is created for a pair that is refused
        storage: Storage | None = open_storage(uri, settings, writable=False)
    except StorageError:
        storage = None  # not there yet (a new local archive), or unusable: opening it to write says why
        local = uri.removeprefix("file://")
        if "://" in uri.replace("file://", "", 1) or Path(local).exists():
            writable()
    except NotConfigured as exc:
        raise UsageError(f"cannot use the archive: {exc}") from exc
    try:
        store = open_state(state)
    except StateError as exc:
        raise UsageError(f"cannot use the seen-store: {exc}") from exc
    refused: BindingError | None = None
    try:
        bind(storage, store, uri, state, writable)
    except BindingError as exc:
        refused = exc
    except (StateError, StorageError) as exc:
        raise UsageError(f"cannot check the seen-store against the archive: {exc}") from exc
    finally:
        store.close()
    if refused is not None:
        if new_file:  # a mistyped --state leaves no empty store behind
            for suffix in ("", "-wal", "-shm"):
                Path(where.target + suffix).unlink(missing_ok=True)
        raise UsageError(str(refused)) from refused


def run_crawl(opts: CrawlOptions, classes: dict[str, type[NewsSpider]] | None = None) -> CrawlResult:
    """Crawl the sites (each with its own spider; at most CONCURRENT_SITES at once) and collect their figures.

    ``classes`` (name -> spider) is what site names resolve against: by default the registry's sites
    (crawler/sites/data) and the site files; URLs and the sites file's entries come on top (crawler.sites).
    """
    from crawler.sites import SitesError, registry_spiders, site_classes
    from crawler.spiders.discover import DiscoveringSpider
    from pipelines.state import state_uri

    settings = build_settings(opts)
    if classes is None:
        classes = {**registry_spiders(), **site_classes(settings)}
    try:
        classes = resolve_sites(opts.sites, settings, classes)
    except UnknownSites as exc:
        raise UsageError(unknown_sites_message(opts.sites, settings, classes)) from exc
    except SitesError as exc:
        raise UsageError(str(exc)) from exc
    if not classes:
        raise UsageError("no site to crawl: give site names or front-page URLs, or a sites file with entries")
    if opts.mode == "backfill":
        # a site given by URL backfills from the sitemaps it discovers (or says at run time that it has none)
        missing = [
            n for n, c in classes.items() if not c.archive_sitemap and not issubclass(c, DiscoveringSpider)
        ]
        if missing:
            raise UsageError(f"no archive sitemaps to backfill from for: {', '.join(missing)}")
    check_network_settings(settings)
    if opts.distributed:
        check_redis(opts.distributed)
    check_locations(settings)
    process = CrawlerProcess(settings)
    crawlers = [(name, process.create_crawler(cls)) for name, cls in classes.items()]
    # at most CONCURRENT_SITES sites crawl at once; the next starts when one finishes (memory grows with the
    # sites in flight, not with the sites of the run)
    queue = [crawler for _, crawler in crawlers]
    args = {"mode": opts.mode, "date_from": opts.date_from, "date_to": opts.date_to, "recheck": opts.recheck}

    started: list[Any] = []

    def start_next(result: Any = None) -> Any:
        if queue:
            crawler = queue.pop(0)
            started.append(crawler)
            process.crawl(crawler, **args).addBoth(start_next)
        return result

    def stop_all() -> None:
        # the first interrupt: start no further site, stop every running one (their pipelines commit); pages
        # waiting for an extraction worker are extracted inline instead of waiting for it
        from crawler.offthread import ExtractPool

        queue.clear()
        for crawler in started:
            stop(crawler, "shutdown")
        ExtractPool.cancel_waiting()

    interrupts = Interrupts(settings.getfloat("SHUTDOWN_TIMEOUT", defaults.SHUTDOWN_TIMEOUT), stop_all)
    limit = settings.getint("CONCURRENT_SITES", defaults.CONCURRENT_SITES)
    for _ in range(limit if limit > 0 else len(queue)):
        start_next()
    interrupts.install()
    try:
        process.start(install_signal_handlers=False)
    finally:
        interrupts.restore()
        stop_helpers()
    if opts.progress:
        ProgressExtension.finish()
    rows = [SiteCounts.from_stats(name, c.stats.get_stats() if c.stats else {}) for name, c in crawlers]
    return CrawlResult(
        rows,
        str(settings.get("ARCHIVE_URI")),
        state_uri(settings),
        interrupted=interrupts.signal_name,
    )


def site_hint(arg: str, known: list[str]) -> str:
    """What an unknown site argument probably meant: a name in other case or spelling, or a URL."""
    import difflib

    lowered = arg.strip().lower()
    _scheme, sep, rest = arg.partition("://")
    if sep:  # a URL with a mistyped or unsupported scheme
        return f"not an http(s) URL; did you mean https://{rest}?"
    if lowered in known:
        return f"site names are lower case: did you mean {lowered}?"
    close = difflib.get_close_matches(lowered.replace("-", "_"), known, n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]}?"
    if "." in arg and " " not in arg:
        return f"a site given by its address needs the scheme: https://{arg.rstrip('/')}/"
    return "not a known site name"


def unknown_sites_message(args: list[str], settings: Settings, classes: dict[str, Any]) -> str:
    """One line for the unknown site arguments, each with a hint, instead of every known name."""
    from crawler.sites import SitesError, is_site_url, user_sites

    try:
        entries = user_sites(settings)
    except SitesError:
        entries = {}
    known = sorted({*classes, *entries})
    unknown = [a for a in args if not is_site_url(a) and a not in classes and a not in entries]
    hints = "; ".join(f"{a} ({site_hint(a, known)})" for a in unknown)
    return (
        f"unknown site(s): {hints} (`newsarchive sites` lists the {len(known)} known sites; any news site can be "
        "given by its front-page URL, https://...)"
    )


def stop_helpers() -> None:
    """After the reactor: the extraction workers and the archive writer thread are gone, also when a spider never
    closed (nothing of theirs may keep the process alive)."""
    from crawler.offthread import ExtractPool
    from pipelines.archive.pipeline import SharedWriter

    ExtractPool.stop_shared()
    SharedWriter.stop()


#: what each newsarchive/capped/<what> counts, and the setting that caps it
CAPS = {
    "document_urls": "URL(s) beyond FRONTIER_DOCUMENT_URLS of one sitemap, feed or page",
    "urls": "URL(s) beyond FRONTIER_MAX_URLS queued this run",
    "documents": "sitemap(s) or feed(s) not read, the frontier being full",
    "index_children": "sitemap index child(ren) beyond SITEMAP_INDEX_CHILDREN",
    "robots_txt": "robots.txt cut at ROBOTSTXT_MAX_BYTES",
    "time_budget": "queued request(s) dropped when SITE_TIME_BUDGET was spent",
}


def describe_capped(capped: dict[str, int]) -> str:
    """``newsarchive/capped/*`` counters in words: ``642590 URL(s) beyond FRONTIER_DOCUMENT_URLS ...; ...``."""
    return "; ".join(f"{n} {CAPS.get(what, what)}" for what, n in sorted(capped.items()))


def print_summary(result: CrawlResult, out: Any = None) -> None:
    from crawler.health import describe, drift_message
    from crawler.netguard import ADDRESS_RULE

    out = out or sys.stdout
    print(summary_table(result.rows), file=out)
    healths = [(r.site, r.health) for r in result.rows if r.health]
    if healths:
        print("", *(describe(site, health) for site, health in healths), sep="\n", file=out)
    for site, health in healths:
        if health.get("drift"):
            print(f"\nWARNING: {drift_message(site, health['drift'], health.get('kind', 'entry'))}", file=out)
    archived = sum(r.archived for r in result.rows)
    if result.interrupted:
        print(
            f"\nInterrupted ({result.interrupted}): {archived} article(s) committed to the archive; "
            "the next run fetches the rest.",
            file=out,
        )
    elif archived == 0 and not any(
        r.failed or r.archive_errors or r.locked_by or r.errors for r in result.rows
    ):
        print("\nNothing new: every article found is already in the archive.", file=out)
    elif archived == 0:
        print(
            f"\nNo article archived: {sum(r.errors for r in result.rows)} error(s) (see the log).", file=out
        )
    for r in result.rows:
        if r.locked_by:
            print(f"\nsite {r.site} was not crawled: another run holds it ({r.locked_by})", file=out)
        elif r.failed and r.refused:
            print(
                f"\nsite {r.site} failed: {r.refused} request(s) refused by the address rule ({ADDRESS_RULE}); "
                "see the log",
                file=out,
            )
        elif r.failed:
            print(f"\nsite {r.site} failed: none of its entry points could be read (see the log)", file=out)
        if r.archive_errors:
            print(
                f"\nsite {r.site}: {r.archive_errors} part(s) could not be written to the archive", file=out
            )
        if r.item_errors:
            print(
                f"\nsite {r.site}: {r.item_errors} page(s) failed in a pipeline, not archived (see the log)",
                file=out,
            )
        if r.capped:
            print(f"\nsite {r.site}: capped (left for the next run): {describe_capped(r.capped)}", file=out)
