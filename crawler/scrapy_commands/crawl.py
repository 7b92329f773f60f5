"""``scrapy crawl SITE`` (and Scrapyd, which runs it) at parity with ``newsarchive crawl SITE``.

The same checks before any request (network settings; the archive and its seen-store belong together), the same
interrupt handling (crawler/shutdown.py) and the same exit codes (README.md): 0 clean, 1 archive error, 2 bad
usage or unusable locations, 3 the site failed entirely, 5 drift, 4 locked, 6 interrupted.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a site's spider (a site name or front-page URL), with newsarchive's checks and exit codes"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's usage errors
            return
        from crawler import defaults
        from crawler.progress import SiteCounts
        from crawler.runner import (
            EXIT_USAGE,
            CrawlResult,
            UsageError,
            check_locations,
            check_network_settings,
            stop_helpers,
        )
        from crawler.shutdown import Interrupts, exit_now, stop
        from pipelines.state import state_uri

        assert self.crawler_process is not None and self.settings is not None
        settings = self.settings
        try:
            crawler = self._create_crawler(args[0])
        except KeyError:
            print(f"scrapy crawl: error: unknown site: {args[0]} (see `scrapy list`)", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        try:
            check_network_settings(crawler.settings)
            check_locations(crawler.settings)
        except UsageError as exc:
            print(f"scrapy crawl: error: {exc}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return

        def stop_all() -> None:
            from crawler.offthread import ExtractPool

            stop(crawler, "shutdown")
            ExtractPool.cancel_waiting()

        interrupts = Interrupts(settings.getfloat("SHUTDOWN_TIMEOUT", defaults.SHUTDOWN_TIMEOUT), stop_all)
        self.crawler_process.crawl(crawler, **opts.spargs)
        interrupts.install()
        try:
            self.crawler_process.start(install_signal_handlers=False)
        finally:
            interrupts.restore()
            stop_helpers()
        name = crawler.spider.name if crawler.spider else args[0]
        stats = crawler.stats.get_stats() if crawler.stats else {}
        result = CrawlResult(
            [SiteCounts.from_stats(name, stats)],
            str(settings.get("ARCHIVE_URI")),
            state_uri(settings),
            interrupted=interrupts.signal_name,
        )
        self.exitcode = result.exit_code or (1 if self.crawler_process.bootstrap_failed else 0)
        if result.interrupted:
            exit_now(self.exitcode)
