"""newsarchive verify: committed parts checked against their manifests, orphans listed and deleted, on a local
path and on S3 alike."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.sites import site_classes
from pipelines.archive.reader import open_archive
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, MotoServer

OLD_ORPHAN = "v1/articles/site=ndr/date=2020-01-01/20200101T000000Z-0badc0de-00000.jsonl.gz"
NEW_ORPHAN = "v1/articles/site=ndr/date=2099-01-01/20990101T000000Z-0badc0de-00000.jsonl.gz"


@pytest.fixture(params=["local", "s3"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVE_", "STATE_"))}
    if request.param == "local":
        yield str(tmp_path / "archive"), env
        return
    with MotoServer() as moto:
        moto.create_bucket("verify")
        env.update(
            AWS_ENDPOINT_URL=moto.endpoint, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY
        )
        env.update(AWS_REGION=REGION, AWS_S3_ADDRESSING_STYLE="path")
        yield "s3://verify/archive", env


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_verify_finds_orphans_and_damage(archive: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    uri, env = archive
    mirror = build_mirror([SiteSpec.from_spider(site_classes()["ndr"])], fixtures_dir())
    with MirrorServer(mirror) as server:
        crawl = cli(
            env, tmp_path, "crawl", "ndr", "--archive", uri, "--mirror", server.url, "-s", "DOWNLOAD_DELAY=0"
        )
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    proc = cli(env, tmp_path, "verify", "--archive", uri)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 parts" in proc.stdout and "orphan" not in proc.stdout

    settings = {k: v for k, v in env.items() if k.startswith("AWS_")}
    settings["AWS_REGION_NAME"] = settings.pop("AWS_REGION", REGION)
    storage = open_archive(uri, settings).storage
    for key in (OLD_ORPHAN, NEW_ORPHAN):  # parts of commits that never wrote their manifest
        storage.put(key, gzip.compress(b'{"id": "x"}\n'))
    proc = cli(env, tmp_path, "verify", "--archive", uri)
    assert proc.returncode == 0
    assert f"orphan  {OLD_ORPHAN}" in proc.stdout
    assert NEW_ORPHAN not in proc.stdout and "1 unlisted part(s) younger" in proc.stdout

    proc = cli(env, tmp_path, "verify", "--archive", uri, "--delete-orphans")
    assert "deleted 1 orphan(s)" in proc.stdout
    assert OLD_ORPHAN not in cli(env, tmp_path, "verify", "--archive", uri).stdout
    records = cli(env, tmp_path, "read", "--archive", uri)
    assert records.returncode == 0 and len(records.stdout.splitlines()) == 1, "committed data untouched"


def test_verify_reports_a_damaged_part(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVE_", "STATE_"))}
    mirror = build_mirror([SiteSpec.from_spider(site_classes()["ndr"])], fixtures_dir())
    with MirrorServer(mirror) as server:
        cli(env, tmp_path, "crawl", "ndr", "--mirror", server.url, "-s", "DOWNLOAD_DELAY=0")
    part = next((tmp_path / "archive" / "v1" / "articles").rglob("*.jsonl.gz"))
    part.write_bytes(gzip.compress(b'{"tampered": true}\n'))
    proc = cli(env, tmp_path, "verify")
    assert proc.returncode == 1
    assert "DAMAGED" in proc.stdout
