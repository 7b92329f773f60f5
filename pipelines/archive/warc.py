"""WARC/1.1 request + response records from an item's ``raw_response`` (via warcio)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from datetime import UTC
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.text import to_datetime

# Scrapy hands over the decoded body; headers describing the transfer encoding would make WARC readers
# decode it a second time, so they are kept under an X-Archive-Orig- name instead.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
ORIG_PREFIX = "X-Archive-Orig-"
#: gzip level of the raw WARC parts (zlib's default)
WARC_GZIP_LEVEL = 6


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return str(value)


def header_pairs(headers: object) -> list[tuple[str, str]]:
    """Headers given as [[name, value], ...], a mapping (values may be lists) or Scrapy Headers."""
    pairs: list[tuple[str, str]] = []
    if not headers:
        return pairs
    items: Any = headers.items() if isinstance(headers, Mapping) or hasattr(headers, "items") else headers
    for entry in items:
        try:
            name, value = entry
        except (TypeError, ValueError):
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for one in values:
            if one is not None:
                # header values must stay on one line
                pairs.append((_text(name).strip(), " ".join(_text(one).split())))
    return [(n, v) for n, v in pairs if n]


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    name = name.lower()
    return next((v for n, v in headers if n.lower() == name), None)


def warc_date(value: object) -> str | None:
    dt = to_datetime(value)
    return None if dt is None else dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def body_bytes(raw: Mapping[str, Any]) -> bytes:
    body = raw.get("body")
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    return str(body).encode("utf-8")


class WarcPart:
    """An in-memory WARC.gz file: a warcinfo record, then request + response pairs (one gzip member each)."""

    def __init__(self, filename: str, software: str, compresslevel: int = WARC_GZIP_LEVEL) -> None:
        self.buffer = io.BytesIO()
        self.compresslevel = compresslevel
        # records are written uncompressed to a scratch buffer, then gzipped as one member each (warcio's own
        # gzip writer uses level 9: 2.4x the CPU of level 6 for 1% smaller files on news pages)
        self._scratch = io.BytesIO()
        self.writer = WARCWriter(self._scratch, gzip=False, warc_version="1.1")
        self.records = 0
        info = {"software": software, "format": "WARC File Format 1.1", "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}
        self._write(self.writer.create_warcinfo_record(filename, info))

    def _write(self, record: Any) -> None:
        """Append ``record`` to the buffer as one gzip member."""
        self._scratch.seek(0)
        self._scratch.truncate()
        self.writer.write_record(record)
        compressor = zlib.compressobj(self.compresslevel, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.buffer.write(compressor.compress(self._scratch.getbuffer()))
        self.buffer.write(compressor.flush())

    def add(self, raw: Mapping[str, Any], fallback_url: str) -> tuple[int, int, str]:
        """Write the exchange; return (offset, length, WARC-Record-ID) of the response record."""
        url = _text(raw.get("url") or fallback_url)
        body = body_bytes(raw)
        status = int(raw.get("status") or 200)
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        headers = []
        for name, value in header_pairs(raw.get("headers")):
            headers.append((ORIG_PREFIX + name if name.lower() in _TRANSFER_HEADERS else name, value))
        headers.append(("Content-Length", str(len(body))))
        warc_headers: dict[str, str] = {}
        date = warc_date(raw.get("fetched_at"))
        if date:
            warc_headers["WARC-Date"] = date
        response = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1"),
            warc_headers_dict=warc_headers,
        )
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = header_pairs(raw.get("request_headers"))
        if header(request_headers, "host") is None:
            request_headers.insert(0, ("Host", parts.netloc))
        request = self.writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", request_headers, is_http_request=True),
            warc_headers_dict=dict(warc_headers),
        )
        offset = self.buffer.tell()
        self._write(response)
        length = self.buffer.tell() - offset
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        self._write(request)
        self.records += 1
        return offset, length, str(response.rec_headers.get_header("WARC-Record-ID"))

    @property
    def nbytes(self) -> int:
        return self.buffer.tell()

    def getvalue(self) -> bytes:
        return self.buffer.getvalue()
