"""A hostile mirror: a real HTTP server on 127.0.0.1 serving broken, malicious and slow resources.

It answers for two real sites' hosts (the crawler's mirror handler sends their requests here): www.mdr.de
(feed, news sitemap index, articles in every bad shape) and regionalheute.de (a section trap, a robots.txt that
times out). CASES lists every case with what the crawl must do with it; tests/test_hostile.py asserts it and
scripts/reliability_report.py renders the observed results into docs/RELIABILITY.md.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli

MDR = "www.mdr.de"
RH = "regionalheute.de"
TIMEOUT = 2.0  # the test crawl's DOWNLOAD_TIMEOUT; "slow" answers take longer
UMLAUTS = "Größe, Übermut, Ärger, Öl und Straße"
CP1252 = UMLAUTS + " – „Anführungszeichen“ für 5 €"  # characters ISO-8859-1 lacks


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    description: str
    archived: bool  # the archive must hold it (a good article) or must not
    expectation: str  # what the crawl must do, in words


def article_html(
    title: str, paragraphs: list[str], charset: str | None = "utf-8", extra_head: str = ""
) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": "2026-11-20T08:15:00+01:00",
            "author": {"@type": "Person", "name": "Erika Mustermann"},
            "articleSection": "Nachrichten",
        },
        ensure_ascii=False,
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang=de><head>{meta}<title>{title} | MDR.DE</title>"
        f'<script type="application/ld+json">{ld}</script>{extra_head}</head>'
        f"<body><header><nav><a href=/>Start</a></nav></header><main><article><h1>{title}</h1>{body}</article></main>"
        "<footer>Impressum</footer></body></html>"
    )


def paragraphs(tag: str, umlauts: str = UMLAUTS) -> list[str]:
    return [
        f"Erster Absatz der Meldung {tag} mit Umlauten: {umlauts}. Die Stadtverwaltung teilte am Morgen mit, dass "
        "die Arbeiten an der Brücke länger dauern als geplant und der Verkehr umgeleitet wird.",
        f"Zweiter Absatz {tag}: Anwohnerinnen und Anwohner äußerten sich besorgt über die zusätzliche Belastung "
        "durch den Umleitungsverkehr in den engen Straßen der Innenstadt während der kommenden Wochen.",
        f"Dritter Absatz {tag}: Nach Angaben der Behörde soll die Sanierung bis zum Frühjahr abgeschlossen sein; "
        "danach werde die Brücke für Fußgänger, Radfahrer und den Autoverkehr wieder vollständig freigegeben.",
    ]


def good(tag: str, charset: str | None = "utf-8", umlauts: str = UMLAUTS, **kw: Any) -> str:
    return article_html(
        f"Meldung {tag}: Brückensanierung dauert länger", paragraphs(tag, umlauts), charset, **kw
    )


A = "/nachrichten/sachsen"
CASES: list[Case] = [
    Case("good", f"{A}/gut-eins-101.html", "a well-formed UTF-8 article (control)", True, "archived"),
    Case(
        "latin1-header",
        f"{A}/latin-header-102.html",
        "ISO-8859-1 bytes, charset in the Content-Type header",
        True,
        "archived, umlauts right",
    ),
    Case(
        "cp1252-meta",
        f"{A}/cp-meta-103.html",
        "windows-1252 bytes, no charset header, <meta charset>",
        True,
        "archived, umlauts, „quotes“ and € right",
    ),
    Case(
        "latin1-undeclared",
        f"{A}/latin-ohne-104.html",
        "ISO-8859-1 bytes, no charset declared anywhere",
        True,
        "archived, umlauts right (detected)",
    ),
    Case(
        "wrong-charset",
        f"{A}/falsch-105.html",
        "windows-1252 bytes served as charset=utf-8",
        True,
        "archived, umlauts right (the declared charset does not decode: detected)",
    ),
    Case(
        "truncated",
        f"{A}/abgeschnitten-106.html",
        "an article cut off mid-paragraph (no closing tags)",
        True,
        "archived from what arrived",
    ),
    Case(
        "malformed",
        f"{A}/kaputt-107.html",
        "tag soup with no article in it",
        False,
        "not archived: no article (counted)",
    ),
    Case(
        "empty",
        f"{A}/leer-108.html",
        "an empty 200 response",
        False,
        "not archived: empty response (counted)",
    ),
    Case(
        "binary",
        f"{A}/binaer-109.html",
        "random binary data served as text/html",
        False,
        "not archived: binary body (counted)",
    ),
    Case(
        "gzip-bomb",
        f"{A}/gzip-bombe-110.html",
        "Content-Encoding: gzip expanding to 64 MiB",
        False,
        "dropped at DOWNLOAD_MAXSIZE during decompression",
    ),
    Case(
        "brotli-bomb",
        f"{A}/br-bombe-111.html",
        "Content-Encoding: br expanding to 64 MiB",
        False,
        "dropped at DOWNLOAD_MAXSIZE during decompression",
    ),
    Case(
        "huge",
        f"{A}/riesig-112.html",
        "a 50 MB page",
        False,
        "cancelled at DOWNLOAD_MAXSIZE (warned at DOWNLOAD_WARNSIZE)",
    ),
    Case(
        "redirect-loop",
        f"{A}/schleife-113.html",
        "a redirect to itself, forever",
        False,
        "given up after REDIRECT_MAX_TIMES",
    ),
    Case(
        "429",
        f"{A}/zu-viele-114.html",
        "429 with Retry-After: 1, then the article",
        True,
        "retried after Retry-After, archived",
    ),
    Case(
        "503",
        f"{A}/wartung-115.html",
        "503 with Retry-After: 1, then the article",
        True,
        "retried after Retry-After, archived",
    ),
    Case(
        "500",
        f"{A}/fehler-116.html",
        "500 on every request",
        False,
        "retried RETRY_TIMES, then given up (counted)",
    ),
    Case(
        "slow",
        f"{A}/langsam-117.html",
        "an answer slower than DOWNLOAD_TIMEOUT",
        False,
        "timed out, retried, given up (counted)",
    ),
    Case(
        "reset",
        f"{A}/abbruch-118.html",
        "the connection reset in the middle of the body",
        False,
        "retried, given up (counted)",
    ),
    Case(
        "robots-disallowed",
        f"{A}/gesperrt/verboten-119.html",
        "an article robots.txt disallows",
        False,
        "never fetched",
    ),
    Case(
        "traversal",
        f"{A}/pfad-120.html",
        "site-controlled ids, section, og:url and keywords full of ../ and absolute paths",
        True,
        "archived; nothing written outside the archive and state roots",
    ),
    Case(
        "other-host",
        "https://www.example.org/fremd-121.html",
        "an article link to another host",
        False,
        "never fetched",
    ),
    Case(
        "file-scheme",
        "file://www.mdr.de/etc/hostname,abc-122.html",
        "a sitemap entry file://www.mdr.de/etc/hostname,abc-122.html: a local file under the site's host",
        False,
        "refused: only http(s) is fetched (counted as rejected/scheme); nothing of the file anywhere",
    ),
    Case(
        "redirect-file",
        f"{A}/umleitung-datei-123.html",
        "a redirect to file:///etc/hostname",
        False,
        "the redirect refused (counted as rejected/scheme)",
    ),
    Case(
        "redirect-unmirrored",
        f"{A}/umleitung-intern-124.html",
        "a redirect to intern.mdr.de, a host of the site's own domain that the mirror does not serve",
        False,
        "refused without a DNS lookup (counted as rejected/address): a mirrored run never leaves the mirror",
    ),
]
INTERNAL = "intern.mdr.de"
DISCOVERY = [
    (
        "html-feed",
        "/nachrichten/index-rss.xml",
        "the RSS feed is an HTML page",
        "logged as not a feed (counted), crawl goes on",
    ),
    ("self-index", "/news-sitemap.xml", "a sitemap index that lists itself", "itself skipped, children read"),
    (
        "billion-laughs",
        "/sitemap-lachen.xml",
        "a billion-laughs sitemap",
        "refused when the parser reports the DTD declaring entities, before any is referenced (never expanded; counted)",
    ),
    (
        "xxe",
        "/sitemap-xxe.xml",
        "a sitemap with an external entity reading /etc/hostname",
        "refused (counted); nothing of the file anywhere",
    ),
    (
        "section-trap",
        "/braunschweig/?seite=N",
        "a section page whose rel=next pagination never ends, with calendar links",
        "followed SECTION_MAX_PAGES deep, then stopped",
    ),
    (
        "robots-timeout",
        "regionalheute.de/robots.txt",
        "robots.txt answers slower than the timeout",
        "treated as unavailable, the crawl goes on",
    ),
]
GOOD_RH = "/braunschweig/brueckensanierung-dauert-laenger-braunschweig-1763626500/"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up on a bomb or a slow answer are expected here


class Hostile:
    """The hostile server; ``requests`` logs (host, path, status) and ``peak`` nothing; runs in a thread."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, int]] = []
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Hostile:
        # built before serving: compressing 64 MiB on the first request could take longer than the crawl's
        # DOWNLOAD_TIMEOUT on a busy machine, and the bombs would then fail as slow answers instead
        bomb("gzip"), bomb("br")
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, host: str, path: str, status: int) -> int:
        with self.lock:
            self.requests.append((host, path, status))
            key = f"{host}{path}"
            self.hits[key] = self.hits.get(key, 0) + 1
            return self.hits[key]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def send(
                self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                route = ROUTES.get((host, self.path))
                if route is None and host == RH and self.path.startswith("/braunschweig/"):
                    route = section_trap
                if route is None and host == MDR and self.path.startswith(f"{A}/schleife-113.html"):
                    route = redirect_loop
                n = server.count(host, self.path, 0)
                if route is None:
                    self.send(404, b"not found", "text/plain")
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self, n)

        return Handler


