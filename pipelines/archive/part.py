"""An open part: the records and raw responses of one (site, date) partition, built in memory."""

from __future__ import annotations

import gzip
import hashlib
import io
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.archive.layout import articles_key, raw_key, sanitise_site
from pipelines.archive.record import dumps
from pipelines.archive.warc import ExchangeRecords, WarcPart, header, header_pairs
from pipelines.state import SeenEntry


@dataclass(frozen=True, slots=True)
class PartObject:
    """A finished part object and its manifest entry."""

    key: str
    kind: str  # "articles" | "raw"
    site: str
    date: str
    records: int
    data: bytes

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "site": self.site,
            "date": self.date,
            "records": self.records,
            "bytes": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
        }


@dataclass
class OpenPart:
    """Records of one partition waiting for their commit."""

    site: str
    date: str
    run: str
    number: int
    software: str
    opened: float = field(default_factory=time.monotonic)
    records: int = 0
    entries: list[SeenEntry] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.site = sanitise_site(self.site)
        self.articles_key = articles_key(self.site, self.date, self.run, self.number)
        self.raw_key = raw_key(self.site, self.date, self.run, self.number)
        # the JSON lines stay uncompressed until finish(): a zlib stream held open for the part's life costs
        # ~260 KB, which a crawl of hundreds of sites (each with a part per day) pays many times over
        self._jsonl = io.BytesIO()
        self._warc: WarcPart | None = None

    def add(
        self,
        record: dict[str, Any],
        raw_response: Mapping[str, Any] | None,
        warc: ExchangeRecords | None = None,
    ) -> None:
        """Append ``record``; its exchange goes to the WARC part and ``record["raw"]`` points at it.

        ``warc``: the exchange's records built already (pipelines.precompute), appended as they are.
        """
        headers: list[tuple[str, str]] = []
        if raw_response:
            if self._warc is None:
                self._warc = WarcPart(self.raw_key.rpartition("/")[2], self.software)
            if warc is not None:
                offset, length, record_id = self._warc.append(warc)
            else:
                offset, length, record_id = self._warc.add(raw_response, str(record.get("url") or ""))
            record["raw"] = {"warc": self.raw_key, "offset": offset, "length": length, "record_id": record_id}
            headers = header_pairs(raw_response.get("headers"))
        self._jsonl.write(dumps(record))
        self.records += 1
        self.entries.append(
            SeenEntry(
                canonical_url=str(record["canonical_url"]),
                id=str(record["id"]),
                site=str(record["site"] or ""),
                content_hash=str(record["content_hash"]),
                revision=int(record.get("revision") or 1),
                first_seen=record.get("crawled_at"),
                last_fetched=record.get("crawled_at"),
                etag=header(headers, "etag"),
                last_modified=header(headers, "last-modified"),
                published=record.get("published"),
            )
        )
        for alias in record.get("aliases") or []:
            self.aliases.append((str(alias), str(record["canonical_url"])))

    @property
    def nbytes(self) -> int:
        """Bytes so far: the WARC part compressed, the records still uncompressed (an upper bound)."""
        return self._jsonl.tell() + (self._warc.nbytes if self._warc else 0)

    def age(self) -> float:
        return time.monotonic() - self.opened

    def finish(self) -> list[PartObject]:
        """Close the buffers; the articles part, then the raw part if any record had a raw response."""
        articles = gzip.compress(self._jsonl.getvalue(), compresslevel=6, mtime=0)
        self._jsonl = io.BytesIO()
        objects = [PartObject(self.articles_key, "articles", self.site, self.date, self.records, articles)]
        if self._warc is not None:
            objects.append(PartObject(self.raw_key, "raw", self.site, self.date, self._warc.records, self._warc.getvalue()))
        return objects
