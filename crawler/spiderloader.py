"""The spider loader of plain ``scrapy crawl``, ``scrapy list`` and Scrapyd (SPIDER_LOADER_CLASS): the same sites
as ``newsarchive crawl``.

Scrapy's own loader finds the site files under crawler/spiders/de; this one adds every site of the registry,
every entry of the user's sites file (SITES_FILE, e.g. ``scrapy crawl mysite -s SITES_FILE=sites.toml``) and
sites given by their front-page URL (``scrapy crawl https://www.example-zeitung.de/``). It only calls the
public functions of the sites package (crawler.sites).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Self

from scrapy.spiderloader import SpiderLoader

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings


class NewsSpiderLoader(SpiderLoader):
    """Site files, the registry, the sites file and URL sites, by name (a URL site by its URL)."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.settings = settings
        self._reg: dict[str, type[Spider]] | None = None
        self._more: dict[str, type[Spider]] | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings)

    def _registry(self) -> dict[str, type[Spider]]:
        """The registry's sites that are no site file (loaded once)."""
        if self._reg is None:
            from crawler.sites import registry_spiders

            self._reg = {k: v for k, v in registry_spiders().items() if k not in self._spiders}
        return self._reg

    def _others(self) -> dict[str, type[Spider]]:
        """The registry's and the sites file's sites that are no site file (loaded once)."""
        if self._more is None:
            from crawler.sites import spider_class, user_sites

            more = dict(self._registry())
            for name, entry in user_sites(self.settings).items():  # type: ignore[arg-type]
                if name not in self._spiders:
                    more.setdefault(name, spider_class(entry))
            self._more = more
        return self._more

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name in self._spiders:
            return self._spiders[spider_name]
        others = self._others()
        if spider_name in others:
            return others[spider_name]
        from crawler.sites import is_site_url

        if is_site_url(spider_name):
            from crawler.sites import resolve_sites

            known = {**self._registry(), **self._spiders}
            found = resolve_sites([spider_name], self.settings, known)  # type: ignore[arg-type]
            return next(iter(found.values()))
        raise KeyError(f"Spider not found: {spider_name}")

    def list(self) -> list[str]:
        return sorted({*self._spiders, *self._others()})

    def find_by_request(self, request: Request) -> builtins.list[str]:
        found = super().find_by_request(request)
        return found or [n for n, c in self._others().items() if c.handles_request(request)]