Handler = Any
Route = Callable[[Handler, int], None]


def _page(text: str, encoding: str = "utf-8", ctype: str | None = None) -> Route:
    def route(h: Handler, n: int) -> None:
        h.send(200, text.encode(encoding), ctype or f"text/html; charset={encoding}")

    return route


def robots_mdr(h: Handler, n: int) -> None:
    h.send(200, b"User-agent: *\nDisallow: /nachrichten/sachsen/gesperrt/\n", "text/plain")


def robots_slow(h: Handler, n: int) -> None:
    time.sleep(TIMEOUT * 2)
    h.send(200, b"User-agent: *\nDisallow:\n", "text/plain")


def _urlset(paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{p if '://' in p else 'https://' + MDR + p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def news_index(h: Handler, n: int) -> None:
    children = ["/news-sitemap.xml", "/sitemap-lachen.xml", "/sitemap-xxe.xml", "/sitemap-artikel.xml"]
    locs = "".join(f"<sitemap><loc>https://{MDR}{c}</loc></sitemap>" for c in children)
    body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'
    h.send(200, body.encode(), "application/xml")


def laughs(h: Handler, n: int) -> None:
    levels = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    body = f'<?xml version="1.0"?><!DOCTYPE urlset [{levels}]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://{MDR}/&l9;-1.html</loc></url></urlset>'
    h.send(200, body.encode(), "application/xml")


def xxe(h: Handler, n: int) -> None:
    body = f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/hostname">]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://{MDR}/nachrichten/&x;-122.html</loc></url></urlset>'
    h.send(200, body.encode(), "application/xml")


def html_feed(h: Handler, n: int) -> None:
    h.send(200, b"<!DOCTYPE html><html><body><h1>Feeds</h1><p>Unsere Feeds sind umgezogen.</p></body></html>")


def truncated(h: Handler, n: int) -> None:
    text = good("abgeschnitten")
    h.send(200, text[: text.index("Dritter Absatz")].encode())


def malformed(h: Handler, n: int) -> None:
    h.send(200, b"<html><<body><div <p>>>> </td></tr><script>document.write('<div')</script><<<</html")


def empty(h: Handler, n: int) -> None:
    h.send(200, b"")


def binary(h: Handler, n: int) -> None:
    h.send(200, os.urandom(4096) + b"\x00" * 64)


@functools.cache
def bomb(encoding: str) -> bytes:
    zeros = b"\0" * (64 * 1024 * 1024)
    return gzip.compress(zeros, compresslevel=9) if encoding == "gzip" else brotli.compress(zeros, quality=1)


def gzip_bomb(h: Handler, n: int) -> None:
    h.send(200, bomb("gzip"), Content_Encoding="gzip")


def brotli_bomb(h: Handler, n: int) -> None:
    h.send(200, bomb("br"), Content_Encoding="br")


def huge(h: Handler, n: int) -> None:
    size = 50 * 1024 * 1024
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(size))
    h.end_headers()
    chunk = b"<p>" + b"x" * (1 << 16) + b"</p>"
    sent = 0
    while sent < size:
        h.wfile.write(chunk[: size - sent])
        sent += len(chunk)


def redirect_loop(h: Handler, n: int) -> None:
    hop = int(h.path.split("?n=")[1]) + 1 if "?n=" in h.path else 1
    h.send(302, b"", "text/plain", Location=f"https://{MDR}{A}/schleife-113.html?n={hop}")


def then_good(status: int, tag: str) -> Route:
    def route(h: Handler, n: int) -> None:
        if n == 1:
            h.send(status, b"busy", "text/plain", Retry_After="1")
        else:
            h.send(200, good(tag).encode())

    return route


def error(h: Handler, n: int) -> None:
    h.send(500, b"internal error", "text/plain")


def slow(h: Handler, n: int) -> None:
    time.sleep(TIMEOUT * 2)
    h.send(200, good("langsam").encode())


def reset(h: Handler, n: int) -> None:
    body = good("abbruch").encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body) * 4))
    h.end_headers()
    h.wfile.write(body[:500])
    h.wfile.flush()
    # linger 0 and close the descriptor itself (the handler's files still refer to the socket): a TCP RST
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    os.close(h.connection.detach())


