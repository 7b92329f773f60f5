"""``newsarchive sites probe URL``: a dry run on a site given by its front-page URL; nothing is archived."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from crawler.runner import (
    EXIT_OK,
    EXIT_SITE_FAILED,
    CrawlOptions,
    UsageError,
    build_settings,
    parse_overrides,
)

DEFAULT_SAMPLES = 3
DEFAULT_MAX_PAGES = 40


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser(
        "probe",
        help="dry run on a site by URL: entry points, sample articles, rejected pages, a sites-file entry",
        description="Discover a site's entry points from its front-page URL and read a few of its pages, as a "
        "crawl would, but archive nothing and mark nothing seen: prints the entry points found, how many article "
        "URLs they list, sample articles with their extracted fields, the pages rejected and why, the health "
        "figures, and a ready [[site]] entry for a sites file.",
    )
    p.add_argument("url", metavar="URL", help="the site's front page, http(s)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--samples", type=int, default=DEFAULT_SAMPLES, metavar="N", help="sample articles to show"
    )
    p.add_argument(
        "--max-pages",
        type=int,
        default=DEFAULT_MAX_PAGES,
        metavar="N",
        help=f"stop after N fetched pages (default {DEFAULT_MAX_PAGES})",
    )
    p.add_argument(
        "--mirror", metavar="URL", help="send the site's requests to this server (as `crawl --mirror`)"
    )
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting")
    p.set_defaults(func=run)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def sites_file_entry(name: str, url: str, found: dict[str, list[str]], publisher: str, language: str) -> str:
    """A [[site]] table for the sites file, with what the probe found."""
    lines = ["[[site]]", f"url = {json.dumps(url)}", f"name = {json.dumps(name)}"]
    if publisher:
        lines.append(f"publisher = {json.dumps(publisher, ensure_ascii=False)}")
    if language:
        lines.append(f"language = {json.dumps(language)}")
    for key in ("feeds", "news_sitemaps", "sitemaps", "sections"):
        if found.get(key):
            lines.append(f"{key} = {_toml_list(found[key])}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.health import HealthTally
    from crawler.sites import SitesError, entry_for_url, is_site_url, spider_class
    from crawler.spiders.discover import DiscoveringSpider

    if not is_site_url(args.url):
        raise UsageError(f"probe takes a front-page URL (http:// or https://), got {args.url!r}")
    try:
        entry = entry_for_url(args.url)
    except SitesError as exc:
        raise UsageError(str(exc)) from exc
    if args.samples < 0 or args.max_pages < 1:
        raise UsageError("--samples must be 0 or more and --max-pages 1 or more")
    with tempfile.TemporaryDirectory(prefix="newsarchive-probe-") as tmp:
        state = str(Path(tmp) / "probe.state.sqlite")
        opts = CrawlOptions(
            sites=[args.url], state_uri=state, mirror=args.mirror, overrides=parse_overrides(args.set or [])
        )
        # a dry run: no pipelines (nothing archived, nothing marked seen), a throw-away seen-store, no health
        # history, no lock, no discovery cache; a bounded number of pages
        opts.extra_settings = {
            "ITEM_PIPELINES": {},
            "HEALTH_ENABLED": False,
            "RUN_LOCK_ENABLED": False,
            "DISCOVERY_TTL": 0,
            "REJECTED_TTL": 0,
            "CLOSESPIDER_PAGECOUNT": args.max_pages,
            "CLOSESPIDER_ITEMCOUNT": max(args.samples, 1) * 3,
            "LOG_LEVEL": "ERROR",
        }
        settings = build_settings(opts)
        cls = spider_class(entry)
        items: list[dict[str, Any]] = []
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(cls)

        def scraped(item: Any) -> None:
            items.append(dict(item))

        crawler.signals.connect(scraped, signal=signals.item_scraped)
        process.crawl(crawler)
        process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        spider = crawler.spider
    found: dict[str, list[str]] = (
        getattr(spider, "_found", {}) if isinstance(spider, DiscoveringSpider) else {}
    )
    rejected = list(getattr(spider, "rejected_pages", []))
    tally = HealthTally()
    for item in items:
        tally.add(item)
    reasons = Counter(reason for _url, reason in rejected)
    health = tally.summary(len(rejected))
    health["rejected_reasons"] = dict(reasons)
    publishers = Counter(str(i.get("publisher") or "") for i in items if i.get("publisher"))
    languages = Counter(str(i.get("language") or "") for i in items if i.get("language"))
    publisher = publishers.most_common(1)[0][0] if publishers else ""
    language = languages.most_common(1)[0][0] if languages else ""
    samples = [
        {
            "url": i.get("url"),
            "title": i.get("title"),
            "published": i.get("published"),
            "authors": i.get("authors"),
            "publisher": i.get("publisher"),
            "language": i.get("language"),
            "words": len(str(i.get("body") or "").split()),
            "body": str(i.get("body") or "")[:300],
            "extractor": (i.get("extractor") or {}).get("method"),
        }
        for i in items[: args.samples]
    ]
    listed = int(stats.get("newsarchive/discovered", 0) or 0)
    errors = sum(
        int(stats.get(k, 0) or 0) for k in ("newsarchive/entry_point_errors", "newsarchive/discovery_errors")
    )
    # an unreachable site (nothing answered) or one whose every entry point failed has no entry to offer
    failed = (
        not items and not listed and (errors > 0 or not int(stats.get("downloader/response_count", 0) or 0))
    )
    report = {
        "site": entry.name,
        "url": entry.url,
        "entry_points": found,
        "article_urls_listed": listed,
        "skipped_urls": int(stats.get("newsarchive/skipped_urls", 0) or 0),
        "pages_fetched": int(stats.get("downloader/response_count", 0) or 0),
        "articles": len(items),
        "samples": samples,
        "rejected": [{"url": u, "reason": r} for u, r in rejected],
        "health": health,
        "failed": failed,
        "sites_file_entry": None
        if failed
        else sites_file_entry(entry.name, entry.url, found, publisher, language),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print_report(report)
    return EXIT_SITE_FAILED if failed else EXIT_OK


def print_report(report: dict[str, Any], out: Any = None) -> None:
    from crawler.health import describe

    out = out or sys.stdout
    print(f"site {report['site']} ({report['url']}): a dry run, nothing archived", file=out)
    found = report["entry_points"]
    print("\nentry points found:", file=out)
    for key in ("news_sitemaps", "sitemaps", "feeds", "sections"):
        for url in found.get(key) or []:
            print(f"  {key[:-1].replace('_', ' ')}: {url}", file=out)
    if not any(found.values()):
        print("  none (see the messages above)", file=out)
    print(
        f"\narticle URLs listed: {report['article_urls_listed']} (skipped by URL rules: {report['skipped_urls']}); "
        f"pages fetched: {report['pages_fetched']}, articles among them: {report['articles']}",
        file=out,
    )
    for s in report["samples"]:
        print(
            f"\n  {s['url']}\n    title: {s['title']}\n    published: {s['published']}  authors: "
            f"{', '.join(s['authors'] or []) or '-'}  publisher: {s['publisher']}  language: {s['language']}\n"
            f"    body: {s['words']} words ({s['extractor']}): {s['body'][:160]}...",
            file=out,
        )
    if report["rejected"]:
        print("\nrejected (not articles):", file=out)
        for r in report["rejected"]:
            print(f"  {r['reason']}: {r['url']}", file=out)
    print("\n" + describe(report["site"], report["health"]), file=out)
    if report["sites_file_entry"] is None:
        print(
            "\nno entry for your sites file: nothing could be read from the site (see the messages above)",
            file=out,
        )
    else:
        print("\nfor your sites file:\n\n" + report["sites_file_entry"], file=out)
