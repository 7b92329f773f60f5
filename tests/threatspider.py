"""A plain Scrapy spider for tests/test_netguard.py: fetches the URLs it is given and writes what happened.

    scrapy runspider tests/threatspider.py -a "urls=URL|URL" -a out=outcomes.json [-a proxy=http://HOST:PORT]

Run with the project's settings, so the project's download handlers, resolver and middlewares decide what is
fetched; the spider itself checks nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class ThreatSpider(scrapy.Spider):
    name = "threats"
    custom_settings = {
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {"crawler.extensions.StatsFile": 900},
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_TIMES": 1,
        "DOWNLOAD_TIMEOUT": 5,
    }

    def __init__(self, urls: str = "", out: str = "outcomes.json", proxy: str = "", **kw: Any) -> None:
        super().__init__(**kw)
        self.urls = [u for u in urls.split("|") if u]
        self.out = out
        self.proxy = proxy  # every request through this HTTP proxy (Scrapy's HttpProxyMiddleware)
        self.outcomes: dict[str, str] = {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(
                url,
                callback=self.fetched,
                errback=self.failed,
                dont_filter=True,
                cb_kwargs={"start": url},
                meta={"proxy": self.proxy} if self.proxy else {},
            )

    def fetched(self, response: Response, start: str) -> None:
        self.outcomes[start] = f"fetched {response.status} {response.url}"

    def failed(self, failure: Any) -> None:
        start = failure.request.cb_kwargs.get("start", failure.request.url)
        self.outcomes[start] = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"

    def closed(self, reason: str) -> None:
        Path(self.out).write_text(json.dumps(self.outcomes, indent=1))
