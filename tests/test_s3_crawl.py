"""Crawls into an S3 archive (moto's server over HTTP on 127.0.0.1, SigV4 enforced): the same contract as a
local archive, an outage in the middle of a crawl that loses and duplicates nothing, wrong credentials refused
before any request to a site, and no secret in any output."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec
from crawler.demo.server import MirrorServer
from crawler.demo.synthetic import SyntheticMirror, build_synthetic_mirror
from crawler.sites import site_classes
from tests import clirun
from tests.s3server import REGION, MotoServer, free_port

BUCKET = "news"
URI = f"s3://{BUCKET}/archive"
FAST = [*clirun.FAST, "-s", "ARCHIVE_S3_MAX_ATTEMPTS=2"]


class Proxy:
    """A TCP forwarder in front of the S3 server: stopping it makes the store unreachable (connection refused)
    while the server keeps its objects, like an S3 endpoint that goes away and comes back."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.sock: socket.socket | None = None
        self.conns: list[socket.socket] = []

    def start(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.sock = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def stop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.conns.clear()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                client, _ = sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


@dataclass
class Store:
    moto: MotoServer
    proxy: Proxy
    key: str
    secret: str

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.proxy.port}"

    def env(self, secret: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVE_", "STATE_"))}
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID=self.key,
            AWS_SECRET_ACCESS_KEY=secret or self.secret,
            AWS_REGION=REGION,
            AWS_S3_ADDRESSING_STYLE="path",
        )
        return env

    def object_keys(self, prefix: str = "archive/") -> list[str]:
        s3 = self.moto.client(aws_access_key_id=self.key, aws_secret_access_key=self.secret)
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    def text(self) -> str:
        s3 = self.moto.client(aws_access_key_id=self.key, aws_secret_access_key=self.secret)
        return "".join(
            s3.get_object(Bucket=BUCKET, Key=k)["Body"].read().decode("latin-1")
            for k in self.object_keys()
            if k.endswith(".json")
        )


@pytest.fixture
def store() -> Iterator[Store]:
    with MotoServer() as moto:
        moto.create_bucket(BUCKET)
        key, secret = moto.create_iam_key()
        moto.enforce_auth()
        proxy = Proxy(moto.port)
        proxy.start()
        try:
            yield Store(moto, proxy, key, secret)
        finally:
            proxy.stop()
            moto.enforce_auth(False)


@pytest.fixture(scope="module")
def mirror() -> Iterator[tuple[SyntheticMirror, MirrorServer]]:
    site = build_synthetic_mirror([SiteSpec.from_spider(site_classes()["ndr"])], fixtures_dir(), 60)
    with MirrorServer(site) as server:
        yield site, server


def crawl(
    store: Store, server: MirrorServer, cwd: Path, *extra: str, secret: str | None = None
) -> subprocess.Popen[str]:
    args = ["crawl", "ndr", "--archive", URI, "--state", str(cwd / "state.sqlite"), "--mirror", server.url]
    args += [*FAST, "-s", "COMPRESSION_ENABLED=False", *extra]
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=cwd,
        env=store.env(secret),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read(store: Store, cwd: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "read", "--archive", URI],
        cwd=cwd,
        env=store.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_outage_mid_crawl_loses_and_duplicates_nothing(
    store: Store, mirror: tuple[SyntheticMirror, MirrorServer], tmp_path: Path
) -> None:
    site, server = mirror
    spool = tmp_path / "spool"
    proc = crawl(
        store, server, tmp_path,
        "-s", "ARCHIVE_PART_MAX_RECORDS=5", "-s", f"ARCHIVE_SPOOL_DIR={spool}", "-s", "ARCHIVE_SPOOL_RETRY_INTERVAL=0.5",
        "-s", "DOWNLOAD_DELAY=0.1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "LOG_LEVEL=INFO",
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any("/manifests/" in k for k in store.object_keys()) and time.monotonic() < deadline:
        time.sleep(0.2)
    committed_before = sum("/manifests/" in k for k in store.object_keys())
    assert committed_before, "the crawl committed parts before the outage"
    store.proxy.stop()  # the store goes away in the middle of the crawl
    time.sleep(2.5)
    store.proxy.start()  # and comes back
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, out + err[-3000:]
    assert "spool" in err, "objects waited in the spool while the store was down"
    records = read(store, tmp_path)
    counts = Counter(r["url"] for r in records)
    assert set(counts) == set(site.expected["ndr"]), "every article"
    assert all(n == 1 for n in counts.values()), "exactly once"
    assert not list(spool.rglob("*.gz")), "the spool is empty again"


def test_store_down_until_the_end_is_finished_by_the_next_run(
    store: Store, mirror: tuple[SyntheticMirror, MirrorServer], tmp_path: Path
) -> None:
    site, server = mirror
    spool = tmp_path / "spool"
    opts = ("-s", f"ARCHIVE_SPOOL_DIR={spool}", "-s", "ARCHIVE_PART_MAX_RECORDS=20")
    first = crawl(
        store, server, tmp_path, *opts, "-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"
    )
    deadline = time.monotonic() + 30
    while not any("/manifests/" in k for k in store.object_keys()) and time.monotonic() < deadline:
        time.sleep(0.1)
    store.proxy.stop()
    out, err = first.communicate(timeout=180)
    assert first.returncode == 0, out + err[-3000:]
    assert "wait in the spool" in err
    store.proxy.start()
    second = crawl(store, server, tmp_path, *opts)
    out, err = second.communicate(timeout=180)
    assert second.returncode == 0, out + err[-3000:]
    counts = Counter(r["url"] for r in read(store, tmp_path))
    assert set(counts) == set(site.expected["ndr"])
    assert all(n == 1 for n in counts.values())


def test_wrong_credentials_fail_at_start_and_never_show_the_secret(
    store: Store, mirror: tuple[SyntheticMirror, MirrorServer], tmp_path: Path
) -> None:
    _, server = mirror
    sentinel = "SENTINEL-SECRET-0xC0FFEE-do-not-print"
    before = len(server.requests)
    proc = crawl(store, server, tmp_path, "-s", "LOG_LEVEL=DEBUG", secret=sentinel)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, out + err
    assert "cannot use the archive" in err and "credentials" in err
    assert "Traceback" not in err
    assert sentinel not in out + err
    assert len(server.requests) == before, "no request to the site before the store is known to work"


def test_a_successful_run_writes_no_secret_anywhere(
    store: Store, mirror: tuple[SyntheticMirror, MirrorServer], tmp_path: Path
) -> None:
    _, server = mirror
    stats = tmp_path / "stats.json"
    proc = crawl(store, server, tmp_path, "-s", "LOG_LEVEL=DEBUG", "-s", f"NEWSARCHIVE_STATS_FILE={stats}")
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, out + err[-3000:]
    site_stats = json.loads(stats.read_text())["ndr"]
    assert site_stats["newsarchive/archived"] == 60
    for text in (out, err, stats.read_text(), store.text()):
        assert store.secret not in text
    assert site_stats["newsarchive/s3_requests"] <= 30, site_stats["newsarchive/s3_requests"]
