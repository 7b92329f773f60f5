"""The reader on ``s3://`` (a real S3-compatible server on 127.0.0.1) gives what it gives on a path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.archive.reader import open_archive
from pipelines.storage import STORAGES, FileStorage, open_storage
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, MotoServer
from tests.test_reading_support import sample_archive

pytest.importorskip("boto3")
S3Storage = pytest.importorskip("pipelines.storage.s3").S3Storage


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setitem(STORAGES, "s3", S3Storage)
    with MotoServer(log_path=tmp_path / "moto.log") as srv:
        yield srv


def test_same_records_from_s3(tmp_path: Path, server: MotoServer) -> None:
    local = FileStorage(sample_archive(tmp_path))
    server.create_bucket("news")
    settings = {
        "AWS_ENDPOINT_URL": server.endpoint,
        "AWS_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    remote = open_storage("s3://news/archive", settings)
    for key in local.list("v1/"):
        remote.put(key, local.get(key))
    on_disk, on_s3 = open_archive(local.uri), open_archive("s3://news/archive", settings)
    for kwargs in ({}, {"site": "ndr", "latest": True}, {"published_from": "2024-05-02", "language": "de"}):
        assert list(on_s3.records(**kwargs)) == list(on_disk.records(**kwargs))  # type: ignore[arg-type]
        assert on_s3.cursor == on_disk.cursor
