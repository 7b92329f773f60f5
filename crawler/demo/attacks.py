"""A hostile site on 127.0.0.1 that tries to cost a crawl unbounded memory or time (scripts/hostile_cost.py and the
tests of the bounded frontier).

:class:`AttackServer` is a :class:`crawler.demo.server.MirrorServer` (so the normal sites of a Mirror crawl from it
in the same run) that answers for :data:`HOSTILE_HOST` from an :class:`Attack`: documents generated on request,
never stored whole for more than one request:

- ``robots_bytes``: robots.txt padded with ``Disallow:`` rules to this size (Scrapy's robots.txt parser would
  hold all of them);
- ``sitemaps`` x ``urls``: robots.txt names that many gzipped sitemaps of that many URLs each (692,590 URLs fit
  under the 64 MiB decompression limit);
- ``nested``: robots.txt names a sitemap index of that many children, each an index of as many, each an index of
  as many, whose children are small sitemaps (a backfill would walk nested^3 documents);
- ``slow`` x ``slow_seconds``: the newest ``slow`` URLs of the first sitemap answer after that many seconds.

Every other article URL of the site answers 404 at once. No Scrapy imports here.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from crawler.demo.mirror import GZIP_TYPE, HTML_TYPE, XML_TYPE, Mirror, Resource
from crawler.demo.server import MirrorServer

HOSTILE_HOST = "www.angriff-beispiel.de"
HOSTILE_FRONT = f"https://{HOSTILE_HOST}/"
TEXT_TYPE = "text/plain; charset=utf-8"
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
_BASE = datetime(2024, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Attack:
    """What the hostile site serves (see the module docstring)."""

    name: str = "attack"
    robots_bytes: int = 0
    sitemaps: int = 0
    urls: int = 0
    nested: int = 0
    nested_urls: int = 3
    slow: int = 0
    slow_seconds: float = 0.0


def _lastmod(i: int) -> str:
    return (_BASE - timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def robots_txt(attack: Attack) -> bytes:
    lines = ["User-agent: *", "Disallow: /verboten/"]
    lines += [f"Sitemap: https://{HOSTILE_HOST}/sitemap-{i}.xml.gz" for i in range(attack.sitemaps)]
    if attack.nested:
        lines.append(f"Sitemap: https://{HOSTILE_HOST}/index.xml")
    body = ("\n".join(lines) + "\n").encode()
    if attack.robots_bytes > len(body):
        rule = b"Disallow: /verboten/%08d/\n"
        count = (attack.robots_bytes - len(body)) // len(rule % 0)
        body += b"".join(rule % i for i in range(count))
    return body


@lru_cache(maxsize=4)
def big_sitemap(index: int, urls: int) -> bytes:
    """A gzipped sitemap of ``urls`` URLs (692,590 of them expand to 63 MB, under the 64 MiB limit)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_NS}>\n'.encode()
    rows = b"".join(
        b"<url><loc>https://%s/a/%d-%d</loc><lastmod>%s</lastmod></url>\n"
        % (HOSTILE_HOST.encode(), index, i, _lastmod(i // 1440).encode()[:10])
        for i in range(urls)
    )
    return gzip.compress(head + rows + b"</urlset>\n", compresslevel=6, mtime=0)


def _index(prefix: str, children: int) -> bytes:
    rows = "".join(
        f"<sitemap><loc>https://{HOSTILE_HOST}/{prefix}-{i}.xml</loc><lastmod>{_lastmod(i)}</lastmod></sitemap>\n"
        for i in range(children)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_NS}>\n{rows}</sitemapindex>\n'.encode()


def _urlset(urls: list[str]) -> bytes:
    rows = "".join(f"<url><loc>{u}</loc><lastmod>{_lastmod(i)}</lastmod></url>\n" for i, u in enumerate(urls))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_NS}>\n{rows}</urlset>\n'.encode()


def attack_resource(attack: Attack, path: str) -> tuple[Resource, float]:
    """The hostile site's answer to ``path`` and the seconds it waits before answering."""
    path = path.split("?", 1)[0]
    if path == "/robots.txt":
        return Resource(200, {"Content-Type": TEXT_TYPE}, robots_txt(attack)), 0.0
    if path == "/":
        page = b"<html><head><title>Angriff</title></head><body><p>Nichts.</p></body></html>"
        return Resource(200, {"Content-Type": HTML_TYPE}, page), 0.0
    if path.startswith("/sitemap-") and path.endswith(".xml.gz"):
        number = int(path.removeprefix("/sitemap-").removesuffix(".xml.gz"))
        if number < attack.sitemaps:
            return Resource(200, {"Content-Type": GZIP_TYPE}, big_sitemap(number, attack.urls)), 0.0
    if attack.nested and path.startswith("/index") and path.endswith(".xml"):
        parts = path.removeprefix("/index").removesuffix(".xml").split("-")[1:]
        if len(parts) < 3:
            return Resource(200, {"Content-Type": XML_TYPE}, _index(path[1:-4], attack.nested)), 0.0
        stem = "-".join(parts)
        urls = [f"https://{HOSTILE_HOST}/a/n{stem}-{i}.html" for i in range(attack.nested_urls)]
        return Resource(200, {"Content-Type": XML_TYPE}, _urlset(urls)), 0.0
    if path.startswith("/a/0-") and path[5:].isdigit() and int(path[5:]) < attack.slow:
        page = b"<html><head><title>Langsam</title></head><body><p>Zu spaet.</p></body></html>"
        return Resource(200, {"Content-Type": HTML_TYPE}, page), attack.slow_seconds
    return Resource(404, {"Content-Type": TEXT_TYPE}, b"not found"), 0.0


class AttackServer(MirrorServer):
    """A MirrorServer that answers for HOSTILE_HOST from an Attack (the mirror's sites as usual)."""

    def __init__(self, mirror: Mirror, attack: Attack, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(mirror, host, port)
        self.attack = attack
        self.mirror.resources.setdefault(HOSTILE_HOST, {})  # the host is mirrored: --mirror serves it

    def resolve(self, host_header: str, path: str) -> tuple[str, Resource]:
        host = host_header.lower().split(":")[0]
        if host != HOSTILE_HOST:
            return super().resolve(host_header, path)
        resource, wait = attack_resource(self.attack, path)
        if wait:
            time.sleep(wait)
        return host, resource
