"""Many sites in one run: peak RSS, wall time and per-host politeness for 20, 100 and 300 sites.

A synthetic mirror (crawler/demo/registry_mirror.py) answers for every host: each site's front page or pinned
entry points, robots.txt and ``--per-site`` article pages made from the saved fixture pages. The registry's
sites come first; beyond them, synthetic entries (``bench_NNN`` on ``www.bench-NNN.example``) built the same
way as a registry entry. Each configuration crawls in a fresh process (``newsarchive crawl`` as a library:
crawler.runner.run_crawl) with the project's settings except the download delays (0 against 127.0.0.1); the
mirror runs in this process, so its memory is not counted. Figures:

- peak RSS of the crawl process (its own ru_maxrss) and of its whole process tree (crawl + extraction workers,
  sampled from /proc every 0.2 s);
- wall time of the crawl and archived articles;
- the most requests the mirror answered at once for one host (must not exceed CONCURRENT_REQUESTS_PER_DOMAIN).

``--pool K`` also runs each configuration as K processes, each crawling a share of the sites.

``--sites all`` is the registry's full size (every entry, no synthetic one).

Usage: python scripts/bench_many_sites.py [--sites 20 100 all 300] [--per-site 3] [--pool 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.sites import LAENDER, SiteEntry, load_registry, registry_spider  # noqa: E402


def bench_classes(n: int) -> dict[str, type]:
    """The first ``n`` registry sites, then synthetic entries up to ``n``."""
    classes = {e.name: registry_spider(e) for e in list(load_registry())[:n]}
    codes = sorted(LAENDER)
    for i in range(n - len(classes)):
        host = f"www.bench-{i:03d}.example"
        entry = SiteEntry(
            url=f"https://{host}/",
            name=f"bench_{i:03d}",
            publisher=f"Bench {i:03d}",
            land=codes[i % len(codes)],
            area="synthetic",
            source=f"https://{host}/impressum",
            domains=(host,),
        )
        classes[entry.name] = registry_spider(entry)
    return classes


def child(args: argparse.Namespace) -> int:
    """One crawl process: crawl sites [start:stop) of ``bench_classes(total)`` against the mirror."""
    from crawler.runner import CrawlOptions, run_crawl

    everything = bench_classes(args.total)
    names = list(everything)[args.start : args.stop]
    opts = CrawlOptions(
        sites=names,
        archive_uri=args.archive,
        mirror=args.mirror,
        overrides={
            "DOWNLOAD_DELAY": args.delay,
            "AUTOTHROTTLE_START_DELAY": args.delay,
            "LOG_LEVEL": "ERROR",
        },
    )
    result = run_crawl(opts, {n: everything[n] for n in names})
    out = {
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "archived": {r.site: r.archived for r in result.rows},
        "errors": sum(r.errors for r in result.rows),
        "exit": result.exit_code,
    }
    print(json.dumps(out))
    return 0


def _tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, from /proc (0 once gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run(
    total: int, processes: int, per_site: int, mirror_url: str, work: Path, delay: str
) -> dict[str, object]:
    bounds = [(total * k // processes, total * (k + 1) // processes) for k in range(processes)]
    procs = []
    started = time.monotonic()
    for k, (start, stop) in enumerate(bounds):
        cmd = [sys.executable, __file__, "--child", "--total", str(total), "--start", str(start)]
        cmd += ["--stop", str(stop), "--mirror", mirror_url, "--archive", str(work / f"archive-{k}")]
        cmd += ["--delay", delay]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=work))
    peak = 0
    while any(p.poll() is None for p in procs):
        peak = max(peak, sum(_tree_rss_kb(p.pid) for p in procs))
        time.sleep(0.2)
    wall = time.monotonic() - started
    outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    archived = {site: n for o in outs for site, n in o["archived"].items()}
    return {
        "sites": total,
        "processes": processes,
        "wall_s": round(wall, 1),
        "crawl_rss_peak_mb": round(max(o["rss_peak_mb"] for o in outs), 1),
        "tree_rss_peak_mb": round(peak / 1024, 1),
        "archived": sum(archived.values()),
        "sites_archived": sum(1 for n in archived.values() if n >= per_site),
        "errors": sum(int(o["errors"]) for o in outs),
        "incomplete": sorted(site for site, n in archived.items() if n < per_site),
        "exit_codes": sorted({o["exit"] for o in outs}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sites",
        nargs="+",
        default=["20", "100", "all"],
        help="site counts to crawl; 'all' is every registry entry (default: 20 100 all)",
    )
    parser.add_argument("--per-site", type=int, default=3, help="articles per site (default 3)")
    parser.add_argument("--pool", type=int, default=0, help="also run each as this many processes")
    parser.add_argument(
        "--delay",
        default="0.25",
        help="DOWNLOAD_DELAY and AUTOTHROTTLE_START_DELAY of the crawl (default 0.25; the project's are 1 and 2)",
    )
    parser.add_argument("--latency", type=float, default=0.02, help="seconds the mirror takes per answer")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--total", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mirror", help=argparse.SUPPRESS)
    parser.add_argument("--archive", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    args.sites = [len(load_registry()) if n == "all" else int(n) for n in args.sites]

    from crawler.demo import fixtures_dir
    from crawler.demo.registry_mirror import build_registry_mirror
    from crawler.demo.server import MirrorServer

    biggest = max(args.sites)
    mirror = build_registry_mirror(list(bench_classes(biggest).values()), fixtures_dir(), args.per_site)
    rows = []
    with MirrorServer(mirror, latency=args.latency) as server, tempfile.TemporaryDirectory() as tmp:
        for n in sorted(args.sites):
            for processes in [1] + ([args.pool] if args.pool > 1 else []):
                server.peak_in_flight.clear()
                work = Path(tmp) / f"{n}-{processes}"
                work.mkdir()
                row = run(n, processes, args.per_site, server.url, work, args.delay)
                row["max_in_flight_per_host"] = max(server.peak_in_flight.values(), default=0)
                rows.append(row)
                print(json.dumps(row) if args.json else _line(row), flush=True)
    return 0


def _line(row: dict[str, object]) -> str:
    return (
        f"{row['sites']:>4} sites, {row['processes']} process(es): {row['wall_s']:>6} s, "
        f"crawl RSS peak {row['crawl_rss_peak_mb']} MB, tree {row['tree_rss_peak_mb']} MB, "
        f"{row['archived']} articles, {row['sites_archived']}/{row['sites']} sites complete, "
        f"{row['errors']} errors, max {row['max_in_flight_per_host']} requests at once per host, "
        f"exit {row['exit_codes']}" + (f", incomplete: {row['incomplete']}" if row["incomplete"] else "")
    )


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
