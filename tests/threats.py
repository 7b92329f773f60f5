"""The threats a hostile site or a careless operator poses, the test of each, and what that test observed.

Tests call :func:`observe` after their assertions; with NEWSARCHIVE_THREATS_DIR set, the observation goes into a
file there, and scripts/reliability_report.py renders THREATS with what the run observed into
docs/RELIABILITY.md ("Threats"). A threat whose test failed or did not run shows as not observed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Threat:
    id: str
    threat: str
    test: str
    expected: str


THREATS = [
    Threat(
        "scheme-discovery",
        "a sitemap, feed or link lists file://www.mdr.de/etc/hostname,abc-122.html (or data:, ftp:, s3:)",
        "test_hostile.py::test_other_schemes_and_unmirrored_hosts_are_refused, "
        "test_netguard.py::test_other_schemes_are_refused",
        "refused by the first downloader middleware, counted as newsarchive/rejected/scheme; Scrapy's file, "
        "data, s3 and ftp handlers are off",
    ),
    Threat(
        "scheme-redirect",
        "a redirect to file:///etc/hostname",
        "test_netguard.py::test_other_schemes_are_refused[redirect-file]",
        "refused, counted as newsarchive/rejected/scheme",
    ),
    Threat(
        "scheme-canonical",
        "a canonical tag or alias file:///etc/passwd, javascript:, data:, ftp:",
        "test_pipelines_normalise.py::test_a_canonical_tag_of_another_scheme_is_dropped_and_counted",
        "dropped (the fetched URL stays canonical), counted as newsarchive/rejected/scheme",
    ),
    Threat(
        "address-redirect",
        "a redirect to a host whose DNS answer is a loopback address (DNS rebinding, an internal service)",
        "test_netguard.py::test_internal_addresses_are_refused_on_every_hop",
        "the resolver hands Twisted no refused address: AddressRefused, counted as newsarchive/rejected/address; "
        "the internal server gets no request",
    ),
    Threat(
        "address-literal",
        "a link or redirect to 127.0.0.2, 169.254.169.254 (cloud metadata) or [::ffff:127.0.0.2]",
        "test_netguard.py::test_internal_addresses_are_refused_on_every_hop",
        "refused in the download handler before connecting, counted",
    ),
    Threat(
        "address-kinds",
        "host names resolving to ::1, ::ffff:127.0.0.2, 100.64.0.1 (CGNAT), or only to internal addresses",
        "test_netguard.py::test_internal_addresses_are_refused_on_every_hop, test_refused_addresses",
        "refused (loopback, private, link-local, CGNAT, multicast, reserved; IPv4 embedded in IPv6 as IPv4) "
        "unless in ALLOWED_NETWORKS",
    ),
    Threat(
        "address-numeric",
        "hosts 127.2, 2130706434, 0x7f000002: not addresses to a URL parser, 127.0.0.2 to getaddrinfo",
        "test_netguard.py::test_internal_addresses_are_refused_on_every_hop[hex]",
        "checked after the real resolution: refused, counted",
    ),
    Threat(
        "address-proxy",
        "through an HTTP proxy (which resolves names itself), a URL whose host resolves to a loopback address",
        "test_netguard.py::test_through_a_proxy_names_are_checked_before_the_proxy_sees_them",
        "resolved and refused before the request goes to the proxy (the proxy's own lookup is its affair)",
    ),
    Threat(
        "address-robots",
        "robots.txt of a host that resolves to an internal address",
        "test_netguard.py::test_refusals_are_counted",
        "refused like any request (robots.txt is a hop too), counted",
    ),
    Threat(
        "address-site",
        "a site whose only host resolves to a refused address (www.mdr.de -> 127.0.0.2)",
        "test_netguard.py::test_a_site_whose_host_resolves_to_a_refused_address_fails_with_exit_3",
        "never contacted; exit 3 with a message naming the address rule",
    ),
    Threat(
        "mirror-escape",
        "under --mirror, a redirect to intern.mdr.de, a host the mirror does not serve",
        "test_hostile.py::test_other_schemes_and_unmirrored_hosts_are_refused",
        "refused without a DNS lookup, counted: a mirrored run never leaves the mirror",
    ),
    Threat(
        "listening-ports",
        "Scrapy's telnet console and remote-control HTTP server (both run code for whoever reaches them)",
        "test_netguard.py::test_no_listening_port_is_opened",
        "off by default (TELNETCONSOLE_ENABLED, REMOTE_CONTROL_ENABLED turn them on for debugging)",
    ),
    Threat(
        "queue-pickle",
        "a pickle placed in the distributed queue that runs os.system when unpickled",
        "test_queue_codec.py::test_a_crafted_pickle_in_the_queue_is_dropped_without_running",
        "the queue holds JSON; the entry is dropped and counted (newsarchive/rejected/queue_entry), nothing runs",
    ),
    Threat(
        "csv-formula",
        "a headline =HYPERLINK(...) (or starting with +, -, @, tab, CR) exported to CSV",
        "test_export.py::test_csv_cells_that_a_spreadsheet_would_run_are_neutralised",
        "the cell gets a leading ' (OWASP); Parquet keeps the value",
    ),
    Threat(
        "redis-password",
        "--distributed redis://:WRONG@host with a SQLite seen-store",
        "test_secrets.py::test_a_wrong_redis_password_is_exit_2_before_any_request",
        "exit 2 with one line, the password masked, before any request to a site",
    ),
    Threat(
        "redis-env",
        "the Redis URI with its password on the command line (visible in ps and pod specs)",
        "test_secrets.py::test_a_refused_redis_from_the_environment_is_exit_2",
        "DISTRIBUTED_URI is read from the environment; a refused Redis is exit 2",
    ),
    Threat(
        "deploy-password",
        "newsarchive deploy --url http://user:PASSWORD@host",
        "test_secrets.py::test_deploy_never_prints_a_password",
        "the credentials go as basic auth; messages show user:***",
    ),
    Threat(
        "settings-secrets",
        "-s AWS_SECRET_ACCESS_KEY=... echoed in Scrapy's Overridden settings line",
        "test_netguard.py::test_secret_settings_are_masked_in_scrapys_log",
        "values of settings named *KEY*, *SECRET*, *TOKEN*, *PASSWORD* and URL passwords are masked",
    ),
    Threat(
        "manifest-key",
        "a manifest part key v1/articles/../../../etc/passwd (or absolute, or hidden)",
        "test_archive_reader.py::test_a_manifest_key_that_leaves_the_archive_is_a_clear_error",
        "never read; one line and exit 2 (read), a listed problem (verify)",
    ),
    Threat(
        "sitemap-memory",
        "three gzipped sitemaps of 300 URLs each (scripts/hostile_cost.py: 692,590 each, 1.9 MB gzipped, under the "
        "64 MiB limit), with caps in proportion (FRONTIER_DOCUMENT_URLS=100, FRONTIER_MAX_URLS=150)",
        "test_hostile_cost.py::test_huge_sitemaps_are_read_newest_first_into_a_bounded_frontier, "
        "test_reading_a_sitemap_holds_memory_for_the_cap_not_the_document",
        "each sitemap streamed into a heap of its newest FRONTIER_DOCUMENT_URLS entries; at most FRONTIER_MAX_URLS "
        "article requests a run, newest first; a sitemap arriving once the frontier is full is not parsed; all "
        "counted as newsarchive/capped/*; a normal site in the same run archives every article",
    ),
    Threat(
        "backfill-nested",
        "with --from, sitemap indexes of 20 children nested three deep (the script: 50,000 children)",
        "test_hostile_cost.py::test_a_backfill_walks_nested_indexes_lazily_and_resumes",
        "walked one child at a time, SITEMAP_INDEX_CHILDREN a run (the rest counted as newsarchive/capped/"
        "index_children); the next run skips the sitemaps read completely and goes on",
    ),
    Threat(
        "robots-size",
        "a 200 KiB robots.txt with ROBOTSTXT_MAX_BYTES=64 KiB (the script: 16 MiB against the default 512 KiB)",
        "test_hostile_cost.py::test_a_huge_robots_txt_is_cut_for_scrapys_middleware_too",
        "cut at the last whole line within the cap, for discovery and for Scrapy's robots.txt middleware alike; "
        "counted as newsarchive/capped/robots_txt",
    ),
    Threat(
        "time-budget",
        "twenty articles that answer after 5 s each, SITE_TIME_BUDGET=3",
        "test_hostile_cost.py::test_the_time_budget_stops_the_site_and_it_commits",
        "after the budget the site schedules nothing more and closes once the requests in flight are answered; "
        "the queued requests dropped are counted (newsarchive/capped/time_budget) and the summary names the budget",
    ),
    Threat(
        "entity-anywhere",
        "a DOCTYPE declaring entities (billion laughs, external, parameter) behind 200 KB of padding, in UTF-16, "
        "gzipped, in a sitemap or a feed",
        "test_hostile_cost.py::test_entity_declarations_are_refused_wherever_they_stand",
        "refused: the parser never expands or loads entities, and a DTD that declares any is refused when the "
        "parser reports it (before the root element), whatever its position or encoding",
    ),
    Threat(
        "terminal-escapes",
        "ESC/BEL/CSI/OSC sequences in a crawled JSON-LD headline and author; a header value with escapes as the "
        "argument of a log line",
        "test_hostile_cost.py::test_escapes_from_a_site_never_reach_the_archive_or_the_terminal",
        "control characters (C0 but whitespace, DEL, C1) removed from text fields at normalisation; log arguments "
        "escaped (crawler/termsafe.py); no raw ESC, BEL or CSI in the crawl's log, output or archive",
    ),
    Threat(
        "terminal-commands",
        "the same page and archive through every command that prints",
        "test_hostile_cost.py::test_every_command_that_prints_is_terminal_safe",
        "each exits 0 and prints no raw ESC, BEL or CSI: stdout and stderr go through one escape function "
        "(crawler/termsafe.py), which shows them as \\u001b (read's JSON lines stay valid JSON); none in the "
        "report's HTML either",
    ),
    Threat(
        "proxy-credentials",
        "a crawl through https_proxy=http://user:pass@127.0.0.1 (a real proxy that requires the login)",
        "test_hostile_cost.py::test_no_credential_in_the_archive_or_the_log, "
        "test_credential_headers_never_reach_a_warc_record",
        "no WARC request record carries Proxy-Authorization, Authorization or Cookie (each names the removed "
        "headers in NewsArchive-Removed-Headers); the password nowhere in the archive, the log or the output",
    ),
    Threat(
        "query-password",
        "--distributed redis://host/0?password=SECRET (unreachable)",
        "test_hostile_cost.py::test_a_redis_password_in_the_query_and_a_sites_file_login_are_never_printed",
        "exit 2, the query's password (token, secret, key) masked in the message",
    ),
    Threat(
        "sitesfile-userinfo",
        "a sites-file url = https://user:SECRET@host/",
        "test_hostile_cost.py::test_a_redis_password_in_the_query_and_a_sites_file_login_are_never_printed",
        "refused with exit 2; the message does not show the password",
    ),
    Threat(
        "surrogates",
        'lone surrogates ("\\ud800", "\\udfff") in a JSON-LD headline and author',
        "test_hostile_cost.py::test_lone_surrogates_are_replaced_not_fatal, "
        "test_a_page_that_fails_in_a_pipeline_is_counted_and_the_run_exits_1",
        "replaced by U+FFFD at normalisation, so the article is hashed, written and archived; a page that does fail "
        "in a pipeline is counted (newsarchive/item_errors), named in the summary and makes the run exit 1",
    ),
]


def observe(threat_id: str, observed: str) -> None:
    """Record what the test of ``threat_id`` observed (only when NEWSARCHIVE_THREATS_DIR is set)."""
    assert any(t.id == threat_id for t in THREATS), threat_id
    out = os.environ.get("NEWSARCHIVE_THREATS_DIR")
    if out:
        Path(out, f"{threat_id}.json").write_text(json.dumps({"id": threat_id, "observed": observed}))
