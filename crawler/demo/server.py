"""A threaded HTTP/1.1 server for a Mirror, routed by the Host header.

Requests whose Host header names a mirrored host are answered from that host's resources; any other
Host (e.g. 127.0.0.1:PORT) looks the path up across all hosts. Supports GET and HEAD, gzip
Content-Encoding on request, ETag / Last-Modified with 304 answers. No Scrapy imports here.

    python -m crawler.demo.server --port 8800
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from crawler.demo.mirror import Mirror, Resource, SiteSpec, build_mirror, specs_from_fixtures

NOT_FOUND = Resource(404, {"Content-Type": "text/plain; charset=utf-8"}, b"404 not found\n")
GZIP_MIN_SIZE = 256


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _not_modified_since(header: str, last_modified: str) -> bool:
    try:
        since: datetime = parsedate_to_datetime(header)
        modified: datetime = parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
    return modified <= since


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # a crawler that hangs up (killed, timed out) is not the server's error; anything else is reported
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class MirrorServer:
    """Serves a Mirror on host:port (port 0 picks a free port) in a background thread."""

    def __init__(self, mirror: Mirror, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0) -> None:
        self.mirror = mirror
        self.latency = latency  # seconds each answer takes (so that overlapping requests overlap measurably)
        self.host = host
        self.requests: list[tuple[str, str, int]] = []  # (host, path, status)
        self.in_flight: dict[str, int] = {}  # host -> requests being answered now
        self.peak_in_flight: dict[str, int] = {}  # host -> most requests answered at once
        self._lock = threading.Lock()
        self._gzip_cache: dict[tuple[str, str], tuple[bytes, bytes]] = {}
        self._httpd = _Server((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> MirrorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="mirror-server", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def resolve(self, host_header: str, path: str) -> tuple[str, Resource]:
        """(host, resource) for a request: by Host when it is mirrored, else by path on any host."""
        host = host_header.lower().rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header.lower()
        if host in self.mirror.resources:
            return host, self.mirror.get(host, path) or NOT_FOUND
        found = self.mirror.find(path)
        return (found[0], found[1]) if found else (host, NOT_FOUND)

    def begin(self, host_header: str) -> str:
        """A request for a host starts being answered (for the per-host concurrency figures; it ends before
        the response is sent, so a client's next request never finds its previous one still counted)."""
        host = host_header.lower().split(":")[0]
        with self._lock:
            now = self.in_flight.get(host, 0) + 1
            self.in_flight[host] = now
            self.peak_in_flight[host] = max(now, self.peak_in_flight.get(host, 0))
        return host

    def end(self, host: str) -> None:
        with self._lock:
            self.in_flight[host] -= 1

    def log(self, host: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((host, path, status))

    def gzipped(self, host: str, path: str, body: bytes) -> bytes:
        """The gzipped body, compressed once per resource (a resource replaced since is compressed anew)."""
        key = (host, path)
        with self._lock:
            cached = self._gzip_cache.get(key)
        if cached is None or cached[0] is not body:
            cached = (body, gzip.compress(body, compresslevel=5, mtime=0))
            with self._lock:
                self._gzip_cache[key] = cached
        return cached[1]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "newsarchive-mirror/1"
            timeout = 30

            def do_GET(self) -> None:
                self._counted(with_body=True)

            def do_HEAD(self) -> None:
                self._counted(with_body=False)

            def _counted(self, with_body: bool) -> None:
                host = server.begin(self.headers.get("Host", ""))
                try:
                    if server.latency:
                        time.sleep(server.latency)
                finally:
                    server.end(host)
                self._answer(with_body)

            def _answer(self, with_body: bool) -> None:
                host, resource = server.resolve(self.headers.get("Host", ""), self.path)
                status, headers, body = resource.status, dict(resource.headers), resource.body
                etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
                if status == 200:
                    inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                    if (inm is not None and etag and _etag_matches(inm, etag)) or (
                        inm is None and ims and last_modified and _not_modified_since(ims, last_modified)
                    ):
                        status, body = 304, b""
                        headers = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
                accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "").lower()
                is_gzip_file = headers.get("Content-Type", "").startswith("application/x-gzip")
                if status == 200 and not is_gzip_file and len(body) >= GZIP_MIN_SIZE:
                    headers["Vary"] = "Accept-Encoding"
                    if accepts_gzip:
                        body = server.gzipped(host, self.path, body)
                        headers["Content-Encoding"] = "gzip"
                server.log(host, self.path, status)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body and body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: requests are kept in MirrorServer.requests."""

        return Handler


def serve(sites: Sequence[SiteSpec] | None = None, host: str = "127.0.0.1", port: int = 8800) -> None:
    """Serve the mirror of the given sites (default: every fixture site, hosts only) until interrupted."""
    from crawler.demo import pages_dir

    pages = pages_dir()
    mirror = build_mirror(list(sites) if sites is not None else specs_from_fixtures(pages), pages)
    with MirrorServer(mirror, host, port) as server:
        print(f"mirror of {len(mirror.sites)} sites, {len(list(mirror.urls()))} URLs at {server.url}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Serve the offline mirror of the demo sites (the packaged pages)."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args(argv)
    serve(host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
