"""S3Storage and SpooledStorage against a real S3-compatible HTTP server (moto's server mode) on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import logging
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured

from pipelines.storage import STORAGES, FileStorage, RangeStorage, Storage, StorageError, open_storage
from pipelines.storage.s3 import S3Storage, parse_s3_uri
from pipelines.storage.spool import SpooledStorage, with_spool
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, MotoServer, free_port

SENTINEL_SECRET = "SENTINEL-SECRET-123"
SENTINEL_TOKEN = "SENTINEL-TOKEN-456"
MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, config or instance metadata from the machine running the tests."""
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setitem(STORAGES, "s3", S3Storage)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with MotoServer(log_path=tmp_path_factory.mktemp("moto") / "server.log") as srv:
        yield srv


def settings_for(endpoint: str, **extra: Any) -> dict[str, Any]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "ARCHIVE_S3_MAX_ATTEMPTS": 2,
        "ARCHIVE_S3_CONNECT_TIMEOUT": 2,
        "ARCHIVE_S3_READ_TIMEOUT": 10,
        **extra,
    }


@pytest.fixture
def bucket(server: MotoServer) -> str:
    name = f"test-{uuid.uuid4().hex[:12]}"
    server.create_bucket(name)
    return name


@pytest.fixture
def storage(server: MotoServer, bucket: str) -> S3Storage:
    opened = open_storage(f"s3://{bucket}/archive", settings_for(server.endpoint))
    assert isinstance(opened, S3Storage)
    return opened


def test_round_trip(storage: S3Storage, server: MotoServer, bucket: str) -> None:
    storage.put("v1/b/two.txt", b"2")
    storage.put("v1/a/one.txt", b"one")
    storage.put("v1/a/zero.txt", b"")
    assert storage.get("v1/a/one.txt") == b"one"
    assert storage.get("v1/a/zero.txt") == b""
    assert storage.size("v1/a/one.txt") == 3
    assert storage.exists("v1/a/zero.txt") and not storage.exists("v1/a/nothing")
    assert storage.list("v1/") == ["v1/a/one.txt", "v1/a/zero.txt", "v1/b/two.txt"]
    assert storage.list("v1/a/o") == ["v1/a/one.txt"]
    assert storage.list("") == storage.list("v1")
    assert storage.list("nothing/here/") == []
    assert storage.get_range("v1/a/one.txt", 1, 2) == b"ne"
    assert storage.get_range("v1/a/one.txt", 2, 10) == b"e"
    assert storage.get_range("v1/a/one.txt", 3, 5) == b""
    assert storage.get_range("v1/a/one.txt", 0, 0) == b""
    raw = server.client().list_objects_v2(Bucket=bucket)
    assert sorted(o["Key"] for o in raw["Contents"]) == [
        "archive/v1/a/one.txt",
        "archive/v1/a/zero.txt",
        "archive/v1/b/two.txt",
    ]  # under the prefix, and the write probe of open_storage is gone
    storage.delete("v1/a/one.txt")
    assert not storage.exists("v1/a/one.txt")
    for call in (storage.get, storage.size, storage.delete):
        with pytest.raises(FileNotFoundError):
            call("v1/a/one.txt")
    with pytest.raises(FileNotFoundError):
        storage.get_range("v1/a/one.txt", 0, 1)
    assert isinstance(storage, Storage) and isinstance(storage, RangeStorage)
    assert storage.uri == f"s3://{bucket}/archive"


def test_put_never_overwrites(storage: S3Storage) -> None:
    storage.put("k/obj", b"first")
    with pytest.raises(FileExistsError):
        storage.put("k/obj", b"second")
    with pytest.raises(FileExistsError):
        storage.put("k/obj", b"first")
    assert storage.get("k/obj") == b"first"


