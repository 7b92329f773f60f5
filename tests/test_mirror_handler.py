from __future__ import annotations

from crawler.mirror import mirror_hosts, mirrored_url
from crawler.spiders.de.ndr import NdrSpider


def test_mirrored_url_keeps_path_and_query() -> None:
    assert mirrored_url("https://www.ndr.de/a/b.html?x=1&y=2#frag", "http://127.0.0.1:8800") == (
        "http://127.0.0.1:8800/a/b.html?x=1&y=2"
    )
    assert mirrored_url("https://www.ndr.de", "http://127.0.0.1:1") == "http://127.0.0.1:1/"


def test_mirror_hosts_of_a_site() -> None:
    assert mirror_hosts(NdrSpider) == {"www.ndr.de"}
