"""The Scrapyd path for real: a scrapyd on 127.0.0.1, the project deployed, a crawl scheduled over its API."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.deploy import ROOT, deploy
from crawler.sites import project_settings, site_classes
from crawler.spiderloader import NewsSpiderLoader
from pipelines.archive.reader import open_archive

pytest.importorskip("scrapyd", reason="scrapyd is a dev dependency")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 10) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        answer: dict[str, object] = json.loads(response.read())
    return answer


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.2\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(url + "/daemonstatus.json")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("scrapyd did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_deploy_and_schedule_a_crawl(scrapyd: str, tmp_path: Path) -> None:
    before = sorted(p.name for p in ROOT.iterdir())
    answer = deploy(scrapyd, "newsarchive", "1")
    # every site newsarchive crawl knows: the site files and the whole registry (crawler/spiderloader.py)
    assert answer["spiders"] == len(NewsSpiderLoader(project_settings()).list()) > len(site_classes())
    # Scrapyd runs `scrapy list` for this: a process that loads the registry (slow on a busy machine)
    listed = get(scrapyd + "/listspiders.json?project=newsarchive", timeout=120)["spiders"]
    assert isinstance(listed, list) and {"haz", "ndr", "mdr"} <= set(listed)
    assert sorted(p.name for p in ROOT.iterdir()) == before, "deploying leaves no build artefacts in the tree"

    archive = tmp_path / "archive"
    mirror = build_mirror([SiteSpec.from_spider(site_classes()["ndr"])], fixtures_dir())
    with MirrorServer(mirror) as server:
        settings = {
            "ARCHIVE_URI": str(archive),
            "STATE_URI": str(tmp_path / "state.sqlite"),
            "MIRROR_URL": server.url,
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_START_DELAY": "0",
        }
        form = [("project", "newsarchive"), ("spider", "ndr")] + [
            ("setting", f"{k}={v}") for k, v in settings.items()
        ]
        data = urllib.parse.urlencode(form).encode()
        with urllib.request.urlopen(scrapyd + "/schedule.json", data=data, timeout=10) as response:
            job = json.loads(response.read())
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            jobs = get(scrapyd + "/listjobs.json?project=newsarchive")
            finished = jobs.get("finished")
            if isinstance(finished, list) and any(j["id"] == job["jobid"] for j in finished):
                break
            time.sleep(0.3)
        else:
            pytest.fail("the scheduled crawl did not finish")
    records = list(open_archive(str(archive)).records())
    expected = {json.loads(p.read_text())["url"] for p in (fixtures_dir() / "ndr").glob("*/expected.json")}
    assert {r["url"] for r in records} == expected
