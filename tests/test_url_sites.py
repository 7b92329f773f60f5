"""Sites in no registry, crawled by their front-page URL against black-box mirrors served for their host names.

One mirror serves six generated sites (crawler/demo/unlisted.py): one whose robots.txt names a sitemap index,
one whose robots.txt names a sitemap on another host (a CDN), one with only a feed linked from its front page, one with neither (front-page and section links), one whose
robots.txt disallows everything and one whose front page is a PDF. Non-articles are listed in the sitemaps and
feeds and linked from every front page.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.mirror import Mirror
from crawler.demo.server import MirrorServer
from crawler.demo.unlisted import UnlistedSite, add_unlisted_site
from crawler.evaluate import token_f1
from pipelines.state import open_state
from tests.clirun import FAST, cli

HOSTS = {
    "sitemap": "www.kreisbote-nord.de",
    "cdn": "www.kreisbote-nordwest.de",
    "feed": "www.kreisbote-sued.de",
    "links": "www.kreisbote-ost.de",
    "deny": "www.kreisbote-west.de",
    "notpage": "www.kreisbote-mitte.de",
}
GOOD = ("sitemap", "cdn", "feed", "links")


@pytest.fixture(scope="module")
def mirror() -> Iterator[tuple[MirrorServer, dict[str, UnlistedSite]]]:
    m = Mirror()
    sites = {style: add_unlisted_site(m, host, style) for style, host in HOSTS.items()}
    with MirrorServer(m) as server:
        yield server, sites


def read_back(work: Path) -> list[dict[str, Any]]:
    proc = cli("read", "--archive", str(work / "archive"), cwd=work)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def paths(server: MirrorServer, host: str, start: int = 0) -> list[str]:
    return [path for h, path, _status in server.requests[start:] if h.split(":")[0] == host]


@pytest.fixture(scope="module")
def crawled(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, str]:
    server, sites = mirror
    work = tmp_path_factory.mktemp("urlsites")
    urls = [sites[s].front_page for s in GOOD]
    # mixed with a site name: the name of a site that no mirror serves is not needed here, so two URLs and a
    # URL given twice in another spelling show that each site is crawled once
    proc = cli("crawl", *urls, urls[0] + "?utm=x", "--mirror", server.url, *FAST, "--no-progress", cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return work, proc.stdout, proc.stderr


def test_every_article_archived_once_and_no_non_article(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], crawled: tuple[Path, str, str]
) -> None:
    _server, sites = mirror
    work, summary, _ = crawled
    records = read_back(work)
    assert all(n == 1 for n in Counter(r["url"] for r in records).values())
    for style in GOOD:
        site = sites[style]
        name = site.host.removeprefix("www.").replace(".", "_").replace("-", "_")
        got = {r["url"]: r for r in records if r["site"] == name}
        assert set(got) == set(site.articles), style
        assert not set(got) & set(site.non_articles), style
        for url, expected in site.articles.items():
            r = got[url]
            assert r["title"] == expected["title"]
            assert token_f1(expected["body"], r["body"]) >= 0.95, url
            # the publisher comes from the pages (JSON-LD publisher.name or og:site_name), the language is
            # declared or detected (one article in four declares none)
            assert r["publisher"] == site.publisher and r["language"] == "de"
        assert name in summary


def test_rejections_are_counted_per_reason_in_the_health_figures(crawled: tuple[Path, str, str]) -> None:
    work, summary, _ = crawled
    line = next(x for x in summary.splitlines() if x.startswith("health kreisbote_ost_de"))
    for reason in ("section_front", "tag_page", "author_page", "imprint", "newsletter_form", "contact_form"):
        assert f"{reason} 1" in line, line
    for reason in ("gallery", "video", "audio"):
        assert f"{reason} 1" in line, line
    store = open_state(str(work / "archive.state.sqlite"))
    try:
        health = store.health_history("kreisbote_ost_de")[-1].health
    finally:
        store.close()
    assert health["rejected"] == 9 and health["rejected_reasons"]["imprint"] == 1
    assert "errors" in summary.splitlines()[0]
    row = next(x for x in summary.splitlines() if x.startswith("kreisbote_ost_de"))
    assert row.split()[-1] == "0", "pages that are no article are not errors"


def test_discovery_styles_and_what_was_fetched(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], crawled: tuple[Path, str, str]
) -> None:
    server, _sites = mirror
    nord, nordwest, sued, ost = (paths(server, HOSTS[s]) for s in GOOD)
    # robots.txt names the sitemap index: no guessing; its gzipped news sitemap is read
    assert "/sitemaps/index.xml" in nord and "/sitemaps/news.xml.gz" in nord and "/sitemap.xml" not in nord
    # a sitemap on another host that robots.txt names is read there, and only sitemaps are read there
    assert "/sitemap.xml" not in nordwest
    cdn = paths(server, "static.kreisbote-cdn.net")
    assert sorted(set(cdn)) == ["/kreisbote-nordwest/news.xml", "/kreisbote-nordwest/sitemap-index.xml"]
    # no sitemap anywhere: the well-known locations are tried once each, then the feed the front page links
    for path in ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml"):
        assert sued.count(path) == 1 and ost.count(path) == 1
    assert "/feed/nachrichten.rss" in sued and "/lokales/" not in sued
    # neither: the front page's links and its section fronts
    assert "/lokales/" in ost and "/sport/" in ost
    # robots.txt is fetched once a run per host: discovery hands it to Scrapy's robots.txt middleware
    for fetched in (nord, nordwest, sued, ost):
        assert fetched.count("/robots.txt") == 1, fetched


def test_a_second_run_uses_the_cached_entry_points_and_skips_known_pages(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], crawled: tuple[Path, str, str]
) -> None:
    server, sites = mirror
    work = crawled[0]
    before = len(read_back(work))
    start = len(server.requests)
    proc = cli("crawl", *(sites[s].front_page for s in GOOD), "--mirror", server.url, *FAST, cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "Nothing new" in proc.stdout
    assert len(read_back(work)) == before
    for style in ("feed", "links"):
        again = paths(server, HOSTS[style], start)
        assert "/sitemap.xml" not in again, "no probing within DISCOVERY_TTL"
        assert not set(again) & {p.split(HOSTS[style])[1] for p in sites[style].non_articles}, again
    assert "/feed/nachrichten.rss" in paths(server, HOSTS["feed"], start)


def test_robots_disallowing_everything_and_a_front_page_that_is_no_html_fail_the_site(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], tmp_path: Path
) -> None:
    server, sites = mirror
    start = len(server.requests)
    proc = cli(
        "crawl",
        sites["deny"].front_page,
        sites["notpage"].front_page,
        "--mirror",
        server.url,
        *FAST,
        cwd=tmp_path,
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr[-3000:]
    assert "robots.txt (https://www.kreisbote-west.de/robots.txt) disallows its front page" in proc.stderr
    assert "front page https://www.kreisbote-mitte.de/ is not an HTML page (application/pdf)" in proc.stderr
    assert set(paths(server, HOSTS["deny"], start)) == {"/robots.txt"}
    assert "site kreisbote_west_de failed" in proc.stdout and "site kreisbote_mitte_de failed" in proc.stdout
    written = [p for p in (tmp_path / "archive").rglob("*") if p.is_file() and p.name != "identity.json"]
    assert not written, written


def test_a_host_that_does_not_answer_fails_and_writes_nothing(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = cli(
        "crawl", "https://www.kreisbote-nirgends.de/", "--mirror", f"http://127.0.0.1:{port}", *FAST,
        "-s", "RETRY_TIMES=0", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stdout + proc.stderr[-3000:]
    assert "https://www.kreisbote-nirgends.de does not answer" in proc.stderr
    assert not list((tmp_path / "archive").rglob("*.gz"))


def test_backfill_of_a_url_site_reads_its_discovered_sitemaps_by_date(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], tmp_path: Path
) -> None:
    server, sites = mirror
    site = sites["sitemap"]
    in_range = {u for u, a in site.articles.items() if a["published"].startswith("2025-06-01")}
    assert 0 < len(in_range) < len(site.articles)
    proc = cli(
        "crawl", site.front_page, "--from", "2025-06-01", "--to", "2025-06-01", "--mirror", server.url, *FAST,
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert {r["url"] for r in read_back(tmp_path)} == in_range


def test_backfill_of_a_url_site_without_sitemaps_says_so(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], tmp_path: Path
) -> None:
    server, sites = mirror
    proc = cli(
        "crawl", sites["feed"].front_page, "--from", "2025-06-01", "--mirror", server.url, *FAST, cwd=tmp_path
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr[-3000:]
    assert "site kreisbote_sued_de: no sitemap to backfill from" in proc.stderr


def test_probe_is_a_dry_run_that_reports_what_a_crawl_would_do(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], tmp_path: Path
) -> None:
    server, sites = mirror
    site = sites["feed"]
    proc = cli("sites", "probe", site.front_page, "--json", "--mirror", server.url, *FAST, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["entry_points"]["feeds"] == ["https://www.kreisbote-sued.de/feed/nachrichten.rss"]
    assert report["article_urls_listed"] >= len(site.articles)
    assert report["samples"] and all(s["url"] in site.articles for s in report["samples"])
    assert report["samples"][0]["title"] and report["samples"][0]["words"] > 100
    assert {r["url"] for r in report["rejected"]} <= set(site.non_articles) and report["rejected"]
    assert report["health"]["articles"] >= 1
    entry = report["sites_file_entry"]
    assert 'feeds = ["https://www.kreisbote-sued.de/feed/nachrichten.rss"]' in entry
    assert 'publisher = "Kreisbote Sued"' in entry
    assert list(tmp_path.iterdir()) == [], "nothing archived, nothing marked seen"


def test_distributed_workers_share_the_crawl_of_url_sites(
    mirror: tuple[MirrorServer, dict[str, UnlistedSite]], tmp_path: Path
) -> None:
    import subprocess
    import sys

    from tests.clirun import clean_env
    from tests.redisserver import RedisServer

    server, sites = mirror
    urls = [sites[s].front_page for s in ("sitemap", "links")]
    with RedisServer() as redis:
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", *urls, "--mirror", server.url, "--no-progress"]
        cmd += ["--distributed", redis.url, *FAST, "-s", "DISTRIBUTED_IDLE_GRACE=1"]
        workers = [
            subprocess.Popen(
                cmd, cwd=tmp_path, env=clean_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=240) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, out + err[-3000:]
    records = read_back(tmp_path)
    assert all(n == 1 for n in Counter(r["url"] for r in records).values())
    assert {r["url"] for r in records} == {u for s in ("sitemap", "links") for u in sites[s].articles}


def test_health_and_reextract_take_a_url_site(crawled: tuple[Path, str, str], tmp_path: Path) -> None:
    import shutil

    work = tmp_path / "copy"
    shutil.copytree(crawled[0], work)
    proc = cli("health", "--site", "https://www.kreisbote-ost.de/", "--json", cwd=work)
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)
    assert runs and {r["site"] for r in runs} == {"kreisbote_ost_de"}
    proc = cli("reextract", "--site", "https://www.kreisbote-ost.de/", *FAST, cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert proc.stdout.startswith(
        "reextract kreisbote_ost_de: 8 record(s) read, 0 new revision(s), 8 unchanged"
    )
