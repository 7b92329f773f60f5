"""One name everywhere: file name = spider name = site name."""

from __future__ import annotations

import importlib
import pkgutil

import crawler.spiders.de as de
from crawler.sites import site_classes
from crawler.spiders.base import NewsSpider


def test_file_name_is_spider_name() -> None:
    modules = [m.name for m in pkgutil.iter_modules(de.__path__)]
    assert modules, "no site files"
    for module_name in modules:
        module = importlib.import_module(f"{de.__name__}.{module_name}")
        spiders = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, NewsSpider) and obj.__module__ == module.__name__
        ]
        assert len(spiders) == 1, f"{module_name}: one spider per site file"
        assert spiders[0].name == module_name


def test_registry_matches_files() -> None:
    modules = {m.name for m in pkgutil.iter_modules(de.__path__)}
    assert set(site_classes()) == modules


def test_every_site_has_data() -> None:
    for name, cls in site_classes().items():
        assert cls.publisher and cls.region and cls.domains, name
        assert cls.feeds or cls.news_sitemaps or cls.sitemaps or cls.sections, name
