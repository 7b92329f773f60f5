"""Credentials stay out of argv, messages and logs; an unusable Redis is exit 2 before any request to a site."""

from __future__ import annotations

import json
import logging
import pprint
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.deploy import DeployError, scrapyd_call, split_credentials
from crawler.logredact import RedactSettings
from pipelines.redact import redact_text, redact_url, redact_value
from tests.clirun import clean_env
from tests.redisserver import RedisServer, _free_port
from tests.threats import observe

PASSWORD = "s3cr3t-pw"


class Counting:
    """An HTTP server that counts requests and answers Scrapyd's way; records the Authorization header."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def answer(self) -> None:
                server.requests.append((self.path, self.headers.get("Authorization") or ""))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = json.dumps({"status": "ok", "project": "newsarchive", "version": "1", "spiders": 19})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            do_GET = do_POST = answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def locked_redis() -> Iterator[RedisServer]:
    with RedisServer() as srv:
        srv.client().config_set("requirepass", PASSWORD)
        yield srv


@pytest.fixture
def site() -> Iterator[Counting]:
    server = Counting()
    yield server
    server.close()


def crawl(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "mdr", "--no-progress", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean_env(), **(env or {})},
        timeout=120,
    )


def test_a_wrong_redis_password_is_exit_2_before_any_request(
    locked_redis: RedisServer, site: Counting, tmp_path: Path
) -> None:
    uri = f"redis://:WRONG-{PASSWORD}@127.0.0.1:{locked_redis.port}/0"
    proc = crawl(tmp_path, "--distributed", uri, "--state", "seen.sqlite", "--mirror", site.url)
    assert proc.returncode == 2, proc.stdout + proc.stderr[-2000:]
    assert f"--distributed: cannot reach Redis at redis://:***@127.0.0.1:{locked_redis.port}/0" in proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Nothing new" not in proc.stdout
    assert site.requests == [], "nothing was fetched"
    observe("redis-password", f"exit {proc.returncode}; {proc.stderr.strip().splitlines()[-1]}; 0 requests")


def test_a_refused_redis_from_the_environment_is_exit_2(site: Counting, tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    env = {"DISTRIBUTED_URI": f"redis://:{PASSWORD}@127.0.0.1:{port}/0"}
    proc = crawl(tmp_path, "--mirror", site.url, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr[-2000:]
    assert f"--distributed: cannot reach Redis at redis://:***@127.0.0.1:{port}/0" in proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr
    assert site.requests == []
    observe(
        "redis-env",
        f"DISTRIBUTED_URI read: exit {proc.returncode}; {proc.stderr.strip().splitlines()[-1][:140]}",
    )


def test_the_right_password_from_the_environment_passes_the_check(
    locked_redis: RedisServer, tmp_path: Path
) -> None:
    from crawler.runner import check_redis

    check_redis(f"redis://:{PASSWORD}@127.0.0.1:{locked_redis.port}/0")  # no exception


def test_deploy_never_prints_a_password(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "deploy", "--url", f"http://admin:{PASSWORD}@127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=120,
    )
    assert proc.returncode == 2
    assert f"cannot reach Scrapyd at http://admin:***@127.0.0.1:{port}" in proc.stderr, proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr
    observe("deploy-password", f"exit {proc.returncode}; {proc.stderr.strip().splitlines()[-1][:140]}")


def test_deploy_sends_url_credentials_as_basic_auth(site: Counting) -> None:
    host = site.url.split("://", 1)[1]
    answer = scrapyd_call(f"http://admin:{PASSWORD}@{host}", "addversion.json", {"project": "p"})
    assert answer["status"] == "ok"
    (path, auth), *_ = site.requests
    assert path == "/addversion.json" and auth == "Basic YWRtaW46czNjcjN0LXB3"  # admin:s3cr3t-pw
    assert split_credentials("http://h:6800") == ("http://h:6800", {})
    with pytest.raises(DeployError) as info:
        scrapyd_call(f"http://admin:{PASSWORD}@127.0.0.1:{_free_port()}", "addversion.json", {})
    assert PASSWORD not in str(info.value)


def test_overridden_settings_are_logged_without_secrets() -> None:
    shown = {
        "AWS_SECRET_ACCESS_KEY": PASSWORD,
        "SCRAPYD_PASSWORD": PASSWORD,
        "API_TOKEN": PASSWORD,
        "STATE_URI": f"redis://user:{PASSWORD}@redis:6379/0",
        "DOWNLOAD_DELAY": "0",
        "FEEDS": {"s3://bucket/x.json": {"format": "json"}},
    }
    record = logging.LogRecord(
        "scrapy.crawler", logging.INFO, __file__, 1, "Overridden settings:\n%(settings)s",
        ({"settings": pprint.pformat(shown)},), None,
    )  # fmt: skip
    assert RedactSettings().filter(record)
    text = record.getMessage()
    assert PASSWORD not in text
    assert "'SCRAPYD_PASSWORD': '***'" in text and "redis://user:***@redis:6379/0" in text
    assert "'DOWNLOAD_DELAY': '0'" in text and "s3://bucket/x.json" in text
    short = logging.LogRecord(
        "scrapy.crawler", logging.INFO, __file__, 1, "Overridden settings:\n%(settings)s",
        ({"settings": pprint.pformat({"A_TOKEN": "x'y", "B": 1})},), None,
    )  # fmt: skip
    RedactSettings().filter(short)
    assert short.getMessage().endswith("{'A_TOKEN': '***', 'B': 1}")


def test_the_settings_module_installs_the_filter() -> None:
    import crawler.settings  # noqa: F401

    assert any(isinstance(f, RedactSettings) for f in logging.getLogger("scrapy.crawler").filters)


def test_redaction() -> None:
    assert redact_url("redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert redact_url("rediss://u:pw@h/0?prefix=x") == "rediss://u:***@h/0?prefix=x"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"
    assert redact_text("at redis://:a@h/0 and http://u:p@x") == "at redis://:***@h/0 and http://u:***@x"
    assert redact_value("MY_KEY", "v") == "***" and redact_value("NAME", ["http://u:p@h"]) == [
        "http://u:***@h"
    ]
