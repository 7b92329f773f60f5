"""Only http(s), never an internal address: the scheme guard, the guarded resolver and the download handler.

Two HTTP servers on loopback addresses: a "public" one on 127.0.0.1 (allowed with ALLOWED_NETWORKS, as an
intranet site would be) and an "internal" one on 127.0.0.2 standing for a metadata service or an internal host.
Host names reach them through DNS_OVERRIDES, so a real DNS answer is imitated without the network. The
internal server must never receive a request, whichever way the crawl is pointed at it.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.netguard import (
    AddressPolicy,
    AddressRefused,
    check_host,
    parse_networks,
    parse_overrides,
    refusal,
)
from tests.clirun import FAST, clean_env, cli
from tests.threats import observe

ROOT = Path(__file__).resolve().parents[1]


class Server:
    """A tiny HTTP server on ``address`` that logs every request and answers from ``routes``."""

    def __init__(self, address: str, routes: dict[str, tuple[int, dict[str, str]]] | None = None) -> None:
        self.requests: list[str] = []
        self.routes = routes or {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, headers = server.routes.get(self.path, (200, {}))
                body = b"internal secret" if not server.routes else b"public page"
                self.send_response(status)
                for name, value in {"Content-Type": "text/plain", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Run:
    returncode: int
    log: str
    outcomes: dict[str, str]
    stats: dict[str, Any]
    public: list[str]
    internal: list[str]
    urls: dict[str, str]


OVERRIDES = {
    "public.test": "127.0.0.1",
    "intern.test": "127.0.0.2",
    "v6.test": "::1",
    "mapped.test": "::ffff:127.0.0.2",
    "cgnat.test": "100.64.0.1",
    "mixed.test": ["127.0.0.2", "10.1.2.3", "169.254.169.254"],
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("netguard")
    internal = Server("127.0.0.2")
    ip = internal.port
    public = Server(
        "127.0.0.1",
        {
            "/redirect-internal": (302, {"Location": f"http://intern.test:{ip}/secret"}),
            "/redirect-literal": (302, {"Location": f"http://127.0.0.2:{ip}/secret"}),
            "/redirect-file": (302, {"Location": "file:///etc/hostname"}),
            "/redirect-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}),
            "/ok": (200, {}),
        },
    )
    pp = public.port
    urls = {
        "control": f"http://public.test:{pp}/ok",
        "redirect-internal": f"http://public.test:{pp}/redirect-internal",
        "redirect-literal": f"http://public.test:{pp}/redirect-literal",
        "redirect-file": f"http://public.test:{pp}/redirect-file",
        "redirect-metadata": f"http://public.test:{pp}/redirect-metadata",
        "host": f"http://intern.test:{ip}/direct",
        "literal": f"http://127.0.0.2:{ip}/literal",
        "ipv6": f"http://v6.test:{ip}/v6",
        "mapped-name": f"http://mapped.test:{ip}/mapped",
        "mapped-literal": f"http://[::ffff:127.0.0.2]:{ip}/mapped-literal",
        "cgnat": f"http://cgnat.test:{ip}/cgnat",
        "mixed": f"http://mixed.test:{ip}/mixed",
        # not IP literals to a parser, but getaddrinfo (real resolution, no DNS_OVERRIDES) reads them as 127.0.0.2
        "shorthand": f"http://127.2:{ip}/shorthand",
        "decimal": f"http://2130706434:{ip}/decimal",
        "hex": f"http://0x7f000002:{ip}/hex",
        "file": "file:///etc/hostname",
        "data": "data:text/html,<p>hi</p>",
        "ftp": "ftp://public.test/file.txt",
        "s3": "s3://bucket/key",
    }
    stats_file = tmp / "stats.json"
    out = tmp / "outcomes.json"
    args = [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(ROOT / "tests" / "threatspider.py"),
        "-a",
        f"urls={'|'.join(urls.values())}",
        "-a",
        f"out={out}",
        "-s",
        "ALLOWED_NETWORKS=127.0.0.1/32",
        "-s",
        f"DNS_OVERRIDES={json.dumps(OVERRIDES)}",
        "-s",
        f"NEWSARCHIVE_STATS_FILE={stats_file}",
        "-s",
        f"ARCHIVE_URI={tmp / 'archive'}",
        "-s",
        "AWS_SECRET_ACCESS_KEY=hunter2-secret",
    ]
    env = {**clean_env(), "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(args, capture_output=True, text=True, cwd=tmp, env=env, timeout=120)
    finally:
        public.close()
        internal.close()
    stats = json.loads(stats_file.read_text())["threats"] if stats_file.exists() else {}
    outcomes = json.loads(out.read_text()) if out.exists() else {}
    yield Run(proc.returncode, proc.stderr, outcomes, stats, public.requests, internal.requests, urls)


def outcome(run: Run, name: str) -> str:
    return run.outcomes.get(run.urls[name], f"no outcome; log: {run.log[-2000:]}")


def test_the_internal_server_is_never_reached(run: Run) -> None:
    assert run.returncode == 0, run.log[-3000:]
    assert run.internal == [], "a request reached the internal address"
    # the control: the allowed server answers, so the set-up works
    assert outcome(run, "control").startswith("fetched 200"), outcome(run, "control")
    assert "/ok" in run.public and "/redirect-internal" in run.public


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("redirect-internal", "intern.test resolves to 127.0.0.2 (loopback)"),
        ("redirect-literal", "127.0.0.2 is a loopback address"),
        ("redirect-metadata", "169.254.169.254 is a link-local address"),
        ("host", "intern.test resolves to 127.0.0.2 (loopback)"),
        ("literal", "127.0.0.2 is a loopback address"),
        ("ipv6", "v6.test resolves to ::1 (loopback)"),
        ("mapped-name", "(loopback, embedded in IPv6)"),
        ("mapped-literal", "loopback, embedded in IPv6"),
        ("cgnat", "100.64.0.1 (CGNAT)"),
        ("mixed", "127.0.0.2 (loopback), 10.1.2.3 (private), 169.254.169.254 (link-local)"),
        ("shorthand", "127.2 resolves to 127.0.0.2 (loopback)"),
        ("decimal", "2130706434 resolves to 127.0.0.2 (loopback)"),
        ("hex", "0x7f000002 resolves to 127.0.0.2 (loopback)"),
    ],
)
def test_internal_addresses_are_refused_on_every_hop(run: Run, name: str, reason: str) -> None:
    text = outcome(run, name)
    assert text.startswith("AddressRefused: "), text
    assert reason in text, text
    assert "ALLOWED_NETWORKS" in text, "the message names the rule and how to allow a network"
    threat = {
        "redirect-internal": "address-redirect",
        "redirect-metadata": "address-literal",
        "mixed": "address-kinds",
        "hex": "address-numeric",
    }
    if name in threat:
        observe(
            threat[name],
            f"{text.split(': refused')[0]}; the internal server got {len(run.internal)} request(s)",
        )


@pytest.mark.parametrize("name", ["file", "data", "ftp", "s3", "redirect-file"])
def test_other_schemes_are_refused(run: Run, name: str) -> None:
    text = outcome(run, name)
    assert text.startswith("SchemeRefused: "), text
    assert "only http and https are fetched" in text
    if name == "redirect-file":
        observe("scheme-redirect", text)


def test_refusals_are_counted(run: Run) -> None:
    assert run.stats["newsarchive/rejected/scheme"] == 5
    # thirteen refused requests plus the robots.txt of each of the eleven refused hosts (robots.txt is a hop too)
    assert run.stats["newsarchive/rejected/address"] == 24
    assert "retry/count" not in run.stats, "a refusal is final, never retried"
    # robots.txt of the one allowed host answered; those of the eleven refused hosts never left the process
    robots = run.stats["robotstxt/request_count"] - run.stats["robotstxt/response_count"]
    assert robots == 11
    observe(
        "address-robots",
        f"newsarchive/rejected/address = {run.stats['newsarchive/rejected/address']}, of which {robots} robots.txt "
        f"requests; retries: {run.stats.get('retry/count', 0)}",
    )


def test_no_listening_port_is_opened(run: Run) -> None:
    enabled = run.log.split("Enabled extensions:", 1)[1].split("]", 1)[0]
    assert "TelnetConsole" not in enabled and "RemoteControl" not in enabled
    assert "Telnet console listening" not in run.log
    assert "TELNETCONSOLE_PASSWORD" not in run.log and "Telnet Password" not in run.log
    listed = enabled.count("'")
    observe(
        "listening-ports", f"{listed // 2} extensions enabled, TelnetConsole and RemoteControl not among them"
    )


def test_secret_settings_are_masked_in_scrapys_log(run: Run) -> None:
    overridden = run.log.split("Overridden settings:", 1)[1].split("}", 1)[0]
    assert "'AWS_SECRET_ACCESS_KEY': '***'" in overridden
    assert "hunter2-secret" not in run.log
    observe("settings-secrets", "log: 'AWS_SECRET_ACCESS_KEY': '***' (the value given nowhere in the log)")


def test_a_site_whose_host_resolves_to_a_refused_address_fails_with_exit_3(tmp_path: Path) -> None:
    """A registered site (mdr) whose only host resolves to a loopback address: never contacted, exit 3."""
    internal = Server("127.0.0.2")
    try:
        overrides = json.dumps({"www.mdr.de": "127.0.0.2"})
        proc = cli(
            "crawl", "mdr", "--no-progress", *FAST, "-s", f"DNS_OVERRIDES={overrides}", "-s", "RETRY_TIMES=0",
            "-s", f"NEWSARCHIVE_STATS_FILE={tmp_path / 'stats.json'}", cwd=tmp_path, timeout=120,
        )  # fmt: skip
    finally:
        internal.close()
    assert proc.returncode == 3, proc.stdout + proc.stderr[-3000:]
    assert internal.requests == []
    assert "site mdr failed" in proc.stdout and "refused by the address rule" in proc.stdout, proc.stdout
    assert "loopback, private, link-local, CGNAT, multicast and reserved addresses are refused" in proc.stdout
    assert "www.mdr.de resolves to 127.0.0.2 (loopback)" in proc.stderr
    stats = json.loads((tmp_path / "stats.json").read_text())["mdr"]
    assert stats["newsarchive/rejected/address"] >= 3  # robots.txt, the feed, the news sitemap
    line = next(line for line in proc.stdout.splitlines() if "site mdr failed" in line)
    observe(
        "address-site",
        f"exit {proc.returncode}; {line.strip()}; {len(internal.requests)} request(s) arrived",
    )


def test_bad_network_settings_are_usage_errors(tmp_path: Path) -> None:
    proc = cli("crawl", "mdr", "-s", "ALLOWED_NETWORKS=10.0.0.0/33", cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and "ALLOWED_NETWORKS: not a network" in proc.stderr, proc.stderr
    proc = cli("crawl", "mdr", "-s", 'DNS_OVERRIDES={"a.test": "nope"}', cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and "DNS_OVERRIDES: a.test: not an IP address" in proc.stderr, proc.stderr
    assert not (tmp_path / "archive").exists() or not any((tmp_path / "archive").rglob("*.json"))


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.254", "CGNAT"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("192.0.2.10", "private"),
        ("198.18.0.1", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fd00::1", "private"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private, embedded in IPv6"),
        ("64:ff9b::a9fe:a9fe", "link-local, embedded in IPv6"),
        ("2002:7f00:1::", "loopback, embedded in IPv6"),
        ("2001:db8::1", "private"),
    ],
)
def test_refused_addresses(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None
    assert AddressPolicy().check("example.org", address) is None


def test_allowed_networks_and_hosts() -> None:
    policy = AddressPolicy(parse_networks(["10.1.0.0/16", "fd00::/8", " "]), ["mirror.test"])
    assert policy.check("intranet.test", "10.1.2.3") is None
    assert policy.check("intranet.test", "fd00::5") is None
    assert policy.check("intranet.test", "10.2.0.1") == "private"
    assert policy.check("mirror.test", "127.0.0.1") is None
    assert policy.check("x.test", "not-an-ip") == "not an IP address"
    with pytest.raises(AddressRefused, match="loopback"):
        check_host("127.0.0.1", AddressPolicy())
    check_host("www.ndr.de", AddressPolicy())  # names are checked by the resolver, not here
    with pytest.raises(ValueError, match="not a network"):
        parse_networks(["10.0.0.0/40"])
    assert parse_overrides({"WWW.Example.TEST.": ["10.0.0.1", "::1"]}) == {
        "www.example.test": ["10.0.0.1", "::1"]
    }


def test_through_a_proxy_names_are_checked_before_the_proxy_sees_them(tmp_path: Path) -> None:
    """The proxy (here the allowed server on 127.0.0.1, which answers any absolute URI) would resolve the names
    itself: a name that resolves here only to refused addresses never reaches it."""
    internal = Server("127.0.0.2")
    proxy = Server("127.0.0.1", {"/unused": (200, {})})
    out = tmp_path / "outcomes.json"
    urls = [f"http://intern.test:{internal.port}/via-proxy", f"http://public.test:{proxy.port}/ok"]
    args = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "tests" / "threatspider.py"),
        "-a", f"urls={'|'.join(urls)}", "-a", f"out={out}", "-a", f"proxy=http://127.0.0.1:{proxy.port}",
        "-s", "ALLOWED_NETWORKS=127.0.0.1/32", "-s", f"DNS_OVERRIDES={json.dumps(OVERRIDES)}",
        "-s", "ROBOTSTXT_OBEY=False", "-s", f"ARCHIVE_URI={tmp_path / 'archive'}",
    ]  # fmt: skip
    env = {**clean_env(), "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    finally:
        proxy.close()
        internal.close()
    outcomes = json.loads(out.read_text())
    assert outcomes[urls[1]].startswith("fetched 200"), (outcomes, proc.stderr[-2000:])  # the proxy works
    assert outcomes[urls[0]].startswith("AddressRefused: intern.test resolves to 127.0.0.2 (loopback)")
    assert "checked before the proxy" in outcomes[urls[0]]
    assert proxy.requests == [urls[1]], "the proxy saw only the allowed request"
    assert internal.requests == []
    observe(
        "address-proxy",
        f"{outcomes[urls[0]].split(': refused')[0]}; the proxy got {len(proxy.requests)} request(s)",
    )
