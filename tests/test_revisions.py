"""Refetches and revisions end to end: --recheck with 304s, the revisit policy, a changed page, history."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror, SiteSpec, build_mirror, path_key
from crawler.demo.server import MirrorServer
from crawler.sites import site_classes
from pipelines.archive.reader import open_archive
from pipelines.state import open_state
from tests.clirun import FAST, cli

SITES = ["ndr", "regionalheute"]
REVISIT_ALL = ["-s", "REVISIT_MAX_AGE_HOURS=1000000", "-s", "REVISIT_INTERVAL_HOURS=0"]


def crawl(mirror: Mirror, work: Path, *extra: str) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """One crawl of SITES against a fresh server for ``mirror``: (newsarchive stats, server requests)."""
    with MirrorServer(mirror) as server:
        proc = cli("crawl", *SITES, "--mirror", server.url, *FAST, *extra, cwd=work)
        requests = list(server.requests)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats: dict[str, int] = {}
    for name, value in re.findall(r"'newsarchive/([a-z_]+)': (\d+)", proc.stderr):
        stats[name] = stats.get(name, 0) + int(value)
    return stats, requests


def change_page(mirror: Mirror, url: str) -> None:
    """Edit the article at ``url``: one word of its body replaced, new ETag and Last-Modified."""
    host = url.split("/")[2]
    key = path_key(url)
    old = mirror.resources[host][key]
    text = old.body.decode("utf-8")
    site = next(s for s in mirror.sites.values() if any(a.url == url for a in s.articles))
    body = next(a for a in site.articles if a.url == url).expected["body"]
    word = next(w for w in re.findall(r"\w{9,}", body) if w in text)
    new_body = text.replace(word, "Neufassung").encode("utf-8")
    headers = dict(old.headers)
    headers["ETag"] = '"' + hashlib.sha256(new_body).hexdigest()[:20] + '"'
    headers["Last-Modified"] = format_datetime(datetime.now(UTC), usegmt=True)
    mirror.resources[host][key] = replace(old, body=new_body, headers=headers)


def test_recheck_revisit_and_history(tmp_path: Path) -> None:
    classes = site_classes()
    mirror = build_mirror([SiteSpec.from_spider(classes[s]) for s in SITES], fixtures_dir())
    urls = [a.url for s in SITES for a in mirror.sites[s].articles]
    article_paths = {path_key(u) for u in urls}

    first, _ = crawl(mirror, tmp_path)
    assert first["new"] == len(urls)
    store = open_state(str(tmp_path / "archive.state.sqlite"))
    entries = {u: store.get(u) for u in urls}
    store.close()
    assert all(e is not None and e.etag and e.last_modified for e in entries.values()), entries

    # incremental: known articles are old (published long ago), so not fetched again
    plain, requests = crawl(mirror, tmp_path)
    assert plain.get("known", 0) >= len(urls) and "refetch_revisit" not in plain
    assert not article_paths & {path for _h, path, _s in requests}

    # --recheck: every known article fetched again, conditionally: 304, nothing archived
    recheck, requests = crawl(mirror, tmp_path, "--recheck")
    assert recheck["refetch_recheck"] == len(urls)
    assert recheck["not_modified"] == len(urls)
    assert "archived" not in recheck
    assert {(path, status) for _h, path, status in requests if path in article_paths} == {
        (p, 304) for p in article_paths
    }

    # the revisit policy (every article counts as young here) with one page changed: revision 2
    changed = urls[0]
    change_page(mirror, changed)
    revisit, _ = crawl(mirror, tmp_path, *REVISIT_ALL)
    assert revisit["refetch_revisit"] == len(urls)
    assert revisit["revised"] == 1 and revisit["archived"] == 1
    assert revisit["not_modified"] == len(urls) - 1

    # a page that answers 200 with the same content again: unchanged, nothing archived, last_fetched updated
    other = urls[1]
    host, key = other.split("/")[2], path_key(other)
    mirror.resources[host][key] = replace(
        mirror.resources[host][key], headers={"Content-Type": "text/html; charset=utf-8"}
    )
    again, _ = crawl(mirror, tmp_path, *REVISIT_ALL)
    assert again["unchanged"] == 1 and "archived" not in again

    records = list(open_archive(str(tmp_path / "archive")).records())
    revisions = sorted((r["url"], r["revision"]) for r in records)
    assert revisions == sorted([*((u, 1) for u in urls), (changed, 2)])
    second = next(r for r in records if r["revision"] == 2)
    first_record = next(r for r in records if r["url"] == changed and r["revision"] == 1)
    assert second["previous_hash"] == first_record["content_hash"] != second["content_hash"]
    assert second["id"] == first_record["id"]

    proc = cli("history", second["id"], "--archive", str(tmp_path / "archive"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "+" in proc.stdout and "Neufassung" in proc.stdout
    assert re.search(r"^\s+1\s", proc.stdout, re.M) and re.search(r"^\s+2\s", proc.stdout, re.M)
    assert "--- revision 1" in proc.stdout and "+++ revision 2" in proc.stdout
    by_url = cli("history", changed, "--archive", str(tmp_path / "archive"), cwd=tmp_path)
    assert by_url.stdout == proc.stdout
    missing = cli("history", "0000000000000000", "--archive", str(tmp_path / "archive"), cwd=tmp_path)
    assert missing.returncode == 1
    bad = cli("history", "not an id", "--archive", str(tmp_path / "archive"), cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    json.dumps(records)  # records stay plain JSON


def test_revisit_policy_defaults() -> None:
    from datetime import timedelta

    from scrapy.utils.test import get_crawler

    from pipelines.state import SeenEntry

    cls = site_classes()["ndr"]
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def entry(published_hours_ago: float, fetched_hours_ago: float) -> SeenEntry:
        return SeenEntry(
            "https://www.ndr.de/a.html",
            "0123456789abcdef",
            "ndr",
            "sha256:x",
            published=(now - timedelta(hours=published_hours_ago)).isoformat(),
            first_seen=(now - timedelta(hours=fetched_hours_ago)).isoformat(),
            last_fetched=(now - timedelta(hours=fetched_hours_ago)).isoformat(),
        )

    spider = cls.from_crawler(get_crawler(cls))
    assert spider.refetch_reason(entry(10, 7), now) == "revisit"  # young, last fetched 7 h ago
    assert spider.refetch_reason(entry(10, 2), now) is None  # fetched 2 h ago: wait
    assert spider.refetch_reason(entry(50, 20), now) is None  # older than 48 h: never again
    off = cls.from_crawler(get_crawler(cls, {"REVISIT_MAX_AGE_HOURS": 0}))
    assert off.refetch_reason(entry(10, 7), now) is None
    recheck = cls.from_crawler(get_crawler(cls), recheck="1")
    assert recheck.refetch_reason(entry(500, 1), now) == "recheck"