def traversal(h: Handler, n: int) -> None:
    head = (
        '<meta property="og:url" content="file:///etc/passwd">'
        '<link rel="canonical" href="../../../../../etc/passwd">'
        '<meta name="keywords" content="../../../tmp/evil, /etc/shadow">'
        '<meta property="article:section" content="../../../../tmp/evil">'
        '<script type="application/ld+json">{"@type":"WebPage","@id":"../../../../tmp/evil"}</script>'
    )
    h.send(200, good("pfad", extra_head=head).encode())


def section_trap(h: Handler, n: int) -> None:
    page = int(h.path.split("seite=")[1]) if "seite=" in h.path else 1
    links = "".join(f'<a href="/braunschweig/kalender/2026-11-{d:02d}/">{d}.11.</a>' for d in range(1, 29))
    article = f'<a href="{GOOD_RH}">Brückensanierung</a>' if page == 1 else ""
    body = (
        f'<html><head><link rel="next" href="/braunschweig/?seite={page + 1}"></head><body>{article}{links}'
        f'<a href="https://www.example.org/fremd-121.html">fremd</a><a rel="next" href="/braunschweig/?seite={page + 1}">weiter</a></body></html>'
    )
    h.send(200, body.encode())


def rh_article(h: Handler, n: int) -> None:
    h.send(
        200, article_html("Braunschweig: Brückensanierung dauert länger", paragraphs("braunschweig")).encode()
    )


