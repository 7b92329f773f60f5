"""``crawl --region`` end to end: every site of a Land against a synthetic mirror that answers for all its hosts
(crawler/demo/registry_mirror.py), one crawl asserted on many ways."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.registry_mirror import build_registry_mirror
from crawler.demo.server import MirrorServer
from crawler.sites import by_region, registry_spider
from tests.clirun import cli

PER_SITE = 2
# a small positive delay: the project's politeness path (with DOWNLOAD_DELAY 0, Scrapy 2.19 on the asyncio
# reactor may start more than CONCURRENT_REQUESTS_PER_DOMAIN requests to one host at once; see docs/benchmarks.md)
POLITE = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "LOG_LEVEL=WARNING"]
# fewer sites at once than the Land has: the queue in crawler/runner.py starts the rest as sites finish
SITES_AT_ONCE = ["-s", "CONCURRENT_SITES=4"]


@dataclass
class Run:
    sites: list[str]
    proc_stdout: str
    returncode: int
    records: list[dict[str, object]]
    peak_in_flight: dict[str, int]
    expected: dict[str, list[str]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    entries = by_region("SN")
    mirror = build_registry_mirror([registry_spider(e) for e in entries], fixtures_dir(), PER_SITE)
    work = tmp_path_factory.mktemp("region")
    archive = work / "archive"
    with MirrorServer(mirror, latency=0.01) as server:
        proc = cli(
            "crawl", "--region", "SN", "--mirror", server.url, "--archive", str(archive), "--no-progress",
            *POLITE, *SITES_AT_ONCE, cwd=work,
        )  # fmt: skip
        peak = dict(server.peak_in_flight)
    read = cli("read", "--archive", str(archive), cwd=work)
    assert read.returncode == 0, read.stderr
    records = [json.loads(line) for line in read.stdout.splitlines() if line.strip()]
    yield Run(
        [e.name for e in entries], proc.stdout + proc.stderr, proc.returncode, records, peak, mirror.expected
    )


def test_crawl_region_exits_clean(run: Run) -> None:
    assert run.returncode == 0, run.proc_stdout[-3000:]


def test_every_site_of_the_land_is_archived(run: Run) -> None:
    per_site = Counter(str(r["site"]) for r in run.records)
    assert set(per_site) == set(run.sites)
    assert all(n == PER_SITE for n in per_site.values()), per_site
    urls = {str(r["url"]) for r in run.records}
    assert urls == {u for site in run.sites for u in run.expected[site]}


def test_records_carry_the_registry_region(run: Run) -> None:
    sz = next(r for r in run.records if r["site"] == "saechsische")
    assert sz["region"] == "Sachsen: Dresden, Ostsachsen"
    assert sz["publisher"] == "Sächsische Zeitung"
    mdr = next(r for r in run.records if r["site"] == "mdr")
    assert mdr["region"] == "Sachsen, Sachsen-Anhalt, Thüringen"  # a site file's records keep their region


def test_no_host_got_more_than_two_requests_at_once(run: Run) -> None:
    assert run.peak_in_flight, "the mirror saw no requests"
    assert max(run.peak_in_flight.values()) <= 2, run.peak_in_flight  # CONCURRENT_REQUESTS_PER_DOMAIN


def test_summary_lists_every_site(run: Run) -> None:
    for site in run.sites:
        assert site in run.proc_stdout


def test_a_site_with_nothing_pinned_is_discovered_through_its_robots_txt() -> None:
    """A site with nothing pinned starts from its front page's robots.txt, which names its sitemap."""
    entry = next(e for e in by_region("NW") if e.name == "ksta")
    cls = registry_spider(entry)
    assert not (cls.feeds or cls.news_sitemaps or cls.sitemaps or cls.sections)
    mirror = build_registry_mirror([cls], fixtures_dir(), 2)
    robots = mirror.get("www.ksta.de", "/robots.txt")
    assert robots is not None and b"Sitemap: https://www.ksta.de/sitemap.xml" in robots.body


def test_the_mirror_serves_every_registry_site() -> None:
    """make bench-many-sites crawls the whole registry against this mirror: each site's pages are in an article
    URL shape its rules accept (the platforms' shapes included)."""
    from crawler.sites import load_registry

    classes = [registry_spider(e) for e in load_registry()]
    mirror = build_registry_mirror(classes, fixtures_dir(), 1)
    for cls in classes:
        assert mirror.get(cls.domains[0], "/robots.txt") is not None, cls.name
        assert mirror.expected[cls.name], cls.name
