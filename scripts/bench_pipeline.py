"""Pipeline benchmark: bare fetch against the full pipeline (local archive, S3), side by side in one run.

    .venv/bin/python scripts/bench_pipeline.py [--articles 3000] [--site waz] [--runs bare local s3] [--repeat N]

Builds a synthetic mirror of ``--articles`` unique article pages (crawler/demo/synthetic.py: the site's saved
page from the fixtures, each variant with its own URL, headline and first paragraph) with the site's news
sitemap as a sitemap index, writes it to a temporary directory laid out per host, and serves it with nginx
(Debian's package) on 127.0.0.1. Then each run crawls it from scratch in a fresh child process with the real
site spider through ``--mirror``:

* ``bare``: the same spider, discovery and downloader settings, but ``parse_article`` only counts the page:
  no extraction, no pipelines;
* ``local``: the full pipeline (extract, normalise, dedup, cluster, archive with raw WARC) into a local archive;
* ``s3``: the same into S3 (moto's server on 127.0.0.1, tests/s3server.py).

The bare fetch is Scrapy's baseline: it keeps CPython's garbage collection (``GC_TUNE = False``) and Scrapy's own
MetaRefreshMiddleware, so the ratio (b)/(a) compares the full pipeline with plain Scrapy. A run may be given as a
variant with settings of its own, ``KIND:NAME=VALUE[,NAME=VALUE...]`` (e.g. ``bare:GC_TUNE=True`` or
``local:GC_TUNE=False``; ``CODE=DIR`` runs the crawl with the packages found in DIR, e.g. an earlier commit's
``git archive REV crawler pipelines | tar -x -C DIR``), and ``--repeat N`` runs the whole list N times, alternating, so that variants are
compared side by side in one run on a shared machine.

Politeness is off for the benchmark only (no AutoThrottle, no delay, 32 concurrent requests; robots.txt is
obeyed and allows everything). Printed per run: articles/s (crawl wall time, from the spider's start to its
close), CPU seconds per article (user + sys of the child and its workers, start-up included), peak RSS (of the
crawl process; of a worker process too, if any), archive bytes per article; then the ratio local/bare.
``--profile DIR`` runs the ``local`` crawl under py-spy and writes a speedscope profile to DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# a run with another version of crawler/ and pipelines/ (``CODE=DIR``): set in the environment, so that the
# extraction workers, which import this script as their main module, find the same version
CODE_ENV = "NEWSARCHIVE_BENCH_CODE"
if os.environ.get(CODE_ENV):
    sys.path.insert(0, os.environ[CODE_ENV])

DEFAULT_SITE = "waz"
KINDS = ("bare", "local", "s3")
BUCKET = "bench"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "LOG_LEVEL": "WARNING",
    "INCREMENTAL_STOP_AFTER_KNOWN": "0",
}
NGINX_CONF = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type text/html;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {dir}/tmp;
    proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp;
    scgi_temp_path {dir}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www/$host;
        index index.html;
    }}
}}
"""


# --- the mirror on disk, served by nginx -------------------------------------------------------------------


def _file_for(www: Path, url: str) -> Path | None:
    """Where nginx finds ``url`` under ``www`` (``www/<host>/<decoded path>``); None if it cannot be a file."""
    parts = urlsplit(url)
    if parts.query:
        return None
    host = (parts.hostname or "").lower()
    path = unquote(parts.path or "/")
    segments = [s for s in path.split("/") if s]
    if not host or any(s in (".", "..") for s in segments) or "\x00" in path:
        return None
    target = www.joinpath(host, *segments)
    return target / "index.html" if path.endswith("/") else target


_PARAGRAPH = re.compile(r"(<p\b[^>]*>)([^<]{40,})")


def uniquify(page: bytes, n: int) -> bytes:
    """The page with the words of each paragraph shuffled (seeded by ``n``): the markup stays, the text is
    the variant's own, so that near-duplicate detection sees unrelated articles, as on a real site."""
    rng = random.Random(n)

    def shuffle(match: re.Match[str]) -> str:
        words = match.group(2).split()
        rng.shuffle(words)
        return match.group(1) + " ".join(words)

    return _PARAGRAPH.sub(shuffle, page.decode("utf-8")).encode("utf-8")


