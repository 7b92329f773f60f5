"""`newsarchive demo` end to end (every site of the mirror), and the backfill mode against archive sitemaps."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror, SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.demo.stories import AGENCY_SITES, COPIES, REVISED_SITE
from crawler.demo.unlisted import add_unlisted_site
from crawler.sites import site_classes, site_name_for
from pipelines.archive.reader import open_archive
from tests.clirun import FAST, clean_env, cli


def fixture_urls() -> dict[str, set[str]]:
    urls: dict[str, set[str]] = {}
    for path in fixtures_dir().glob("*/*/expected.json"):
        urls.setdefault(path.parent.parent.name, set()).add(json.loads(path.read_text())["url"])
    return urls


def test_demo_archives_every_site_a_revision_and_a_cluster_then_nothing_new(tmp_path: Path) -> None:
    first = cli("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    records = list(open_archive(str(tmp_path / "demo-archive")).records())
    by_site: dict[str, set[str]] = {}
    for r in records:
        by_site.setdefault(r["site"], set()).add(r["url"])
    # the generated site in no registry, crawled by its URL: its articles and none of its non-articles
    unlisted = add_unlisted_site(Mirror())
    assert by_site.pop(site_name_for(unlisted.front_page)) == set(unlisted.articles)
    assert set(by_site) == set(site_classes())
    for site in site_classes():
        extra = by_site[site] - fixture_urls()[site]
        assert fixture_urls()[site] <= by_site[site], f"{site}: every saved page"
        assert len(extra) == (1 if site in AGENCY_SITES else 0), f"{site}: the agency story's copy only"
    for site in site_classes():
        assert site in first.stdout, f"{site} in the summary"
    assert "newsarchive read" in first.stdout, "says how to read the archive"

    # the second pass archived the edited article as revision 2, with a diff to see
    revised = [r for r in records if r["revision"] > 1]
    assert [(r["site"], r["revision"]) for r in revised] == [(REVISED_SITE, 2)]
    assert f"newsarchive history --archive demo-archive {revised[0]['id']}" in first.stdout
    assert "Second pass" in first.stdout
    # the agency story's edited copies share a cluster (the first copy's id)
    copies = [r for r in records if r["title"] in {title for title, _ in COPIES.values()}]
    assert sorted(r["site"] for r in copies) == sorted(AGENCY_SITES)
    cluster = next(r["cluster"] for r in copies if r["cluster"])
    assert {r["cluster"] or r["id"] for r in copies} == {cluster}
    assert f"--cluster {cluster}" in first.stdout
    # the seed article's places, and reading by place
    assert "is about Wolfsburg (03103000, district 03103, DE-NI; from the dateline)" in first.stdout
    assert "--place Wolfsburg" in first.stdout
    by_place = cli("read", "--archive", "demo-archive", "--place", "Wolfsburg", cwd=tmp_path)
    assert by_place.returncode == 0 and by_place.stdout.strip(), by_place.stderr
    assert all(json.loads(line)["place"]["district"] == "03103" for line in by_place.stdout.splitlines())
    read = cli("read", "--archive", "demo-archive", "--cluster", cluster, cwd=tmp_path)
    assert sorted(json.loads(line)["site"] for line in read.stdout.splitlines()) == sorted(AGENCY_SITES)
    # the report shows both
    assert cli("report", "--archive", "demo-archive", cwd=tmp_path).returncode == 0
    report = (tmp_path / "report.html").read_text()
    assert "No article has been revised" not in report and revised[0]["id"] in report
    assert (
        "No cluster has more than one article" not in report
        and "1 cluster(s) with more than one article" in report
    )

    # ARCHIVE_URI (a production archive, say) is never the demo's
    env = {
        **clean_env(),
        "ARCHIVE_URI": str(tmp_path / "production"),
        "STATE_URI": str(tmp_path / "prod.sqlite"),
    }
    second = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Nothing new" in second.stdout
    assert len(list(open_archive(str(tmp_path / "demo-archive")).records())) == len(records)
    assert not (tmp_path / "production").exists() and not (tmp_path / "prod.sqlite").exists()
    assert not (tmp_path / "archive").exists()


@pytest.fixture(scope="module")
def mirror() -> Mirror:
    return build_mirror([SiteSpec.from_spider(c) for c in site_classes().values()], fixtures_dir())


@pytest.fixture(scope="module")
def server(mirror: Mirror) -> Iterator[MirrorServer]:
    with MirrorServer(mirror) as srv:
        yield srv


@pytest.mark.parametrize("site", sorted(site_classes()))
def test_every_site_crawls_its_mirror_and_obeys_its_rules(
    site: str, mirror: Mirror, server: MirrorServer, tmp_path: Path
) -> None:
    start = len(server.requests)
    proc = cli("crawl", site, "--mirror", server.url, "--no-progress", *FAST, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    records = list(open_archive(str(tmp_path / "archive")).records())
    assert {r["url"] for r in records} == fixture_urls()[site]
    fetched = {path for _host, path, _status in server.requests[start:]}
    site_mirror = mirror.sites[site]
    for url in site_mirror.rejected:
        assert urlsplit(url).path not in fetched, f"{url} is not an article by the site's rules"
    if site_mirror.disallowed:
        assert urlsplit(site_mirror.disallowed).path not in fetched, "robots.txt is obeyed"


def test_backfill_reads_only_the_archive_sitemaps_of_the_range(server: MirrorServer, tmp_path: Path) -> None:
    site = "braunschweiger_zeitung"
    start = len(server.requests)
    proc = cli(
        "crawl",
        site,
        "--from",
        "2025-11-01",
        "--to",
        "2025-11-30",
        "--mirror",
        server.url,
        *FAST,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    paths = [p for _h, p, _s in server.requests[start:]]
    assert "/sitemaps/archive/sitemap-2025-11-p00.xml.gz" in paths
    assert not any(p in ("/rss", "/sitemaps/news.xml") for p in paths), (
        "backfill reads no feed or news sitemap"
    )
    records = list(open_archive(str(tmp_path / "archive")).records())
    assert {r["url"] for r in records} == fixture_urls()[site]

    other = tmp_path / "other"
    other.mkdir()
    start = len(server.requests)
    proc = cli(
        "crawl", site, "--from", "2024-01-01", "--to", "2024-02-29", "--mirror", server.url, *FAST, cwd=other
    )
    # the mirror has no archive sitemap for those months: nothing could be read, and the exit code says so
    assert proc.returncode == 3, proc.stdout + proc.stderr[-2000:]
    assert "failed" in proc.stdout
    paths = [p for _h, p, _s in server.requests[start:]]
    assert sorted(p for p in paths if "/sitemaps/archive/" in p) == [
        "/sitemaps/archive/sitemap-2024-01-p00.xml.gz",
        "/sitemaps/archive/sitemap-2024-02-p00.xml.gz",
    ]
    assert not any("/article" in p for p in paths), "no article outside the range is fetched"


def test_backfill_starts_no_earlier_than_the_sites_archive() -> None:
    spider = site_classes()["braunschweiger_zeitung"](
        mode="backfill", date_from="1990-01-01", date_to="2006-01-31"
    )
    urls = [url for url, _ in spider.entry_points()]
    assert urls[0].endswith("sitemap-2005-12-p00.xml.gz") and urls[-1].endswith("sitemap-2006-01-p00.xml.gz")


def test_demo_serve_serves_the_mirror_on_loopback_until_ctrl_c(tmp_path: Path) -> None:
    import signal
    import urllib.request

    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "demo", "--serve"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Serving the demo mirror") and "on http://127.0.0.1:" in first, first
        url = first.split(" on ", 1)[1].split(" ", 1)[0]
        assert (
            f"crawl ndr --mirror {url} --archive demo-archive"
            in proc.stdout.readline() + proc.stdout.readline()
        )
        request = urllib.request.Request(url + "/robots.txt", headers={"Host": "www.ndr.de"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert list(tmp_path.iterdir()) == [], "serving writes nothing"