ARTICLE_PATHS = [c.path for c in CASES]
ROUTES: dict[tuple[str, str], Route] = {
    (MDR, "/robots.txt"): robots_mdr,
    (MDR, "/nachrichten/index-rss.xml"): html_feed,
    (MDR, "/news-sitemap.xml"): news_index,
    (MDR, "/sitemap-lachen.xml"): laughs,
    (MDR, "/sitemap-xxe.xml"): xxe,
    (MDR, "/sitemap-artikel.xml"): lambda h, n: h.send(200, _urlset(ARTICLE_PATHS), "application/xml"),
    (MDR, f"{A}/gut-eins-101.html"): _page(good("eins")),
    (MDR, f"{A}/latin-header-102.html"): _page(good("latin", charset=None), "iso-8859-1"),
    (MDR, f"{A}/cp-meta-103.html"): _page(
        good("cp", charset="windows-1252", umlauts=CP1252), "cp1252", "text/html"
    ),
    (MDR, f"{A}/latin-ohne-104.html"): _page(good("ohne", charset=None), "iso-8859-1", "text/html"),
    (MDR, f"{A}/falsch-105.html"): _page(
        good("falsch", charset=None, umlauts=CP1252), "cp1252", "text/html; charset=utf-8"
    ),
    (MDR, f"{A}/abgeschnitten-106.html"): truncated,
    (MDR, f"{A}/kaputt-107.html"): malformed,
    (MDR, f"{A}/leer-108.html"): empty,
    (MDR, f"{A}/binaer-109.html"): binary,
    (MDR, f"{A}/gzip-bombe-110.html"): gzip_bomb,
    (MDR, f"{A}/br-bombe-111.html"): brotli_bomb,
    (MDR, f"{A}/riesig-112.html"): huge,
    (MDR, f"{A}/zu-viele-114.html"): then_good(429, "zu-viele"),
    (MDR, f"{A}/wartung-115.html"): then_good(503, "wartung"),
    (MDR, f"{A}/fehler-116.html"): error,
    (MDR, f"{A}/langsam-117.html"): slow,
    (MDR, f"{A}/abbruch-118.html"): reset,
    (MDR, f"{A}/pfad-120.html"): traversal,
    (MDR, f"{A}/umleitung-datei-123.html"): lambda h, n: h.send(
        302, b"", "text/plain", Location="file:///etc/hostname"
    ),
    (MDR, f"{A}/umleitung-intern-124.html"): lambda h, n: h.send(
        302, b"", "text/plain", Location=f"http://{INTERNAL}/latest/meta-data/geheim-125.html"
    ),
    (RH, "/robots.txt"): robots_slow,
    (RH, GOOD_RH): rh_article,
}
