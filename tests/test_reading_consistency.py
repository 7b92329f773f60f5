"""Consumers never see uncommitted data: readers running while commits are written see whole commits only."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from typing import Any

from pipelines.archive.reader import open_archive
from pipelines.storage import FileStorage, Storage
from tests.test_reading_support import article, write_run


class HeldCommit:
    """Storage wrapper: parts go through, the manifest waits until ``release`` is set."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.uri = inner.uri
        self.parts_written = threading.Event()
        self.release = threading.Event()

    def put(self, key: str, data: bytes) -> None:
        if key.startswith("v1/manifests/"):
            self.parts_written.set()
            assert self.release.wait(30)
        self.inner.put(key, data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_parts_without_their_manifest_are_invisible(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_run(archive, [article(1)])
    reader = open_archive(str(archive))
    held: list[HeldCommit] = []

    def wrap(storage: Storage) -> Storage:
        held.append(HeldCommit(storage))
        return held[0]  # type: ignore[return-value]

    writer = threading.Thread(target=write_run, args=(archive, [article(2), article(3, "mopo")], 500, wrap))
    writer.start()
    try:
        assert held or writer.is_alive()
        while not held:
            writer.join(0.01)
        assert held[0].parts_written.wait(30)
        # the commit's parts are on disk, its manifest is not: a reader sees the earlier commit only
        assert len(list(archive.rglob("*.jsonl.gz"))) == 3
        assert [r["title"] for r in reader.records()] == ["ndr 1 r1"]
        cursor = reader.cursor
    finally:
        for h in held:
            h.release.set()
        writer.join(30)
    assert [r["title"] for r in reader.records(after=cursor)] == ["ndr 2 r1", "mopo 3 r1"]


def test_readers_racing_a_writer_see_whole_commits(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_run(archive, [article(0)])
    storage = FileStorage(archive)
    done = threading.Event()

    def writer() -> None:
        try:
            for run in range(6):
                items = [article(100 * run + n, ("ndr", "mopo")[n % 2]) for n in range(1, 13)]
                write_run(archive, items, max_records=2)  # a commit per 2 records of a site
                orphan = json.dumps({**article(999), "id": "f" * 16, "title": "ORPHAN"}).encode() + b"\n"
                storage.put(  # a part no manifest lists, as a crashed commit leaves it
                    f"v1/articles/site=ndr/date=2024-01-01/20240101T000000Z-0000000{run}-00000.jsonl.gz",
                    gzip.compress(orphan),
                )
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    reader = open_archive(str(archive))
    reads: list[tuple[str | None, list[str]]] = []
    while not done.is_set() or len(reads) < 3:
        titles = [r["title"] for r in reader.records()]
        reads.append((reader.cursor, titles))
    thread.join(60)

    commits = reader.manifests()
    per_commit = {
        c: [
            r["title"]
            for p in reader.manifest(c)["parts"]
            if p["kind"] == "articles"
            for r in reader.part_records(p)
        ]
        for c in commits
    }
    assert len(commits) > 20
    for cursor, titles in reads:
        assert cursor is not None
        expected = [t for c in commits if c <= cursor for t in per_commit[c]]
        assert titles == expected  # exactly the commits up to the cursor, each complete, nothing else
        assert "ORPHAN" not in titles
    assert len({cursor for cursor, _ in reads}) > 1  # the reads did overlap the writes
    for commit in commits:
        assert len(per_commit[commit]) == reader.manifest(commit)["records"]