def test_store_ignoring_conditional_writes_falls_back_to_a_check(
    server: MotoServer, bucket: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(server.endpoint)
    client = _client_with(settings)

    def drop_condition(request: Any, **_: Any) -> None:  # a store that ignores If-None-Match
        del request.headers["If-None-Match"]

    client.meta.events.register("before-sign.s3.PutObject", drop_condition)
    storage = S3Storage(bucket, "old-store", client, endpoint=server.endpoint)
    storage.check_writable()
    assert not storage.options.conditional_writes
    assert "does not support conditional writes" in caplog.text
    storage.put("k", b"first")
    with pytest.raises(FileExistsError):
        storage.put("k", b"second")
    assert storage.get("k") == b"first"


@pytest.mark.parametrize("key", ["", "../escape", "a//b", "/abs", "a\\b", "a/.hidden"])
def test_rejects_unsafe_keys(storage: S3Storage, key: str) -> None:
    with pytest.raises(ValueError):
        storage.put(key, b"x")
    with pytest.raises(ValueError):
        storage.get(key)


def test_checksum_is_sent_and_stored(storage: S3Storage, server: MotoServer, bucket: str) -> None:
    data = b"checksummed payload\n" * 100
    storage.put("c/obj", data)
    head = server.client().head_object(Bucket=bucket, Key="archive/c/obj", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert head["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_multipart_above_threshold(server: MotoServer, bucket: str) -> None:
    settings = settings_for(
        server.endpoint, ARCHIVE_S3_MULTIPART_THRESHOLD=MiB, ARCHIVE_S3_MULTIPART_CHUNKSIZE=5 * MiB
    )
    storage = S3Storage.from_uri(f"s3://{bucket}/mp", settings)
    data = bytes(range(256)) * (11 * MiB // 256) + b"tail"  # three parts of 5 MiB, 5 MiB, 1 MiB + 4 bytes
    storage.put("big.bin", data)
    head = server.client().head_object(Bucket=bucket, Key="mp/big.bin", ChecksumMode="ENABLED")
    assert head["ETag"].strip('"').endswith("-3")
    assert head["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert storage.get("big.bin") == data
    assert storage.get_range("big.bin", 5 * MiB - 2, 4) == data[5 * MiB - 2 : 5 * MiB + 2]
    storage.put("small.bin", b"below the threshold")
    with pytest.raises(FileExistsError):
        storage.put("big.bin", data[::-1])
    assert server.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_open_missing_bucket_is_one_line(server: MotoServer) -> None:
    for writable in (True, False):
        with pytest.raises(StorageError, match="S3 bucket 'no-such-bucket' does not exist") as err:
            open_storage("s3://no-such-bucket/x", settings_for(server.endpoint), writable=writable)
        assert "\n" not in str(err.value)


def test_uri_parsing_and_repr(server: MotoServer, bucket: str) -> None:
    assert parse_s3_uri("s3://bkt/a/b/") == ("bkt", "a/b")
    assert parse_s3_uri("s3://bkt") == ("bkt", "")
    with pytest.raises(StorageError, match="credentials in s3:// URIs are not supported") as err:
        open_storage(f"s3://AKID:{SENTINEL_SECRET}@bkt/x", settings_for(server.endpoint))
    assert SENTINEL_SECRET not in str(err.value)
    for bad in ("s3:///x", "s3://bkt/a/../b", "s3://bkt/x?versionId=1"):
        with pytest.raises(StorageError):
            parse_s3_uri(bad)
    settings = settings_for(server.endpoint, AWS_SECRET_ACCESS_KEY=SENTINEL_SECRET)
    storage = S3Storage.from_uri(f"s3://{bucket}", settings, writable=False)
    assert repr(storage) == f"S3Storage('s3://{bucket}', endpoint='{server.endpoint}')"


def test_wrong_credentials(
    server: MotoServer, bucket: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    key_id, secret = server.create_iam_key(f"archiver-{uuid.uuid4().hex[:8]}")
    caplog.set_level(logging.DEBUG)
    server.enforce_auth()
    try:
        good = open_storage(f"s3://{bucket}/auth", settings_for(server.endpoint, **_creds(key_id, secret)))
        good.put("ok", b"signed")  # SigV4 with the IAM key is accepted

        wrong = [
            ("SignatureDoesNotMatch", _creds(key_id, SENTINEL_SECRET)),
            ("InvalidAccessKeyId", _creds("AKIANOSUCHKEY0000000", SENTINEL_SECRET)),
            ("InvalidToken", {**_creds(key_id, SENTINEL_SECRET), "AWS_SESSION_TOKEN": SENTINEL_TOKEN}),
        ]
        for code, creds in wrong:
            settings = settings_for(server.endpoint, **creds)
            with pytest.raises(StorageError) as err:
                open_storage(f"s3://{bucket}/auth", settings)
            assert str(err.value) == (
                f"S3 rejected the credentials ({code}) for bucket {bucket!r} at {server.endpoint}"
            )
            storage = S3Storage(bucket, "auth", _client_with(settings), endpoint=server.endpoint)
            with pytest.raises(StorageError, match="S3 rejected the credentials"):
                storage.put("x", b"never stored")
            seen = " ".join(
                [
                    str(err.value),
                    repr(err.value),
                    repr(storage),
                    "".join(traceback.format_exception(err.value)),
                    caplog.text,
                    *(r.getMessage() for r in caplog.records),
                    *capsys.readouterr(),
                ]
            )
            assert SENTINEL_SECRET not in seen and SENTINEL_TOKEN not in seen
        assert any(
            r.name.startswith("botocore") for r in caplog.records
        )  # botocore's DEBUG logs were captured
    finally:
        server.enforce_auth(False)


def _creds(key_id: str, secret: str) -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret}


def _client_with(settings: dict[str, Any]) -> Any:
    from pipelines.storage.s3 import S3Options, _make_client

    return _make_client(settings, S3Options.from_settings(settings))


def test_connection_refused_is_retried_then_storage_error(caplog: pytest.LogCaptureFixture) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    caplog.set_level(logging.DEBUG, logger="botocore.retries")
    started = time.monotonic()
    with pytest.raises(StorageError) as err:
        open_storage("s3://bucket-down/x", settings_for(endpoint, ARCHIVE_S3_MAX_ATTEMPTS=3))
    assert time.monotonic() - started < 15
    message = str(err.value)
    assert message.startswith(f"cannot reach S3 endpoint {endpoint} for bucket 'bucket-down'")
    assert "EndpointConnectionError, 3 attempt(s)" in message
    retries = [r for r in caplog.records if r.getMessage().startswith("Retry needed, retrying request")]
    assert len(retries) == 2


def test_missing_boto3_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(NotConfigured, match=r"s3:// archives need boto3: pip install 'newsarchive\[s3\]'"):
        open_storage("s3://bucket/x", {})


def test_spool_survives_an_outage_and_keeps_put_order(tmp_path: Path) -> None:
    port = free_port()
    clock = [0.0]
    log = tmp_path / "moto.log"
    first = MotoServer(port, log).start()
    try:
        first.create_bucket("spooled")
        settings = settings_for(first.endpoint, ARCHIVE_S3_CONNECT_TIMEOUT=1)
        inner = S3Storage.from_uri("s3://spooled/a", settings)
        spool = SpooledStorage(inner, tmp_path / "spool", retry_interval=30, clock=lambda: clock[0])
        spool.put("before/outage", b"direct")
        assert spool.pending == []
    finally:
        first.stop()

    commit = ["v1/articles/p-0.jsonl.gz", "v1/raw/p-0.warc.gz", "v1/manifests/c-0.json"]
    for key in commit:  # the store is down: the first put tries it, the others go straight to the spool
        spool.put(key, key.encode() * 3)
    assert spool.pending == commit and spool.spooled == 3
    with pytest.raises(FileExistsError):
        spool.put(commit[0], b"again")
    assert spool.exists(commit[2]) and spool.get(commit[1]) == commit[1].encode() * 3
    clock[0] += 31
    assert spool.flush() == 3  # still down
    spool.close()  # the run ends; the next one finds the spool

    second = MotoServer(port, log).start()  # a new, empty server on the same endpoint
    try:
        second.create_bucket("spooled")
        puts: list[str] = []
        inner.client.meta.events.register(
            "before-parameter-build.s3.PutObject", lambda params, **_: puts.append(params["Key"])
        )
        again = SpooledStorage(inner, tmp_path / "spool", retry_interval=30, clock=lambda: clock[0])
        assert again.pending == commit
        assert again.flush() == 0
        again.put("after/outage", b"direct again")
        assert puts == [f"a/{key}" for key in [*commit, "after/outage"]]
        assert list((tmp_path / "spool").glob("*.spool")) == [] and again.pending == []
        assert inner.list("") == sorted([*commit, "after/outage"])
        assert all(inner.get(key) == key.encode() * 3 for key in commit)
        again.close()
    finally:
        second.stop()


class FlakyStorage(FileStorage):
    """A FileStorage that can be switched off."""

    down = False

    def put(self, key: str, data: bytes) -> None:
        if self.down:
            raise StorageError("store down")
        super().put(key, data)


def test_spool_flush_skips_what_the_store_already_has(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inner = FlakyStorage(tmp_path / "store")
    inner.down = True
    spool = SpooledStorage(inner, tmp_path / "spool", retry_interval=0)
    spool.put("a/part", b"part")
    spool.put("a/other", b"mine")
    spool.put("a/manifest", b"manifest")
    inner.down = False
    FileStorage.put(inner, "a/part", b"part")  # uploaded before a crash kept it in the spool
    FileStorage.put(inner, "a/other", b"theirs")  # a different object under the same key
    assert spool.flush() == 2
    assert "differs from the object stored under that key" in caplog.text
    assert spool.pending == ["a/other", "a/manifest"] and not inner.exists("a/manifest")
    spool.delete("a/other")  # resolved by hand
    assert spool.flush() == 0 and inner.get("a/manifest") == b"manifest"
    spool.close()


def test_spool_directory_is_locked_and_damage_is_reported(tmp_path: Path) -> None:
    inner = FileStorage(tmp_path / "store")
    spool = SpooledStorage(inner, tmp_path / "spool")
    with pytest.raises(StorageError, match="in use by another process"):
        SpooledStorage(inner, tmp_path / "spool")
    spool.close()
    (tmp_path / "spool" / "0000000000000001.spool").write_bytes(b"not json\n")
    with pytest.raises(StorageError, match="damaged spool entry"):
        SpooledStorage(inner, tmp_path / "spool")


def test_with_spool_setting(tmp_path: Path) -> None:
    inner = FileStorage(tmp_path / "store")
    assert with_spool(inner, {}) is inner
    settings = {"ARCHIVE_SPOOL_DIR": str(tmp_path / "spool"), "ARCHIVE_SPOOL_RETRY_INTERVAL": "5"}
    wrapped = with_spool(inner, settings)
    assert isinstance(wrapped, SpooledStorage) and wrapped.retry_interval == 5 and wrapped.uri == inner.uri
    assert isinstance(wrapped, Storage)
    per_site = with_spool(inner, settings, name="ndr")
    assert isinstance(per_site, SpooledStorage) and per_site.spool_dir == tmp_path / "spool" / "ndr"
    with pytest.raises(ValueError):
        with_spool(inner, settings, name="../x")
    wrapped.close()
    per_site.close()
