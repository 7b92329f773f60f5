from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pipelines.storage import STORAGES, FileStorage, Storage, StorageError, open_storage


@pytest.fixture
def storage(tmp_path: Path) -> FileStorage:
    return FileStorage(tmp_path / "root")


def test_put_get_list_size_delete(storage: FileStorage) -> None:
    storage.put("v1/b/two.txt", b"2")
    storage.put("v1/a/one.txt", b"one")
    storage.put("v1/a/zero.txt", b"")
    assert storage.get("v1/a/one.txt") == b"one"
    assert storage.size("v1/a/one.txt") == 3
    assert storage.exists("v1/a/zero.txt")
    assert storage.list("v1/") == ["v1/a/one.txt", "v1/a/zero.txt", "v1/b/two.txt"]
    assert storage.list("v1/a/o") == ["v1/a/one.txt"]
    assert storage.list("") == storage.list("v1")
    assert storage.list("nothing/here/") == []
    storage.delete("v1/a/one.txt")
    assert not storage.exists("v1/a/one.txt")
    with pytest.raises(FileNotFoundError):
        storage.get("v1/a/one.txt")


def test_put_never_overwrites(storage: FileStorage) -> None:
    storage.put("k/obj", b"first")
    with pytest.raises(FileExistsError):
        storage.put("k/obj", b"second")
    assert storage.get("k/obj") == b"first"
    assert os.listdir(storage.root / "k") == ["obj"]  # no temporary file left behind


def test_concurrent_puts_of_one_key_leave_exactly_one_complete_object(storage: FileStorage) -> None:
    outcomes: list[str] = []
    payloads = [bytes([i]) * 200_000 for i in range(8)]

    def put(data: bytes) -> None:
        try:
            storage.put("race/obj", data)
            outcomes.append("ok")
        except FileExistsError:
            outcomes.append("exists")

    threads = [threading.Thread(target=put, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert storage.get("race/obj") in payloads
    assert os.listdir(storage.root / "race") == ["obj"]


def test_temporary_files_are_invisible(storage: FileStorage) -> None:
    storage.put("d/real", b"x")
    (storage.root / "d" / ".tmp-half-written").write_bytes(b"partial")
    assert storage.list("d/") == ["d/real"]


@pytest.mark.parametrize(
    "key",
    ["", "../escape", "a/../../b", "/etc/passwd", "a//b", "a/", "a\\b", "a\x00b", "./a", "a/.hidden", "C:/x"],
)
def test_rejects_unsafe_keys(storage: FileStorage, key: str) -> None:
    with pytest.raises(ValueError):
        storage.put(key, b"x")
    with pytest.raises(ValueError):
        storage.get(key)
    assert not (storage.root.parent / "escape").exists()


def test_satisfies_protocol(storage: FileStorage) -> None:
    assert isinstance(storage, Storage)
    assert storage.uri.startswith("file:///")


def test_open_storage_plain_path_and_file_uri(tmp_path: Path) -> None:
    plain = open_storage(str(tmp_path / "a"))
    assert isinstance(plain, FileStorage) and (tmp_path / "a").is_dir()
    uri = open_storage((tmp_path / "b").as_uri())
    assert isinstance(uri, FileStorage) and uri.root == tmp_path / "b"
    assert "file" in STORAGES


def test_open_storage_errors_are_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    for uri in ["gopher://x/y", str(afile), str(afile / "below")]:
        with pytest.raises(StorageError) as err:
            open_storage(uri)
        assert "\n" not in str(err.value) and str(err.value)
    with pytest.raises(StorageError, match="unknown storage scheme 'gopher'"):
        open_storage("gopher://x/y")
    with pytest.raises(StorageError, match="not a directory"):
        open_storage(str(afile))


def test_reader_does_not_create_missing_root(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_storage(str(tmp_path / "missing"), writable=False)
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_root(tmp_path: Path) -> None:
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o500)
    try:
        with pytest.raises(StorageError, match="not writable"):
            open_storage(str(root))
    finally:
        root.chmod(0o700)
