"""WARC/1.1 request + response records from an item's ``raw_response`` (via warcio).

Each record is one gzip member (the usual ``.warc.gz``), compressed with ISA-L (the ``isal`` package: gzip
output that every reader takes, at a fraction of zlib's CPU). :func:`exchange_records` builds the compressed
response + request members of one exchange on their own, so that an extraction worker can build them next to the
parse; :class:`WarcPart` appends such members (or builds them itself) into one WARC file.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.text import to_datetime

# Scrapy hands over the decoded body; headers describing the transfer encoding would make WARC readers
# decode it a second time, so they are kept under an X-Archive-Orig- name instead.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
ORIG_PREFIX = "X-Archive-Orig-"
#: gzip level of the raw WARC records (ISA-L's levels are 0-3; 2 compresses news pages about as well as zlib's
#: level 1 at a sixth of its CPU: docs/benchmarks.md)
WARC_GZIP_LEVEL = 2


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
    return str(body).encode("utf-8", "replace")


#: request headers the crawler itself may add that carry credentials: never written to an archive
CREDENTIAL_HEADERS = ("proxy-authorization", "authorization", "cookie")
#: the WARC header of a request record that names the credential headers removed from it
REMOVED_HEADERS = "NewsArchive-Removed-Headers"


def strip_credentials(headers: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """``headers`` without Proxy-Authorization, Authorization and Cookie, and the names of those removed."""
    kept = [(n, v) for n, v in headers if n.lower() not in CREDENTIAL_HEADERS]
    removed = list(dict.fromkeys(n for n, _v in headers if n.lower() in CREDENTIAL_HEADERS))
    return kept, removed


def gzip_member(data: bytes | memoryview, level: int = WARC_GZIP_LEVEL) -> bytes:
    """``data`` as one gzip member."""
    compressor = isal_zlib.compressobj(level, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


class ExchangeRecords(NamedTuple):
    """The WARC response and request records of one exchange, each a gzip member, and the response's id."""

    response: bytes
    request: bytes
    record_id: str
    url: str


def exchange_records(
    raw: Mapping[str, Any], fallback_url: str = "", level: int = WARC_GZIP_LEVEL
) -> ExchangeRecords:
    """The response + request records of ``raw`` (an item's ``raw_response``), compressed, digests included."""
    scratch = io.BytesIO()
    writer = WARCWriter(scratch, gzip=False, warc_version="1.1")
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
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1"),
        warc_headers_dict=warc_headers,
    )
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers, removed = strip_credentials(header_pairs(raw.get("request_headers")))
    removed = list(dict.fromkeys([*removed, *(str(n) for n in raw.get("removed_headers") or [])]))
    if header(request_headers, "host") is None:
        request_headers.insert(0, ("Host", parts.netloc))
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", request_headers, is_http_request=True),
        # the credential headers the crawler sent (a proxy's login, say) are named, never written
        warc_headers_dict={**warc_headers, **({REMOVED_HEADERS: ", ".join(removed)} if removed else {})},
    )
    record_id = str(response.rec_headers.get_header("WARC-Record-ID"))
    request.rec_headers.add_header("WARC-Concurrent-To", record_id)
    writer.write_record(response)
    response_member = gzip_member(scratch.getbuffer(), level)
    scratch.seek(0)
    scratch.truncate()
    writer.write_record(request)
    return ExchangeRecords(response_member, gzip_member(scratch.getbuffer(), level), record_id, url)


class WarcPart:
    """An in-memory WARC.gz file: a warcinfo record, then request + response pairs (one gzip member each)."""

    def __init__(self, filename: str, software: str, compresslevel: int = WARC_GZIP_LEVEL) -> None:
        self.buffer = io.BytesIO()
        self.compresslevel = compresslevel
        self.records = 0
        scratch = io.BytesIO()
        writer = WARCWriter(scratch, gzip=False, warc_version="1.1")
        info = {
            "software": software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        }
        writer.write_record(writer.create_warcinfo_record(filename, info))
        self.buffer.write(gzip_member(scratch.getbuffer(), compresslevel))

    def add(self, raw: Mapping[str, Any], fallback_url: str) -> tuple[int, int, str]:
        """Write the exchange; return (offset, length, WARC-Record-ID) of the response record."""
        return self.append(exchange_records(raw, fallback_url, self.compresslevel))

    def append(self, records: ExchangeRecords) -> tuple[int, int, str]:
        """Append records built by :func:`exchange_records`; (offset, length, WARC-Record-ID) of the response."""
        offset = self.buffer.tell()
        self.buffer.write(records.response)
        self.buffer.write(records.request)
        self.records += 1
        return offset, len(records.response), records.record_id

    @property
    def nbytes(self) -> int:
        return self.buffer.tell()

    def getvalue(self) -> bytes:
        return self.buffer.getvalue()
