"""A hostile site costs a bounded amount and leaks nothing: the bounded frontier, terminal-safe output, no
credential in any output, invalid text replaced.

One crawl of three sites by URL, from one AttackServer (crawler/demo/attacks.py) on 127.0.0.1, through a real
HTTP proxy on 127.0.0.1 that wants a login (``http_proxy=http://user:pass@...``):

- the hostile site: a padded robots.txt, three sitemaps of 300 URLs each and twenty articles that answer after
  10 s, crawled with small caps (``-s FRONTIER_DOCUMENT_URLS=100`` and friends), the same caps as the defaults
  in proportion, so the counters show what the defaults do to a 692,590-URL sitemap (scripts/hostile_cost.py
  measures that one);
- a site whose JSON-LD puts ESC, BEL, CSI and OSC sequences and a lone surrogate into headlines and authors, and
  serves a page with escapes in its Content-Type;
- a normal site (crawler/demo/unlisted.py), which archives all its articles in the same run.

Then two backfills of a site whose sitemap indexes nest three deep, and the commands that print run on the
archive. Everything is generated; nothing touches the network beyond 127.0.0.1.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import logging
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.demo.attacks import HOSTILE_FRONT, HOSTILE_HOST, Attack, AttackServer
from crawler.demo.mirror import HTML_TYPE, XML_TYPE, Mirror, Resource
from crawler.demo.unlisted import add_unlisted_site
from crawler.discovery import DiscoveryError, cut_robots, parse_feed, read_sitemap
from crawler.termsafe import SafeStream, escape, install_log_escaping
from tests.clirun import FAST, clean_env
from tests.threats import observe

ROOT = Path(__file__).resolve().parents[1]
NORMAL_HOST = "www.kreisbote-nord.de"
ESCAPE_HOST = "www.steuerzeichen-beispiel.de"
PROXY_USER, PROXY_PASSWORD = "nutzer", "GEHEIM-proxy-4711"
REDIS_PASSWORD, SITE_PASSWORD = "GEHEIM-redis-0815", "GEHEIM-site-2342"
SECRETS = [PROXY_PASSWORD, REDIS_PASSWORD, SITE_PASSWORD]
PROXY_BASIC = base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode()
#: what a terminal obeys: ESC (CSI, OSC), BEL, the 8-bit CSI
RAW_CONTROLS = ("\x1b", "\x07", "\x9b")
# the caps of the crawl: the defaults (50,000 / 10,000 / 100) in proportion to the documents
CAPS = ["-s", "FRONTIER_DOCUMENT_URLS=100", "-s", "FRONTIER_MAX_URLS=150", "-s", "ROBOTSTXT_MAX_BYTES=65536"]
BUDGET = 3.0
#: the newest articles of the budget run's sitemap answer after 5 s: more than the 16 a crawl has in flight at most
SLOW = 20


class Proxy:
    """A forwarding HTTP proxy on 127.0.0.1 that requires a login and notes the Proxy-Authorization it got."""

    def __init__(self) -> None:
        self.authorizations: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                auth = self.headers.get("Proxy-Authorization", "")
                proxy.authorizations.append(auth)
                if auth != f"Basic {PROXY_BASIC}":
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = urlsplit(self.path)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-authorization",)}
                conn = http.client.HTTPConnection(target.hostname or "", target.port or 80, timeout=60)
                conn.request(
                    "GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers
                )
                answer = conn.getresponse()
                body = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in (
                        "connection",
                        "transfer-encoding",
                        "content-length",
                        "keep-alive",
                    ):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                conn.close()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _article(jsonld: str, words: str) -> bytes:
    body = " ".join([words] * 12)
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f'<script type="application/ld+json">{jsonld}</script></head>'
        f"<body><article><p>{body}</p><p>{body}</p></article></body></html>"
    ).encode()


#: headlines and authors with terminal escapes and a lone surrogate, as JSON escapes (JSON-LD decodes them)
ESCAPE_PAGES = {
    "/lokales/rat-beschliesst-haushalt-101.html": (
        '{"@type": "NewsArticle", "headline": "Rat\\u001b]0;pwned\\u0007 beschliesst\\u001b[2J Haushalt",'
        ' "author": {"@type": "Person", "name": "Anna\\u009b31m Beispiel\\u0007"},'
        ' "datePublished": "2024-06-01T10:00:00+02:00"}',
        "Der Gemeinderat hat am Abend den Haushalt für das kommende Jahr beschlossen.",
    ),
    "/lokales/schule-bekommt-mensa-102.html": (
        '{"@type": "NewsArticle", "headline": "Schule \\ud800 bekommt Mensa",'
        ' "author": {"@type": "Person", "name": "Bernd \\udfff Muster"},'
        ' "datePublished": "2024-06-02T10:00:00+02:00"}',
        "Die Grundschule bekommt nach langer Planung endlich eine eigene Mensa mit Küche.",
    ),
}
BAD_TYPE_PAGE = "/lokales/komischer-typ-103.html"


def add_escape_site(mirror: Mirror) -> list[str]:
    base = f"https://{ESCAPE_HOST}"
    urls = [base + p for p in [*ESCAPE_PAGES, BAD_TYPE_PAGE]]
    rows = "".join(
        f"<url><loc>{u}</loc><lastmod>2024-06-0{i + 1}</lastmod></url>" for i, u in enumerate(urls)
    )
    sitemap = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    )
    mirror.add(
        f"{base}/robots.txt",
        Resource(200, {"Content-Type": "text/plain"}, f"Sitemap: {base}/s.xml\n".encode()),
    )
    mirror.add(f"{base}/s.xml", Resource(200, {"Content-Type": XML_TYPE}, sitemap.encode()))
    front = b"<html><body><p>Steuerzeichen</p></body></html>"
    mirror.add(f"{base}/", Resource(200, {"Content-Type": HTML_TYPE}, front))
    for path, (jsonld, words) in ESCAPE_PAGES.items():
        mirror.add(base + path, Resource(200, {"Content-Type": HTML_TYPE}, _article(jsonld, words)))
    mirror.add(
        base + BAD_TYPE_PAGE,
        Resource(
            200, {"Content-Type": "image/png; x=\x1b[2J\x1b]0;pwned\x07"}, b"\x89PNG\x00\x01binary\xff\xfe"
        ),
    )
    return [base + p for p in ESCAPE_PAGES]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    work: Path
    stats: dict[str, dict[str, Any]]
    server: AttackServer
    proxy: Proxy
    normal_articles: list[str]
    escape_articles: list[str]
    log: str
    records: dict[str, dict[str, Any]]


def crawl(
    work: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", *args, "--no-progress", *FAST],
        capture_output=True,
        text=True,
        cwd=work,
        env={**clean_env(), **(env or {})},
        timeout=timeout,
    )


def site_name(host: str) -> str:
    return host.removeprefix("www.").replace(".", "_").replace("-", "_")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    work = tmp_path_factory.mktemp("hostile-cost")
    mirror = Mirror()
    normal = add_unlisted_site(mirror, NORMAL_HOST, "sitemap")
    escape_articles = add_escape_site(mirror)
    attack = Attack("all", robots_bytes=200 * 1024, sitemaps=3, urls=300)
    proxy = Proxy()
    with AttackServer(mirror, attack) as server:
        proc = crawl(
            work,
            HOSTILE_FRONT,
            f"https://{ESCAPE_HOST}/",
            normal.front_page,
            "--mirror",
            server.url,
            *CAPS,
            "-s",
            "NEWSARCHIVE_STATS_FILE=stats.json",
            "-s",
            "LOG_FILE=crawl.log",
            env={"http_proxy": proxy.url, "https_proxy": proxy.url},
        )
        stats = json.loads((work / "stats.json").read_text()) if (work / "stats.json").exists() else {}
        log = (work / "crawl.log").read_text() if (work / "crawl.log").exists() else ""
        records = read_records(work) if proc.returncode == 0 else []
        yield Run(
            proc.returncode,
            proc.stdout,
            proc.stderr,
            work,
            stats,
            server,
            proxy,
            list(normal.articles),
            escape_articles,
            log,
            {r["url"]: r for r in records},
        )
    proxy.close()


def hostile(run: Run) -> dict[str, Any]:
    return run.stats.get(site_name(HOSTILE_HOST), {})


def requested(run: Run, host: str, prefix: str) -> list[str]:
    return [path for h, path, _status in run.server.requests if h == host and path.startswith(prefix)]


def read_records(work: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "read", "--archive", str(work / "archive")],
        capture_output=True,
        text=True,
        cwd=work,
        env=clean_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


# ---------------------------------------------------------------- the bounded frontier


def test_the_run_exits_0_and_the_normal_site_archives_every_article(run: Run) -> None:
    assert run.code == 0, run.stdout + run.stderr[-3000:]
    records = list(run.records.values())
    normal = {r["url"] for r in records if r["site"] == site_name(NORMAL_HOST)}
    assert normal == set(run.normal_articles)
    assert run.stats[site_name(NORMAL_HOST)].get("newsarchive/capped/urls") is None


def test_huge_sitemaps_are_read_newest_first_into_a_bounded_frontier(run: Run) -> None:
    stats = hostile(run)
    # robots.txt lists three sitemaps; discovery reads them one after the other: sitemap 0 (the newest 100 of 300
    # kept, 100 queued), sitemap 1 (100 kept, 50 queued, 50 left out), sitemap 2 (not read: the frontier is full)
    assert stats["newsarchive/capped/document_urls"] == 2 * 200
    assert stats["newsarchive/capped/urls"] == 50
    assert stats["newsarchive/capped/documents"] == 1
    assert stats["newsarchive/discovered"] == 150
    fetched = requested(run, HOSTILE_HOST, "/a/")
    assert len(set(fetched)) <= 150
    # newest first: sitemap 0's URLs are numbered from the newest; none of its older 200 was fetched
    numbers = [int(p.rsplit("-", 1)[1]) for p in fetched if p.startswith("/a/0-")]
    assert len(set(numbers)) <= 100
    assert numbers and max(numbers) < 100
    assert "capped (left for the next run)" in run.stdout and "FRONTIER_DOCUMENT_URLS" in run.stdout
    observe(
        "sitemap-memory",
        f"capped: document_urls {stats['newsarchive/capped/document_urls']}, urls "
        f"{stats['newsarchive/capped/urls']}, documents {stats['newsarchive/capped/documents']}; "
        f"{len(set(fetched))} article URL(s) requested, the newest of sitemap 0 up to #{max(numbers)}; "
        f"the normal site archived {len(run.normal_articles)}/{len(run.normal_articles)}",
    )


def test_a_huge_robots_txt_is_cut_for_scrapys_middleware_too(run: Run) -> None:
    stats = hostile(run)
    # fetched once a run: discovery reads it (its Sitemap: lines) cut, and hands the cut copy to Scrapy's
    # robots.txt middleware, which does not fetch it again (a site file's run has the middleware cut it itself)
    assert stats["newsarchive/capped/robots_txt"] == 1
    log = run.log
    line = next(ln for ln in log.splitlines() if "ROBOTSTXT_MAX_BYTES" in ln)
    observe(
        "robots-size",
        f"newsarchive/capped/robots_txt = 1 (read once, cut, shared with the middleware); log: {line[20:]}",
    )


def test_the_time_budget_stops_the_site_and_it_commits(tmp_path: Path) -> None:
    attack = Attack("slow", sitemaps=1, urls=SLOW, slow=SLOW, slow_seconds=5.0)
    with AttackServer(Mirror(), attack) as server:
        proc = crawl(
            tmp_path,
            HOSTILE_FRONT,
            "--mirror",
            server.url,
            "-s",
            f"SITE_TIME_BUDGET={BUDGET}",
            "-s",
            "NEWSARCHIVE_STATS_FILE=stats.json",
        )
        slow = {p for h, p, _status in server.requests if h == HOSTILE_HOST and p.startswith("/a/")}
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads((tmp_path / "stats.json").read_text())[site_name(HOSTILE_HOST)]
    # 20 articles of 5 s each, at most 16 requests in flight (CONCURRENT_REQUESTS): when the 3 s budget is spent
    # none of them has been answered and some have not started; those are dropped, the others finish
    assert len(slow) < SLOW
    assert stats["newsarchive/capped/time_budget"] >= SLOW - len(slow)
    assert stats["finish_reason"] == "site_time_budget"
    assert "SITE_TIME_BUDGET was spent" in proc.stdout
    line = next(ln for ln in proc.stderr.splitlines() if "time budget" in ln)
    observe(
        "time-budget",
        f"finish_reason site_time_budget; {len(slow)} of {SLOW} slow article(s) requested, "
        f"newsarchive/capped/time_budget = {stats['newsarchive/capped/time_budget']}; log: {line[20:]}",
    )


def test_a_backfill_walks_nested_indexes_lazily_and_resumes(tmp_path: Path) -> None:
    attack = Attack("nested", nested=20, nested_urls=2)
    with AttackServer(Mirror(), attack) as server:
        args = [
            HOSTILE_FRONT,
            "--from",
            "2020-01-01",
            "--mirror",
            server.url,
            "-s",
            "SITEMAP_INDEX_CHILDREN=4",
        ]
        first = crawl(tmp_path, *args, "-s", "NEWSARCHIVE_STATS_FILE=first.json")
        seen_first = requested_paths(server)
        second = crawl(tmp_path, *args, "-s", "NEWSARCHIVE_STATS_FILE=second.json")
        seen_second = requested_paths(server)[len(seen_first) :]
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    stats1 = json.loads((tmp_path / "first.json").read_text())[site_name(HOSTILE_HOST)]
    stats2 = json.loads((tmp_path / "second.json").read_text())[site_name(HOSTILE_HOST)]
    # the top index (20 children) -> its first child (an index of 20) -> its first (an index of 20) -> two of
    # its sitemaps: 4 children read; 19 + 19 + 18 wait for the next run
    assert [p for p in seen_first if p.startswith("/index")] == [
        "/index.xml",
        "/index-0.xml",
        "/index-0-0.xml",
        "/index-0-0-0.xml",
        "/index-0-0-1.xml",
    ]
    assert stats1["newsarchive/capped/index_children"] == 19 + 19 + 18
    # the next run resumes: the two sitemaps read completely are skipped, the next two read
    assert stats2["newsarchive/backfill/children_done_before"] == 2
    assert [p for p in seen_second if p.startswith("/index")] == [
        "/index.xml",
        "/index-0.xml",
        "/index-0-0.xml",
        "/index-0-0-2.xml",
        "/index-0-0-3.xml",
    ]
    observe(
        "backfill-nested",
        f"run 1: 4 children read, newsarchive/capped/index_children = {stats1['newsarchive/capped/index_children']}; "
        f"run 2: {stats2['newsarchive/backfill/children_done_before']} done before skipped, read "
        f"{', '.join(p for p in seen_second if p.startswith('/index-0-0-'))}",
    )


def requested_paths(server: AttackServer) -> list[str]:
    return [path for host, path, _status in server.requests if host == HOSTILE_HOST]


def _sitemap(urls: int) -> bytes:
    rows = b"".join(
        b"<url><loc>https://www.example.de/a/%d</loc><lastmod>2024-01-%02dT%02d:00:00Z</lastmod></url>"
        % (i, 1 + i % 28, i % 24)
        for i in range(urls)
    )
    return gzip.compress(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + rows + b"</urlset>"
    )


def _peak(body: bytes, limit: int) -> int:
    tracemalloc.start()
    try:
        read_sitemap(body, limit)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_sitemap_holds_memory_for_the_cap_not_the_document() -> None:
    small, big = _sitemap(1_000), _sitemap(10_000)
    sitemap = read_sitemap(big, 100)
    assert len(sitemap.entries) == 100 and sitemap.dropped == 9_900
    dates = [e.date for e in sitemap.entries]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    everything = read_sitemap(big, 10_000).entries
    newest = sorted((e.date for e in everything), reverse=True)[:100]  # type: ignore[type-var]
    assert dates == newest
    # Python memory: the same for 1,000 and 10,000 URLs under a cap of 100; many times more without the cap
    capped_small, capped_big, uncapped = _peak(small, 100), _peak(big, 100), _peak(big, 10_000)
    assert capped_big < 1.5 * capped_small + 256 * 1024
    assert uncapped > 5 * capped_big


# ---------------------------------------------------------------- entity declarations

_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
_XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
_PARAM = "<!DOCTYPE x [<!ENTITY % p \"<!ENTITY q 'q'>\"> %p;]>"
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.de/&lol3;</loc></url></urlset>'
_RSS = '<rss version="2.0"><channel><item><link>https://a.de/&xxe;</link></item></channel></rss>'


@pytest.mark.parametrize(
    "name",
    ["billion-laughs", "xxe", "parameter", "padded", "utf-16", "utf-16-padded", "gzipped", "feed"],
)
def test_entity_declarations_are_refused_wherever_they_stand(name: str) -> None:
    padding = "<!--" + "x" * 200_000 + "-->"
    doc = {
        "billion-laughs": '<?xml version="1.0"?>' + _LAUGHS + _URLSET,
        "xxe": '<?xml version="1.0"?>' + _XXE + _URLSET,
        "parameter": '<?xml version="1.0"?>' + _PARAM + _URLSET,
        "padded": '<?xml version="1.0"?>' + padding + _LAUGHS + _URLSET,
        "utf-16": '<?xml version="1.0" encoding="UTF-16"?>' + _LAUGHS + _URLSET,
        "utf-16-padded": '<?xml version="1.0" encoding="UTF-16"?>' + padding + _XXE + _URLSET,
        "gzipped": '<?xml version="1.0"?>' + padding + _XXE + _URLSET,
        "feed": '<?xml version="1.0"?>' + padding + _XXE + _RSS,
    }[name]
    data = doc.encode("utf-16") if name.startswith("utf-16") else doc.encode()
    if name == "gzipped":
        data = gzip.compress(data)
    with pytest.raises(DiscoveryError, match="declares entities"):
        if name == "feed":
            parse_feed(data)
        else:
            read_sitemap(data)
    if name == "utf-16-padded":
        observe(
            "entity-anywhere",
            "refused: DiscoveryError 'document declares entities (refused)' for billion laughs, an external entity, "
            "a parameter entity, each behind 200 KB of comment, in UTF-16 and gzipped",
        )


def test_cut_robots_keeps_whole_lines() -> None:
    body = b"User-agent: *\nDisallow: /a/\nDisallow: /bbbbbbbbbb/\n"
    assert cut_robots(body, 1000) == body
    assert cut_robots(body, 35) == b"User-agent: *\nDisallow: /a/\n"


# ---------------------------------------------------------------- terminal-safe output


def test_escape_makes_every_control_visible() -> None:
    text = "a\x1b]0;pwned\x07b\x1b[2Jc\x9b31md\u202ee\r\nf\tg"
    assert escape(text) == "a\\u001b]0;pwned\\u0007b\\u001b[2Jc\\u009b31md\\u202ee\\u000d\\u000af\\u0009g"
    assert escape(text, lines=True).endswith("\\u000d\nf\tg")
    # inside JSON the escape is a JSON escape: the document stays valid and means the same
    line = json.dumps({"t": text}, ensure_ascii=False)
    assert json.loads(escape(line, lines=True)) == {"t": text}


def test_the_safe_stream_escapes_what_is_written() -> None:
    class Sink:
        def __init__(self) -> None:
            self.parts: list[str] = []

        def write(self, text: str) -> int:
            self.parts.append(text)
            return len(text)

    sink = Sink()
    stream = SafeStream(sink)  # type: ignore[arg-type]
    print("Titel\x1b[2J\x07", file=stream)  # type: ignore[arg-type]
    assert "".join(sink.parts) == "Titel\\u001b[2J\\u0007\n"


def _no_raw_controls(text: str) -> bool:
    return not any(c in text for c in RAW_CONTROLS)


def test_escapes_from_a_site_never_reach_the_archive_or_the_terminal(
    run: Run, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_escaping()
    url = run.escape_articles[0]
    records = run.records
    first = records[run.escape_articles[0]]
    assert first["title"] == "Rat]0;pwned beschliesst[2J Haushalt"
    assert first["authors"] == ["Anna31m Beispiel"]
    for record in records.values():
        assert _no_raw_controls(json.dumps(record, ensure_ascii=False))
    log = run.log
    assert _no_raw_controls(run.stdout + run.stderr + log)
    # a log line with a header value a site sent: its arguments are escaped (crawler/termsafe.py)
    logging.getLogger("newsarchive.test").warning("not archived: %s (%s)", url, "image/png; x=\x1b[2J\x07")
    line = caplog.records[-1].getMessage()
    assert line == f"not archived: {url} (image/png; x=\\u001b[2J\\u0007)"
    observe(
        "terminal-escapes",
        f"title archived as {first['title']!r}, authors {first['authors']}; no ESC, BEL or CSI in stdout, stderr, "
        f"log or archive; a header in a log line: {line}",
    )


#: runs each command of argv lists (JSON on stdin) in this one process, its output captured, and prints JSON
COMMANDS_RUNNER = """
import contextlib, io, json, sys
from crawler.cli import main
results = {}
for name, argv in json.load(sys.stdin).items():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    results[name] = {"code": code, "out": out.getvalue(), "err": err.getvalue()}
print(json.dumps(results))
"""


def test_every_command_that_prints_is_terminal_safe(run: Run, tmp_path: Path) -> None:
    archive = str(run.work / "archive")
    page = tmp_path / "page.html"
    jsonld, words = ESCAPE_PAGES["/lokales/rat-beschliesst-haushalt-101.html"]
    page.write_bytes(_article(jsonld, words))
    url = run.escape_articles[0]
    commands = {
        "history": ["history", "--archive", archive, run.records[url]["id"]],
        "read": ["read", "--archive", archive],
        "health": ["health", "--archive", archive],
        "report": ["report", "--archive", archive, "--out", str(tmp_path / "report.html")],
        "extract": ["extract", "--url", url, str(page)],
        "extract --explain": ["extract", "--explain", "--url", url, str(page)],
        # last: it runs a crawl (one reactor a process)
        "sites probe": ["sites", "probe", f"https://{ESCAPE_HOST}/", "--mirror", run.server.url],
    }
    proc = subprocess.run(
        [sys.executable, "-c", COMMANDS_RUNNER],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.splitlines()[-1])
    for name, result in results.items():
        assert result["code"] == 0, f"{name}: {result['err'][-2000:]}"
        assert _no_raw_controls(result["out"] + result["err"]), name
    assert _no_raw_controls(proc.stderr)
    # what the site sent is printed, made visible: the commands did print the fields
    assert "\\u001b]0;pwned\\u0007" in results["extract"]["out"]
    assert "\\u009b31m" in results["extract --explain"]["out"] + results["sites probe"]["out"]
    assert _no_raw_controls((tmp_path / "report.html").read_text())
    assert all(json.loads(line) for line in results["read"]["out"].splitlines())
    observe(
        "terminal-commands",
        f"{', '.join(commands)}: exit 0, no ESC, BEL or CSI printed (nor in report.html); extract shows "
        + next(ln.strip() for ln in results["extract"]["out"].splitlines() if "pwned" in ln)[:90],
    )


# ---------------------------------------------------------------- credentials and invalid text


def _archive_text(work: Path) -> str:
    parts = []
    for path in (work / "archive").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_no_credential_in_the_archive_or_the_log(run: Run) -> None:
    # the crawl did go through the proxy, with the login
    assert run.proxy.authorizations and all(a == f"Basic {PROXY_BASIC}" for a in run.proxy.authorizations)
    archive = _archive_text(run.work)
    log = run.log
    for text in (archive, log, run.stdout, run.stderr):
        assert PROXY_PASSWORD not in text and PROXY_BASIC not in text
        assert "Proxy-Authorization:" not in text and "Basic " not in text
    assert "NewsArchive-Removed-Headers: Proxy-Authorization" in archive
    requests = archive.count("WARC-Type: request")
    assert requests >= len(run.normal_articles)
    assert archive.count("NewsArchive-Removed-Headers: Proxy-Authorization") == requests
    observe(
        "proxy-credentials",
        f"{len(run.proxy.authorizations)} request(s) through the proxy with the login; {requests} WARC request "
        "record(s), each with NewsArchive-Removed-Headers: Proxy-Authorization; the password and its base64 "
        "nowhere in the archive, the log or the output",
    )


def test_credential_headers_never_reach_a_warc_record() -> None:
    from pipelines.archive.warc import exchange_records

    raw = {
        "url": "https://www.example.de/a.html",
        "status": 200,
        "headers": [["Content-Type", "text/html"]],
        "request_headers": [
            ["User-Agent", "newsarchive"],
            ["Authorization", "Basic " + PROXY_BASIC],
            ["Cookie", "session=" + PROXY_PASSWORD],
            ["Proxy-Authorization", "Basic " + PROXY_BASIC],
        ],
        "body": b"<html></html>",
    }
    records = exchange_records(raw)
    request = gzip.decompress(records.request).decode()
    assert PROXY_BASIC not in request and PROXY_PASSWORD not in request
    assert "NewsArchive-Removed-Headers: Authorization, Cookie, Proxy-Authorization" in request
    assert "User-Agent: newsarchive" in request


def test_a_redis_password_in_the_query_and_a_sites_file_login_are_never_printed(tmp_path: Path) -> None:
    redis = crawl(tmp_path, "ndr", "--distributed", f"redis://127.0.0.1:9/0?password={REDIS_PASSWORD}")
    sites = tmp_path / "sites.toml"
    sites.write_text(
        f'[[site]]\nname = "geheim"\nurl = "https://nutzer:{SITE_PASSWORD}@www.geheim-beispiel.de/"\n'
    )
    listed = crawl(tmp_path, "--sites-file", str(sites), "geheim")
    assert redis.returncode == 2 and listed.returncode == 2
    for proc in (redis, listed):
        assert not any(s in proc.stdout + proc.stderr for s in SECRETS)
    assert "password=***" in redis.stderr
    assert "user info" in listed.stderr
    observe(
        "query-password",
        f"exit 2; {redis.stderr.strip().splitlines()[-1][:110]}",
    )
    observe(
        "sitesfile-userinfo", f"exit 2; {listed.stderr.strip().splitlines()[-1].split('sites.toml: ')[-1]}"
    )


def test_lone_surrogates_are_replaced_not_fatal(run: Run) -> None:
    records = run.records
    second = records[run.escape_articles[1]]
    assert second["title"] == "Schule \ufffd bekommt Mensa"
    assert second["authors"] == ["Bernd \ufffd Muster"]
    assert not hostile(run).get("newsarchive/item_errors")
    assert run.stats[site_name(ESCAPE_HOST)].get("newsarchive/item_errors") is None
    observe("surrogates", f"archived, title {second['title']!r}; 0 pipeline errors")


def test_a_page_that_fails_in_a_pipeline_is_counted_and_the_run_exits_1() -> None:
    from scrapy import signals
    from scrapy.utils.test import get_crawler

    from crawler.extensions import ItemErrors
    from crawler.progress import SiteCounts
    from crawler.runner import EXIT_ARCHIVE_ERROR, CrawlResult, print_summary

    crawler = get_crawler(settings_dict={"EXTENSIONS": {}})
    extension = ItemErrors.from_crawler(crawler)  # held: signal handlers are weak references
    crawler.signals.send_catch_log(signals.item_error, item={}, response=None, spider=None, failure=None)
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["newsarchive/item_errors"] == 1
    row = SiteCounts.from_stats("kaputt", {**stats, "newsarchive/archived": 3})
    result = CrawlResult([row], "archive", "state")
    assert result.exit_code == EXIT_ARCHIVE_ERROR

    class Capture:
        text = ""

        def write(self, part: str) -> int:
            Capture.text += part
            return len(part)

    print_summary(result, Capture())
    assert "1 page(s) failed in a pipeline" in Capture.text
    del extension
