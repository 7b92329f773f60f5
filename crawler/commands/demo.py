"""``newsarchive demo``: crawl the bundled offline mirror of every site, twice."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from crawler.commands import crawl_options
from crawler.progress import SiteCounts
from crawler.runner import CrawlResult, UsageError, build_settings, check_locations, print_summary, run_crawl
from pipelines.redact import redact_url

#: where the demo writes unless --archive says otherwise (never ARCHIVE_URI: that may be a production archive)
DEMO_ARCHIVE = "demo-archive"


def port_number(text: str) -> int:
    """A TCP port, 0-65535 (0: any free one)."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from exc
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value}")
    return value


def command_prefix() -> str:
    """``.venv/bin/`` when this runs from the virtualenv in the current directory without it being activated
    (as `make demo` runs it), so the commands the demo suggests work when pasted; else ""."""
    import os
    import shutil

    venv = (Path.cwd() / ".venv").resolve()
    if Path(sys.prefix).resolve() != venv:
        return ""
    found = shutil.which("newsarchive")
    return (
        "" if found and Path(found).resolve().parent == venv / "bin" else f"{os.path.join('.venv', 'bin')}/"
    )


def claim_demo_archive(archive: str) -> None:
    """The demo writes only to an archive that is new or the demo's own (identity ``demo``): refuse any other."""
    from pipelines.archive.identity import BindingError, ensure_identity, has_articles, identity_doc
    from pipelines.storage import StorageError, open_storage

    try:
        try:
            existing = open_storage(archive, {}, writable=False)
        except StorageError:
            existing = None  # not there yet
        if existing is not None and has_articles(existing):
            doc = identity_doc(existing)
            if not (doc and doc.get("demo")):
                raise UsageError(
                    f"the archive {redact_url(archive)} holds records that are not the demo's: the demo writes only "
                    f"to its own archive (default ./{DEMO_ARCHIVE}; give another with --archive)"
                )
            return
        ensure_identity(open_storage(archive, {}), demo=True)
    except (StorageError, BindingError) as exc:
        raise UsageError(f"cannot use the archive: {exc}") from exc


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="crawl the bundled offline mirror of every site (what `make demo` runs)",
        description="Serve the bundled offline mirror of the supported sites, and a generated site that is in "
        "no registry, on 127.0.0.1; crawl them with the real spiders (the generated one by its URL) into "
        "./demo-archive (or --archive; never $ARCHIVE_URI), then edit one article and recheck its site (a second "
        "pass), and print a per-site summary with the revised article and the syndicated (dpa) cluster. The demo "
        "refuses an archive that holds records other than the demo's. With --serve it only serves the mirror, "
        "until Ctrl-C, for trying `newsarchive crawl NAME --mirror URL` by hand.",
    )
    p.add_argument(
        "--archive", metavar="URI", help="the demo's archive (default: ./demo-archive; never $ARCHIVE_URI)"
    )
    p.add_argument(
        "--state", metavar="URI", help="its seen-store (default: beside the archive; never $STATE_URI)"
    )
    p.add_argument(
        "--serve",
        action="store_true",
        help="only serve the mirror on 127.0.0.1 until Ctrl-C, and print commands that crawl it",
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=0,
        metavar="N",
        help="--serve on this port (default: any free one)",
    )
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.add_argument("--no-progress", action="store_true", help="no live progress line on the terminal")
    p.set_defaults(func=run)


