"""A real redis-server on 127.0.0.1 for tests: a free port, no persistence, its own temporary directory.

redis-server must be installed (Debian: ``apt-get install redis-server``; ``make test`` installs it when
missing). Without it the tests that need it fail with that message instead of being skipped.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from types import TracebackType

import redis

INSTALL_HINT = (
    "redis-server is not installed: apt-get install redis-server (make test installs it when missing)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """``with RedisServer() as srv: srv.url`` -> ``redis://127.0.0.1:PORT/0``; stopped and removed on exit."""

    def __init__(self, binary: str | None = None) -> None:
        found = binary or shutil.which("redis-server")
        if not found:
            raise RuntimeError(INSTALL_HINT)
        self.binary = found
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> RedisServer:
        self.tmp = tempfile.TemporaryDirectory(prefix="redis-test-")
        for _attempt in range(5):
            self.port = _free_port()
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", self.tmp.name,
                    "--daemonize", "no",
                    "--loglevel", "warning",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    if self.client().ping():
                        return self
                except redis.ConnectionError:
                    time.sleep(0.05)
            self._kill()  # the port was taken in between, or the server did not come up: try another
        raise RuntimeError("redis-server did not start")

    def flush(self) -> None:
        self.client().flushall()

    def _kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        self._kill()
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
