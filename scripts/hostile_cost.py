"""What a hostile site costs a crawl: peak RSS and wall time of one run per attack, against 127.0.0.1.

Each attack crawls two sites in one run of ``newsarchive crawl``: the hostile site of crawler/demo/attacks.py
(given by URL, its entry points discovered) and a normal site (crawler/demo/unlisted.py, 8 articles), both served
by one AttackServer in this process (its memory is not counted). The crawl runs in a fresh process with the
project's settings, except the download delays (0 against 127.0.0.1) and SITE_TIME_BUDGET (``--budget``, so an
attack that would queue hours of requests ends within it). Printed per attack:

- peak RSS of the crawl process (ru_maxrss of the process, measured by a wrapper that waits for it; the extraction
  workers are separate processes and smaller);
- CPU seconds of the crawl process tree and wall seconds;
- the exit code, the normal site's archived articles (of the 8 it has), and the hostile site's
  newsarchive/capped/* counters.

Attacks: ``baseline`` (the normal site alone), ``sitemap`` (one gzipped sitemap of 692,590 URLs, under the
64 MiB decompression limit), ``sitemaps3`` (three of them), ``nested`` (sitemap indexes of 50,000 children nested
three deep, a backfill with --from), ``robots`` (a 16 MiB robots.txt), ``slow`` (200 articles that answer after
60 s each).

Usage: python scripts/hostile_cost.py [--attack NAME ...] [--budget 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo.attacks import HOSTILE_FRONT, Attack, AttackServer  # noqa: E402
from crawler.demo.mirror import Mirror  # noqa: E402
from crawler.demo.unlisted import add_unlisted_site  # noqa: E402

NORMAL_HOST = "www.kreisbote-nord.de"
MIB = 1024 * 1024

ATTACKS = {
    "baseline": None,
    "sitemap": Attack("sitemap", sitemaps=1, urls=692_590),
    "sitemaps3": Attack("sitemaps3", sitemaps=3, urls=692_590),
    "nested": Attack("nested", nested=50_000),
    "robots": Attack("robots", robots_bytes=16 * MIB),
    "slow": Attack("slow", sitemaps=1, urls=200, slow=200, slow_seconds=60.0),
}

# runs the crawl as its child, then prints the child's peak RSS (KiB) and CPU seconds (its whole process tree)
WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(f'{r.ru_maxrss} {r.ru_utime + r.ru_stime:.2f} {code}', file=sys.stderr)\n"
)


def run(name: str, attack: Attack | None, budget: float) -> dict[str, object]:
    mirror = Mirror()
    normal = add_unlisted_site(mirror, NORMAL_HOST, "sitemap")
    server = AttackServer(mirror, attack or Attack("none"))
    with server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        stats_file = work / "stats.json"
        sites = [normal.front_page] if attack is None else [HOSTILE_FRONT, normal.front_page]
        backfill = ["--from", "2015-01-01"] if name == "nested" else []
        cmd = [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            *sites,
            *backfill,
            "--mirror",
            server.url,
            "--archive",
            str(work / "archive"),
            "--no-progress",
            *("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "AUTOTHROTTLE_MAX_DELAY=1"),
            *("-s", f"SITE_TIME_BUDGET={budget}", "-s", f"NEWSARCHIVE_STATS_FILE={stats_file}"),
        ]
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", WRAPPER, *cmd], cwd=work, capture_output=True, text=True, timeout=3600
        )
        wall = time.monotonic() - started
        peak_kib, cpu, code = proc.stderr.strip().splitlines()[-1].split()
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        normal_name = NORMAL_HOST.removeprefix("www.").replace(".", "_").replace("-", "_")
        hostile = next((v for k, v in stats.items() if k != normal_name), {})
        return {
            "attack": name,
            "peak_rss_mb": round(int(peak_kib) / 1024, 1),
            "cpu_s": float(cpu),
            "wall_s": round(wall, 1),
            "exit": int(code),
            "normal_archived": int(stats.get(normal_name, {}).get("newsarchive/archived", 0)),
            "normal_articles": len(normal.articles),
            "capped": {
                k.removeprefix("newsarchive/capped/"): v
                for k, v in hostile.items()
                if k.startswith("newsarchive/capped/")
            },
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attack", nargs="*", choices=list(ATTACKS), default=list(ATTACKS))
    parser.add_argument("--budget", type=float, default=60.0, help="SITE_TIME_BUDGET of each run (seconds)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    print(
        f"{'attack':<10} {'peak RSS':>9} {'CPU s':>7} {'wall s':>7} {'exit':>4}  normal site  hostile site capped"
    )
    for name in args.attack:
        row = run(name, ATTACKS[name], args.budget)
        rows.append(row)
        capped = ", ".join(f"{k} {v}" for k, v in sorted(row["capped"].items())) or "-"  # type: ignore[union-attr]
        print(
            f"{name:<10} {row['peak_rss_mb']:>6} MB {row['cpu_s']:>7} {row['wall_s']:>7} {row['exit']:>4}  "
            f"{row['normal_archived']}/{row['normal_articles']} archived  {capped}",
            flush=True,
        )
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