DEMO_SETTINGS: dict[str, Any] = {
    # the mirror is our own server on 127.0.0.1: no need to wait between requests
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "DOWNLOAD_DELAY": 0.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def run(args: argparse.Namespace) -> int:
    from crawler.demo import pages_dir
    from crawler.demo.mirror import SiteSpec, build_mirror, load_fixtures
    from crawler.demo.server import MirrorServer
    from crawler.demo.stories import REVISED_SITE, agency_copies, apply, revision
    from crawler.demo.unlisted import add_unlisted_site
    from crawler.sites import site_classes
    from pipelines.state import default_state_uri

    classes = site_classes()
    args.archive = args.archive or DEMO_ARCHIVE
    args.state = args.state or default_state_uri(args.archive)
    opts = crawl_options(args, list(classes))  # bad -s is a usage error before anything is served
    for name in ("ARCHIVE_URI", "STATE_URI"):
        opts.overrides.pop(name, None)  # --archive / --state name the demo's archive
    if not args.serve:
        claim_demo_archive(args.archive)
        check_locations(build_settings(opts))
    pages = pages_dir()
    specs = {name: SiteSpec.from_spider(cls) for name, cls in classes.items()}
    extra = agency_copies(specs, {name: load_fixtures(name, pages) for name in specs})
    mirror = build_mirror(list(specs.values()), pages, extra)
    # and a site that is in no registry, crawled by its URL: entry points discovered, non-articles rejected
    unlisted = add_unlisted_site(mirror)
    if args.serve:
        return serve(mirror, args.port, sorted(classes), unlisted.front_page)
    with MirrorServer(mirror) as server:
        print(
            f"Serving an offline mirror of {len(classes)} sites and of {unlisted.front_page} (by its URL) "
            f"on {server.url}",
            file=sys.stderr,
        )
        opts.sites = [*classes, unlisted.front_page]
        opts.mirror = server.url
        opts.extra_settings = dict(DEMO_SETTINGS)
        if "LOG_LEVEL" not in opts.overrides:
            # the summary is the demo's output; Scrapy's log only for what went wrong (or -s LOG_LEVEL=INFO)
            opts.extra_settings["LOG_LEVEL"] = "WARNING"
        result = run_crawl(opts)
        revised = 0
        if REVISED_SITE in specs and result.exit_code == 0:
            # the second pass: the site edits an article; a recheck of the site archives it as a new revision
            apply(mirror, revision(load_fixtures(REVISED_SITE, pages)[0]))
            code, revised = _recheck(REVISED_SITE, server.url, result, args.set or [])
            if code:
                return code
    print_summary(result)
    if revised:
        print(
            f"\nSecond pass: {REVISED_SITE} edited an article; rechecking the site archived {revised} revision(s)."
        )
    _show_what_sets_us_apart(result.archive_uri)
    archive, state = redact_url(result.archive_uri), redact_url(result.state_uri)
    cmd = f"{command_prefix()}newsarchive"
    print(
        f"\nArchive: {archive}  (seen-store: {state})\n"
        "Read it:\n"
        f"  {cmd} read --archive {archive} | head -n 3\n"
        f"  {cmd} read --archive {archive} --site ndr\n"
        f"  {cmd} report --archive {archive}   (one HTML page: sites, revisions, clusters)\n"
        "  the format, and DuckDB / pyarrow recipes: docs/ARCHIVE.md\n"
        f"Run it again: nothing new is archived the second time. Crawl the mirror by hand: {cmd} demo --serve"
    )
    return result.exit_code


def serve(mirror: Any, port: int, names: list[str], unlisted: str) -> int:
    """Serve the mirror on 127.0.0.1 until Ctrl-C (or SIGTERM)."""
    import signal
    import threading

    from crawler.demo.server import MirrorServer

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = MirrorServer(mirror, port=port).start()
    except OSError as exc:
        raise UsageError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    cmd = f"{command_prefix()}newsarchive"
    try:
        print(
            f"Serving the demo mirror of {len(names)} sites and of {unlisted} on {server.url} (127.0.0.1 only); "
            "Ctrl-C stops it.\nCrawl it from another terminal, into the demo's archive:\n"
            f"  {cmd} crawl ndr --mirror {server.url} --archive {DEMO_ARCHIVE}\n"
            f"  {cmd} crawl {unlisted} --mirror {server.url} --archive {DEMO_ARCHIVE}\n"
            f"Sites: {', '.join(names)}",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    print("Stopped serving.", file=sys.stderr)
    return 0


def _recheck(site: str, mirror: str, first: CrawlResult, overrides: list[str]) -> tuple[int, int]:
    """``crawl SITE --recheck`` against the mirror in a child process (Scrapy's reactor runs once per process);
    its exit code (0 when clean) and the number of revisions it archived."""
    settings = {**DEMO_SETTINGS, "LOG_LEVEL": "WARNING", "HEALTH_ENABLED": False}
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "stats.json"
        argv = [sys.executable, "-m", "crawler.cli", "crawl", site, "--recheck", "--no-progress"]
        argv += ["--mirror", mirror, "--archive", first.archive_uri, "--state", first.state_uri]
        for name, value in settings.items():
            argv += ["-s", f"{name}={value}"]
        for override in overrides:
            argv += ["-s", override]
        argv += ["-s", f"NEWSARCHIVE_STATS_FILE={stats_file}"]
        proc = subprocess.run(argv, capture_output=True, text=True)
        if proc.returncode:
            sys.stderr.write(proc.stdout + proc.stderr)
            return proc.returncode, 0
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    second = SiteCounts.from_stats(site, stats.get(site, {}))
    for row in first.rows:
        if row.site == site:  # one table for both passes
            row.pages += second.pages
            row.archived += second.archived
            row.revised += second.revised
            row.unchanged += second.unchanged
            row.errors += second.errors
    return 0, second.revised


def _show_what_sets_us_apart(archive: str) -> None:
    """Name a revised article and a syndicated cluster in the archive, and the commands that show them."""
    from crawler.report.stats import collect
    from pipelines.archive.reader import open_archive

    stats = collect(open_archive(archive))
    revised = sorted(stats.revised.values(), key=lambda r: (-r.revision, r.site, r.id))
    if revised:
        r = revised[0]
        print(f"\nRevised: {r.title!r} ({r.site}) has {r.revision} revisions. See them with a text diff:")
        print(f"  {command_prefix()}newsarchive history --archive {archive} {r.id}")
    clusters = stats.syndicated()
    if clusters:
        cluster, members = clusters[0]
        sites = ", ".join(sorted({m.site for m in members}))
        print(
            f"\nSyndicated: an agency story in {len(members)} edited copies ({sites}) forms one cluster. Read them:"
        )
        print(f"  {command_prefix()}newsarchive read --archive {archive} --cluster {cluster}")
    _show_places(archive)


def _show_places(archive: str, seed: str = "regionalheute") -> None:
    """Name the places of the seed article (the regional site's), and the command that reads by place."""
    from pipelines.archive.reader import open_archive

    reader = open_archive(archive)
    record = next((r for r in reader.records(site=seed) if r.get("place")), None)
    record = record or next((r for r in reader.records() if r.get("place")), None)
    if record is None:
        return
    place = record["place"]
    others = [p["name"] for p in record.get("places") or [] if p.get("ags") != place.get("ags")]
    also = f"; also named: {', '.join(others)}" if others else ""
    print(
        f"\nPlaces: {record.get('title')!r} ({record.get('site')}) is about {place['name']} "
        f"({place['ags']}, district {place['district']}, {place['land']}; from the {place['source']}){also}. "
        f"Every article about {place['name']}:"
    )
    print(f"  {command_prefix()}newsarchive read --archive {archive} --place {shlex.quote(place['name'])}")