def write_mirror(site: str, articles: int, www: Path) -> int:
    """Write a synthetic mirror of ``articles`` pages of ``site`` under ``www``; the bytes of its pages."""
    from crawler.demo import pages_dir
    from crawler.demo.mirror import SiteSpec, path_key
    from crawler.demo.synthetic import build_synthetic_mirror
    from crawler.sites import site_classes

    spec = SiteSpec.from_spider(site_classes()[site])
    mirror = build_synthetic_mirror([spec], pages_dir(), articles)
    if len(set(mirror.expected[site])) != articles:
        raise SystemExit(f"{site}: the synthetic URLs are not unique")
    articles_at = {url: n for n, url in enumerate(mirror.expected[site])}
    page_bytes = 0
    for url in mirror.urls():
        target = _file_for(www, url)
        if target is None:
            continue
        host = (urlsplit(url).hostname or "").lower()
        resource = mirror.get(host, path_key(url))  # pages are rendered here, one at a time
        if resource is None:
            continue
        body = resource.body
        if url in articles_at:
            body = uniquify(body, articles_at[url])
            page_bytes += len(body)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return page_bytes


class Nginx:
    """nginx serving ``dir/www/<host>/`` on 127.0.0.1 with its own prefix, pid and logs under ``dir``."""

    def __init__(self, directory: Path) -> None:
        from tests.s3server import free_port

        self.dir = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Nginx:
        if not os.access(NGINX, os.X_OK):
            raise SystemExit(f"{NGINX} not found: install Debian's nginx package (apt-get install nginx)")
        (self.dir / "tmp").mkdir(exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.dir, port=self.port))
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        import urllib.request

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise SystemExit(f"nginx exited with {self.proc.returncode}: {err}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1):
                    return self
            except urllib.error.HTTPError:
                return self  # it answers
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise SystemExit("nginx did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful stop
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# --- one crawl in a child process ---------------------------------------------------------------------------


def child(spec: dict[str, Any]) -> None:
    """Run one crawl (in a fresh process) and print its figures as one JSON line."""
    import resource

    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import CrawlOptions, build_settings
    from crawler.sites import site_classes

    site_cls = site_classes()[spec["site"]]
    overrides = dict(SETTINGS, **spec.get("settings", {}))
    if spec["kind"] == "bare":
        overrides["ITEM_PIPELINES"] = "{}"
        from crawler import settings as ours

        # Scrapy's baseline: CPython's garbage collection and Scrapy's MetaRefreshMiddleware, unless the variant
        # says otherwise
        middlewares = {k: v for k, v in ours.DOWNLOADER_MIDDLEWARES.items() if "MetaRefresh" not in k}
        overrides = {
            "GC_TUNE": "False",
            "DOWNLOADER_MIDDLEWARES": json.dumps(middlewares),
            **overrides,
        }

        class Bare(site_cls):  # type: ignore[valid-type,misc]
            """The site spider with the same discovery whose article callback only counts the page."""

            def parse_article(self, response: Any, source: str = "") -> Any:
                self.crawler.stats.inc_value("bench/fetched")
                return iter(())

        Bare.__name__ = site_cls.__name__
        spider_cls: type = Bare
    else:
        spider_cls = site_cls
    opts = CrawlOptions([spec["site"]], archive_uri=spec["archive"], state_uri=spec["state"])
    opts.mirror = spec["mirror"]
    opts.overrides = overrides
    settings = build_settings(opts)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    times: dict[str, float] = {}
    crawler.signals.connect(
        lambda: times.setdefault("opened", time.monotonic()), signal=signals.spider_opened, weak=False
    )
    crawler.signals.connect(
        lambda: times.setdefault("closed", time.monotonic()), signal=signals.spider_closed, weak=False
    )
    workers_peak: dict[int, int] = {}

    def sample_workers() -> None:
        # peak RSS (VmHWM) of this process's children: the extraction workers
        pid = os.getpid()
        try:
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return
        for kid in kids:
            try:
                status = Path(f"/proc/{kid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    workers_peak[int(kid)] = max(workers_peak.get(int(kid), 0), int(line.split()[1]))

    samplers: list[Any] = []

    snapshots: list[Any] = []

    def sample() -> None:
        sample_workers()
        if spec.get("trace_memory") and time.monotonic() - times.get("snapshot", 0.0) >= 5:
            import tracemalloc

            times["snapshot"] = time.monotonic()
            snapshots[1:] = [tracemalloc.take_snapshot()]

    def start_sampler() -> None:
        from twisted.internet import task  # after the crawler installed its reactor

        if spec.get("trace_memory"):
            import tracemalloc

            tracemalloc.start()
            snapshots.append(tracemalloc.take_snapshot())
        samplers.append(task.LoopingCall(sample))
        samplers[0].start(0.5)

    def stop_sampler() -> None:
        if samplers and samplers[0].running:
            samplers[0].stop()

    crawler.signals.connect(start_sampler, signal=signals.spider_opened, weak=False)
    crawler.signals.connect(stop_sampler, signal=signals.engine_stopped, weak=False)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if len(snapshots) == 2:
        # what the crawl holds on to: the growth between its start and the last snapshot
        for diff in snapshots[1].compare_to(snapshots[0], "lineno")[:15]:
            print(f"memory: {diff}", file=sys.stderr)
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {
        "fetched": stats.get("bench/fetched", 0),
        "archived": stats.get("newsarchive/archived", 0),
        "errors": stats.get("log_count/ERROR", 0),
        "wall": times.get("closed", 0.0) - times.get("opened", 0.0),
        "maxrss_kb": self_usage.ru_maxrss,
        "worker_maxrss_kb": max(workers_peak.values(), default=0),
        "workers": len(workers_peak),
        # CPU seconds of the crawl process alone (its extraction workers are the rest of "cpu")
        "cpu_crawl": self_usage.ru_utime + self_usage.ru_stime,
        "s3_requests": stats.get("newsarchive/s3_requests", 0),
        "commits": stats.get("newsarchive/commits", 0),
    }
    print("BENCH " + json.dumps(out), flush=True)


def run(kind: str, spec: dict[str, Any], work: Path, profile: Path | None = None) -> dict[str, Any]:
    """One crawl in a fresh child; its figures plus CPU seconds of the child and its descendants."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(dict(spec, kind=kind))]
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        out = profile / f"{kind}.speedscope.json"
        cmd = [spy, "record", "--subprocesses", "-r", "200", "-f", "speedscope", "-o", str(out), "--", *cmd]
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}
    env.update(spec.get("env", {}))
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=stdout, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        text = stdout.read().decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.startswith("BENCH ")]
    if proc.returncode or not lines:
        raise SystemExit(f"{kind} crawl failed (exit {proc.returncode}):\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][6:])
    result["cpu"] = usage.ru_utime + usage.ru_stime
    if err.strip():
        result["stderr"] = err.strip().splitlines()[-20:]
    return result


def archive_bytes(spec: dict[str, Any], moto: Any) -> int:
    uri = str(spec["archive"])
    if uri.startswith("s3://"):
        bucket, _, prefix = uri[5:].partition("/")
        total = 0
        for page in moto.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            total += sum(int(obj["Size"]) for obj in page.get("Contents", []))
        return total
    return sum(p.stat().st_size for p in Path(uri).rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=3000, help="article pages in the mirror (default 3000)"
    )
    parser.add_argument(
        "--site", default=DEFAULT_SITE, help=f"site whose spider and page are used ({DEFAULT_SITE})"
    )
    parser.add_argument(
        "--runs",
        nargs="+",
        default=list(KINDS),
        metavar="KIND[:NAME=VALUE,...]",
        help="runs in this order: bare, local, s3, each optionally with settings of its own",
    )
    parser.add_argument("--repeat", type=int, default=1, help="run the list this many times, alternating")
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="extra setting"
    )
    parser.add_argument("--profile", type=Path, help="run the local crawl under py-spy, profiles to this dir")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--trace-memory", action="store_true", help="print what memory grew by (tracemalloc)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0

    from tests.s3server import MotoServer

    extra = dict(pair.split("=", 1) for pair in args.set)
    variants = [parse_run(run_spec) for run_spec in args.runs]
    results: dict[str, dict[str, Any]] = {}
    load = f"{os.getloadavg()[0]:.2f}"
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        base = Path(tmp)
        base.chmod(0o755)  # nginx workers may run as another user
        started = time.monotonic()
        page_bytes = write_mirror(args.site, args.articles, base / "www")
        print(
            f"mirror: {args.articles} pages of {args.site}, {page_bytes / args.articles / 1024:.0f} KiB a page "
            f"on average, written in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
        )
        with Nginx(base) as nginx, MotoServer(log_path=base / "moto.log") as moto:
            moto.create_bucket(BUCKET)
            rounds = [(n, v) for n in range(args.repeat) for v in variants]
            for n, (label, kind, own) in rounds:
                name = label if args.repeat == 1 else f"{label} #{n + 1}"
                work = base / f"run-{len(results)}"
                work.mkdir()
                spec: dict[str, Any] = {
                    "site": args.site,
                    "mirror": nginx.url,
                    "archive": str(work / "archive"),
                    "state": f"sqlite:///{work / 'state.sqlite'}",
                    "settings": {**extra, **{k: v for k, v in own.items() if k != "CODE"}},
                    "trace_memory": args.trace_memory,
                }
                if own.get("CODE"):
                    spec["env"] = {CODE_ENV: str(Path(own["CODE"]).resolve())}
                if kind == "s3":
                    spec["archive"] = f"s3://{BUCKET}/run-{len(results)}"
                    spec["env"] = {
                        **spec.get("env", {}),
                        "AWS_ENDPOINT_URL": moto.endpoint,
                        "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_REGION": "us-east-1",
                    }
                profile = args.profile if kind == "local" else None
                result = run(kind, spec, work, profile)
                result["archive_bytes"] = archive_bytes(spec, moto) if kind != "bare" else 0
                # the SQLite seen-store after the run (its WAL checkpointed at close)
                result["state_bytes"] = sum(p.stat().st_size for p in work.glob("state.sqlite*"))
                result["kind"] = kind
                result["load"] = load
                result["round"] = n
                results[name] = result
                print(f"{name}: {json.dumps(result)}", file=sys.stderr)
    print_table(args, results)
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


def parse_run(text: str) -> tuple[str, str, dict[str, str]]:
    """``KIND[:NAME=VALUE,...]`` -> (label, kind, settings)."""
    kind, _, rest = text.partition(":")
    if kind not in KINDS:
        raise SystemExit(f"--runs: {text!r}: the kind is one of {', '.join(KINDS)}")
    own: dict[str, str] = {}
    for pair in filter(None, rest.split(",")):
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--runs: {text!r}: settings are NAME=VALUE, separated by commas")
        own[name] = value
    return text, kind, own


LABELS = {
    "bare": "(a) bare fetch",
    "local": "(b) full pipeline, local archive",
    "s3": "(c) full pipeline, S3 (moto)",
}


def print_table(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    print(
        f"\n{args.articles} article pages of {args.site}, nginx on 127.0.0.1, {os.cpu_count()} CPU cores, "
        f"Python {platform.python_version()}, {when}, load average before/after "
        f"{results and next(iter(results.values())).get('load', '?')} / {os.getloadavg()[0]:.2f}\n"
    )
    print(
        "| run | articles | wall (s) | articles/s | CPU s / article | of which crawl / workers | CPU use "
        "| peak RSS (MiB) | archive bytes / article |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        kind = r["kind"]
        n = r["fetched"] if kind == "bare" else r["archived"]
        wall = r["wall"] or float("nan")
        rss = f"{r['maxrss_kb'] / 1024:.0f}"
        if r.get("worker_maxrss_kb"):
            rss += f" (+ {r['worker_maxrss_kb'] / 1024:.0f} worker)"
        per = f"{r['archive_bytes'] / n:,.0f}" if n and kind != "bare" else "-"
        crawl = r["cpu_crawl"] / max(n, 1) * 1000
        split = f"{crawl:.1f} / {r['cpu'] / max(n, 1) * 1000 - crawl:.1f}" if kind != "bare" else "-"
        label = LABELS[kind] + (name[len(kind) :] if name != kind else "")
        print(
            f"| {label} | {n:,} | {wall:.1f} | {n / wall:.1f} | {r['cpu'] / max(n, 1) * 1000:.1f} ms | {split} "
            f"| {r['cpu'] / wall:.2f} | {rss} | {per} |"
        )
    for name, r in results.items():
        if r["kind"] != "bare" and r["archived"]:
            n = r["archived"]
            extra = f"SQLite seen-store {r['state_bytes'] / n:,.0f} bytes / article, {r['commits']} commits"
            if r.get("s3_requests"):
                extra += f", {r['s3_requests']} S3 requests ({r['s3_requests'] / n:.3f} / article)"
            print(f"\n{name}: {extra}")
    # each full-pipeline run against the plain bare fetch of its round
    bares = {r["round"]: r for name, r in results.items() if name.split(" #")[0] == "bare"}
    print()
    for name, b in results.items():
        a = bares.get(b["round"])
        if b["kind"] == "bare" or a is None or not b["archived"] or not a["fetched"]:
            continue
        ratio = (b["archived"] / b["wall"]) / (a["fetched"] / a["wall"])
        cpu_a = a["cpu"] / a["fetched"]
        cpu_b = b["cpu"] / b["archived"]
        crawl_b = b["cpu_crawl"] / b["archived"]
        print(
            f"{name}: ratio to the bare fetch {ratio:.2f}; CPU per article {cpu_b * 1000:.1f} ms "
            f"(crawl process {crawl_b * 1000:.1f}, workers {(cpu_b - crawl_b) * 1000:.1f}) against "
            f"{cpu_a * 1000:.1f} ms per bare page = {cpu_b / cpu_a:.1f}x"
        )


if __name__ == "__main__":
    raise SystemExit(main())
