"""Write docs/RELIABILITY.md from a run of the hostile-input tests (tests/test_hostile.py).

    .venv/bin/python scripts/reliability_report.py [--kills-output FILE]

Runs the tests with NEWSARCHIVE_RELIABILITY_JSON and NEWSARCHIVE_THREATS_DIR set, so the tables show what this run
observed (its log lines, request counts, archive contents, exit codes), not what anyone typed. The threats and
their tests are listed in tests/threats.py. With --kills-output, the output of
scripts/kill_crawl.py (twenty SIGKILLs of one crawl) is added as a section.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the sections measured by hand (export aborts, interrupts), with their commands: copied in as they are
SECTIONS = ROOT / "scripts" / "reliability_sections.md"
#: the tests that observe the threats of tests/threats.py (besides tests/test_hostile.py)
THREAT_TESTS = [
    "tests/test_netguard.py",
    "tests/test_queue_codec.py",
    "tests/test_secrets.py",
    "tests/test_export.py",
    "tests/test_archive_reader.py",
    "tests/test_pipelines_normalise.py",
    "tests/test_hostile_cost.py",
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "RELIABILITY.md"))
    parser.add_argument("--kills-output", help="output of scripts/kill_crawl.py to include")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.threats import THREATS

    with tempfile.TemporaryDirectory() as tmp:
        observed = Path(tmp) / "observed.json"
        threats_dir = Path(tmp) / "threats"
        threats_dir.mkdir()
        env = {
            "NEWSARCHIVE_RELIABILITY_JSON": str(observed),
            "NEWSARCHIVE_THREATS_DIR": str(threats_dir),
            **dict(__import__("os").environ),
        }
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/test_hostile.py",
                "tests/test_faults.py",
                *THREAT_TESTS,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "no output"
        rows = json.loads(observed.read_text()) if observed.exists() else []
        seen = {
            (doc := json.loads(f.read_text()))["id"]: str(doc["observed"]) for f in threats_dir.glob("*.json")
        }
        faults_file = Path(tmp) / "faults.json"
    lines = [
        "# Reliability",
        "",
        "What the crawler does with hostile input and faults. **This file is generated** by",
        "`.venv/bin/python scripts/reliability_report.py` from a run of `tests/test_hostile.py` (a hostile mirror",
        "on 127.0.0.1 that answers for two real sites' hosts), `tests/test_faults.py` and the tests of the threats",
        "below; the *observed* columns are what that run logged and archived. The same tests assert every",
        "expectation in `make test`.",
        "",
        f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; test run: `{summary}`.",
        "",
        "The crawl of both sites exits 0 (page-level failures are logged and counted, not fatal); the archive holds",
        "exactly the good articles, and nothing is written outside the archive and state roots.",
        "",
        "| case | what is served | expected | observed |",
        "|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            row[k].replace("|", "\\|").replace("\n", " ") for k in ("case", "served", "expected", "observed")
        ]
        lines.append("| " + " | ".join(cells) + " |")
    del faults_file
    lines += [
        "",
        "## Threats",
        "",
        "A page, sitemap or feed may be written by an attacker, and the crawl host often sits next to cloud metadata",
        "services and internal networks; operators make mistakes with credentials. Each threat below has a test",
        "(tests/threats.py lists them); the *observed* column is what that test saw in this run.",
        "",
        "Where the checks live: only http(s) is fetched (the first downloader middleware refuses other schemes, and",
        "Scrapy's file, data, s3 and ftp download handlers are off); addresses are checked where Scrapy connects, not",
        "in the spider, so a redirect, robots.txt or a site given by URL cannot bypass them: the reactor's name",
        "resolver (`crawler.netguard.GuardedResolver`) hands Twisted only allowed addresses, so the connection uses",
        "exactly the addresses that were checked (no second lookup to rebind), and the http(s) download handler",
        "refuses IP-literal hosts and, under `--mirror`, every host the mirror does not serve. Allowed anyway: the",
        "`--mirror` target and the networks of `ALLOWED_NETWORKS` (e.g. `-s ALLOWED_NETWORKS=10.1.0.0/16`).",
        "",
        "| threat | test | expected | observed |",
        "|---|---|---|---|",
    ]
    for threat in THREATS:
        cells = [threat.threat, f"`{threat.test}`", threat.expected, seen.get(threat.id, "**not observed**")]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    lines += [
        "",
        "## Bounded cost per site",
        "",
        "A site costs a bounded amount per run; each cap is a setting (`-s NAME=VALUE`), and what it leaves out is",
        'counted as `newsarchive/capped/<what>` and named in the crawl summary ("capped (left for the next run)").',
        "",
        "| setting | default | what it bounds | counter |",
        "|---|---|---|---|",
        "| `FRONTIER_DOCUMENT_URLS` | 50,000 | entries read from one sitemap, feed or page: the newest (a sitemap is "
        "streamed into a heap of this size: memory grows with the cap, not the document) | `capped/document_urls` |",
        "| `FRONTIER_MAX_URLS` | 10,000 | article requests a site queues per run, newest first; a sitemap or feed "
        "arriving once it is reached is not parsed | `capped/urls`, `capped/documents` |",
        "| `SITEMAP_INDEX_CHILDREN` | 100 | children of sitemap indexes read per run; a backfill walks an index one "
        "child at a time and the next run resumes after the sitemaps read completely (kept `BACKFILL_RESUME_TTL`, "
        "90 days) | `capped/index_children` |",
        "| `ROBOTSTXT_MAX_BYTES` | 512 KiB | robots.txt read, for discovery and Scrapy's robots.txt middleware "
        "alike (cut at the last whole line) | `capped/robots_txt` |",
        "| `SITE_TIME_BUDGET` | 3600 s | wall-clock time of a site per run (0: none); then it schedules nothing "
        "more, finishes the requests in flight (at most DOWNLOAD_TIMEOUT more) and commits | `capped/time_budget` |",
        "",
        "Peak RSS of a run against each attack (a 692,590-URL sitemap, three of them, nested indexes under "
        '`--from`, a 16 MiB robots.txt, slow URLs) with a normal site in the same run: docs/benchmarks.md, "A '
        "hostile site's cost\" (`scripts/hostile_cost.py`).",
        "",
        "## Exit codes",
        "",
        "| code | meaning |",
        "|---|---|",
        "| 0 | a clean run: every site was read (single pages may have failed; they are logged and counted) |",
        "| 1 | the archive could not be written: those articles were not marked seen, the next run archives them; or a page "
        "failed in a pipeline (counted as newsarchive/item_errors, named in the summary) |",
        "| 2 | bad usage, or the archive / seen-store / distributed Redis is unusable (nothing was fetched) |",
        "| 3 | a site failed entirely: none of its entry points could be read (also: all refused by the address rule) |",
        "| 4 | a site is being crawled by another run (its lock is held) |",
        "| 5 | a site's extraction health drifted from its recent history (docs/HEALTH.md) |",
        "| 6 | the run was interrupted (SIGINT/SIGTERM): what was archived is committed, the next run fetches the rest |",
        "",
        'When several apply, the first of 1, 6, 3, 5, 4 wins: after an interrupt, "failed", "drifted" and "locked" are',
        "judgements on a run cut short.",
        "",
        *SECTIONS.read_text(encoding="utf-8").split("\n", 2)[2].rstrip().splitlines(),
        "",
        "Per-site counters (`newsarchive/fetch_errors`, `newsarchive/rejected/<reason>`, `newsarchive/discovery_errors`,",
        "`newsarchive/entry_point_errors`, `newsarchive/retry_after`, `newsarchive/robots_forbidden`, ...) are in",
        "Scrapy's stats, in the file named by `-s NEWSARCHIVE_STATS_FILE=stats.json`, and summed in the summary's",
        "errors column.",
    ]
    if args.kills_output:
        lines += [
            "",
            "## Twenty SIGKILLs",
            "",
            "`.venv/bin/python scripts/kill_crawl.py` output:",
            "",
            "```",
            Path(args.kills_output).read_text().rstrip(),
            "```",
        ]
    Path(args.out).write_text("\n".join(lines) + "\n")
    for line in proc.stdout.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            print(line, file=sys.stderr)  # the file says how many failed; these say which
    print(
        f"wrote {args.out} ({len(rows)} cases, {len(seen)} of {len(THREATS)} threats observed; tests: {summary})"
    )
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
