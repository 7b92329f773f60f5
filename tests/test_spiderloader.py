"""Plain Scrapy at parity: the spider loader knows every site `newsarchive crawl` knows, and `scrapy crawl`
exits with newsarchive's codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.sites import load_registry, project_settings, site_classes
from crawler.spiderloader import NewsSpiderLoader
from tests.clirun import clean_env

SITES_TOML = """
[[site]]
name = "kreisbote_test"
url = "https://www.kreisbote-test.de/"
feeds = ["https://www.kreisbote-test.de/feed.rss"]
"""


def loader(**overrides: str) -> NewsSpiderLoader:
    settings = Settings(project_settings().copy_to_dict())
    for name, value in overrides.items():
        settings.set(name, value)
    return NewsSpiderLoader(settings)


def test_the_loader_knows_site_files_registry_sites_file_and_urls(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(SITES_TOML)
    found = loader(SITES_FILE=str(sites))
    names = set(found.list())
    assert set(site_classes()) <= names
    assert {e.name for e in load_registry()} <= names
    assert "kreisbote_test" in names
    assert found.load("haz").name == "haz"  # a registry site without a site file
    assert found.load("ndr") is site_classes()["ndr"]
    assert found.load("kreisbote_test").name == "kreisbote_test"
    assert found.load("https://www.example-zeitung.de/").name == "example_zeitung_de"
    with pytest.raises(KeyError):
        found.load("no_such_site")
    assert "kreisbote_test" not in loader().list()  # the sites file only when SITES_FILE names it


def test_scrapy_crawl_exits_like_newsarchive_crawl(tmp_path: Path) -> None:
    def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**clean_env(), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        return subprocess.run(
            [sys.executable, "-m", "scrapy", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip

    unknown = scrapy("crawl", "no_such_site")
    assert unknown.returncode == 2 and "unknown site: no_such_site" in unknown.stderr
    # a dead site (nothing listens on the mirror's port): every entry point fails, exit 3 as in newsarchive crawl
    dead = scrapy("crawl", "ndr", "-s", "MIRROR_URL=http://127.0.0.1:9", "-s", "RETRY_TIMES=0",
                  "-s", "LOG_LEVEL=WARNING", "-s", "ARCHIVE_URI=x")  # fmt: skip
    assert dead.returncode == 3, dead.stderr[-2000:]
    assert (tmp_path / "x.state.sqlite").exists(), "the seen-store follows -s ARCHIVE_URI"
    assert not (tmp_path / "archive.state.sqlite").exists()
