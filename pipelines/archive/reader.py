"""Read committed records of a v1 archive, in commit order, with a cursor and filters."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from warcio.archiveiterator import ArchiveIterator

from pipelines.archive.layout import MANIFESTS, check_cursor, commit_of, manifest_key, sanitise_site
from pipelines.storage import RangeStorage, Storage, StorageError, open_storage
from pipelines.storage.base import check_key

__all__ = ["ArchiveError", "ArchiveReader", "RecordFilter", "open_archive", "parse_bound", "published_at"]

#: zone of ``published`` values without an offset (the archive contract reads them as Berlin time)
ARCHIVE_TZ = ZoneInfo("Europe/Berlin")

Values = str | Iterable[str] | None
Bound = date | datetime | str | None
_DONE = 2**62  # revision mark of an id whose latest record has been yielded


class ArchiveError(StorageError):
    """The archive is inconsistent (a committed part is missing or does not match its manifest)."""


def _values(value: Values) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset([value] if isinstance(value, str) else value)


def parse_bound(value: Bound) -> date | datetime | None:
    """A published-range bound: a date (whole day) or a timezone-aware datetime; ISO strings are parsed.

    Raises ValueError for unparseable text and for datetimes without a UTC offset.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime {value.isoformat()!r} has no UTC offset (add e.g. +02:00 or Z)")
    return value


def published_at(record: Mapping[str, Any]) -> datetime | None:
    """The record's ``published`` as an aware datetime (its own offset), or None."""
    text = record.get("published")
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=ARCHIVE_TZ)


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which records to yield; ``None`` means "any". Dates are whole days (inclusive) of ``published``
    as written (the publisher's local date); datetimes are compared as instants. A published range
    excludes records without ``published``."""

    sites: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    clusters: frozenset[str] | None = None
    published_from: date | datetime | None = None
    published_to: date | datetime | None = None
    #: official keys: an 8-digit municipality or a 5-digit district (every place inside it)
    places: frozenset[str] | None = None
    lands: frozenset[str] | None = None  # ISO 3166-2 codes of the Länder of the record's places, e.g. DE-NI

    @classmethod
    def build(
        cls,
        site: Values = None,
        published_from: Bound = None,
        published_to: Bound = None,
        language: Values = None,
        cluster: Values = None,
        place: Values = None,
        land: Values = None,
    ) -> RecordFilter:
        sites = _values(site)
        places = _values(place)
        for key in places or ():
            if not (key.isdigit() and len(key) in (5, 8)):
                raise ValueError(f"place {key!r} is not a 5- or 8-digit official key")
        lands = _values(land)
        languages = _values(language)
        low, high = parse_bound(published_from), parse_bound(published_to)
        if low is not None and high is not None and not _after(high, low):
            raise ValueError(f"published_from {published_from} is after published_to {published_to}")
        return cls(
            sites=None if sites is None else frozenset(sanitise_site(s) for s in sites),
            languages=None if languages is None else frozenset(lang.lower() for lang in languages),
            clusters=_values(cluster),
            published_from=low,
            published_to=high,
            places=places,
            lands=None if lands is None else frozenset(land_code(code) for code in lands),
        )

    def wants_part(self, part: Mapping[str, Any]) -> bool:
        """Whether a manifest part entry can hold matching records (articles parts of a wanted site)."""
        if part.get("kind") != "articles":
            return False
        return self.sites is None or sanitise_site(part.get("site")) in self.sites

    def matches(self, record: Mapping[str, Any]) -> bool:
        if self.sites is not None and sanitise_site(record.get("site")) not in self.sites:
            return False
        if self.languages is not None:
            lang = str(record.get("language") or "").lower()
            if lang not in self.languages and lang.split("-")[0] not in self.languages:
                return False
        # a cluster's first copy was archived before the others (records are immutable): its id is the cluster
        if self.clusters is not None and (record.get("cluster") or record.get("id")) not in self.clusters:
            return False
        if (self.places is not None or self.lands is not None) and not self._in_places(record):
            return False
        if self.published_from is not None or self.published_to is not None:
            published = published_at(record)
            if published is None:
                return False
            if self.published_from is not None and not _after(published, self.published_from):
                return False
            if self.published_to is not None and not _after(self.published_to, published):
                return False
        return True


    def _in_places(self, record: Mapping[str, Any]) -> bool:
        """Whether one of the record's places is wanted (a record of minor version 0 has none)."""
        for place in record.get("places") or ():
            if not isinstance(place, Mapping):
                continue
            if self.places is not None and not ({place.get("ags"), place.get("district")} & self.places):
                continue
            if self.lands is not None and place.get("land") not in self.lands:
                continue
            return True
        return False


def land_code(text: str) -> str:
    """``NI``, ``ni`` or ``DE-NI`` -> ``DE-NI`` (ValueError for anything else)."""
    code = text.strip().upper()
    code = code if code.startswith("DE-") else "DE-" + code
    if len(code) != 5 or not code[3:].isalpha():
        raise ValueError(f"{text!r} is not a Land code such as NI or DE-NI")
    return code


def _after(a: date | datetime, b: date | datetime) -> bool:
    """a >= b, where a date stands for its whole day and ``published`` keeps its own local date."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a >= b
    day_a = a.date() if isinstance(a, datetime) else a
    day_b = b.date() if isinstance(b, datetime) else b
    return day_a >= day_b


class ArchiveReader:
    """Reads only parts listed in committed manifests; ``cursor`` is the last commit fully read.

    The list of commits is taken once when iteration starts, so commits that appear while a reader
    iterates are left for the next call (``after=reader.cursor``).
    """

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.cursor: str | None = None

    def manifests(self, after: str | None = None) -> list[str]:
        """Commit names after ``after`` (exclusive), in commit order; ValueError when ``after`` is no cursor."""
        if after is not None:
            check_cursor(after)
        names = [name for key in self.storage.list(f"{MANIFESTS}/") if (name := commit_of(key)) is not None]
        return sorted(name for name in names if after is None or name > after)

    def manifest(self, commit: str) -> dict[str, Any]:
        try:
            data = json.loads(self.storage.get(manifest_key(commit)))
        except ValueError as exc:
            raise ArchiveError(f"manifest {commit} is not valid JSON: {exc}") from exc
        parts = data.get("parts", []) if isinstance(data, dict) else None
        if not isinstance(parts, list) or not all(isinstance(p, dict) and "key" in p for p in parts):
            raise ArchiveError(f"manifest {commit} is malformed: its parts are not a list of objects with a key")
        for part in parts:
            try:
                check_key(str(part["key"]))
            except ValueError as exc:
                raise ArchiveError(f"manifest {commit} lists an unsafe key, not read: {exc}") from exc
        result: dict[str, Any] = data
        return result

    def commits(self, after: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(commit name, manifest) of the commits after ``after``, in commit order."""
        for commit in self.manifests(after):
            yield commit, self.manifest(commit)

    def records(
        self,
        site: Values = None,
        after: str | None = None,
        *,
        published_from: Bound = None,
        published_to: Bound = None,
        language: Values = None,
        cluster: Values = None,
        place: Values = None,
        land: Values = None,
        latest: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Committed records after ``after`` that match the filters, in commit order.

        ``site``, ``language``, ``cluster``, ``place`` and ``land`` take one value or several; ``place`` is an
        official key (8 digits: a municipality; 5 digits: a district and all its municipalities) matched against
        the record's ``places``, ``land`` a Land code ("NI" or "DE-NI") matched against their Länder. With ``latest`` only the
        highest revision of each ``id`` (among the commits read) is yielded, at its place in commit
        order; this reads the parts twice and holds a dict id -> revision. ``cursor`` is updated per commit.
        """
        selection = RecordFilter.build(site, published_from, published_to, language, cluster, place, land)
        return self.select(selection, after=after, latest=latest)

    def select(
        self, selection: RecordFilter, after: str | None = None, *, latest: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Like ``records`` with a prepared RecordFilter."""
        self.cursor = after
        commits = self.manifests(after)
        newest: dict[str, int] | None = self._newest(commits, selection) if latest else None
        for commit in commits:
            for part in self.manifest(commit).get("parts", []):
                if not selection.wants_part(part):
                    continue
                for record in self.part_records(part):
                    if newest is not None:
                        record_id = str(record.get("id"))
                        if _revision(record) < newest.get(record_id, 0):
                            continue  # a later revision exists, or this id was yielded already
                        newest[record_id] = _DONE
                    if selection.matches(record):
                        yield record
            self.cursor = commit

    def _newest(self, commits: list[str], selection: RecordFilter) -> dict[str, int]:
        """id -> highest revision over the records of ``commits`` in the wanted sites (first pass)."""
        newest: dict[str, int] = {}
        for commit in commits:
            for part in self.manifest(commit).get("parts", []):
                if selection.wants_part(part):
                    for record in self.part_records(part):
                        record_id = str(record.get("id"))
                        revision = _revision(record)
                        if revision >= newest.get(record_id, 0):
                            newest[record_id] = revision
        return newest

    def part_records(self, part: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The records of one manifest part entry, checked against its sha256."""
        key = str(part["key"])
        try:
            data = self.storage.get(check_key(key))
        except ValueError as exc:
            raise ArchiveError(f"unsafe part key, not read: {exc}") from exc
        except FileNotFoundError as exc:
            raise ArchiveError(f"committed part {key!r} is missing from {self.storage.uri}") from exc
        if hashlib.sha256(data).hexdigest() != part.get("sha256"):
            raise ArchiveError(f"committed part {key!r} does not match the sha256 of its manifest")
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)

    def read_raw(self, record: Mapping[str, Any]) -> bytes:
        """The gzipped WARC response record of ``record`` (a complete one-record WARC.gz file)."""
        raw = record.get("raw")
        if not raw:
            raise KeyError(f"record {record.get('id')!r} has no raw response")
        key, offset, length = str(raw["warc"]), int(raw["offset"]), int(raw["length"])
        try:
            check_key(key)
        except ValueError as exc:
            raise ArchiveError(f"record {record.get('id')!r}: unsafe WARC key, not read: {exc}") from exc
        if isinstance(self.storage, RangeStorage):
            return self.storage.get_range(key, offset, length)
        return self.storage.get(key)[offset : offset + length]

    def read_payload(self, record: Mapping[str, Any]) -> bytes:
        """The HTTP response body of ``record`` as fetched (decoded transfer encoding)."""
        for warc_record in ArchiveIterator(io.BytesIO(self.read_raw(record))):
            if warc_record.rec_type == "response":
                payload: bytes = warc_record.content_stream().read()
                return payload
        raise ArchiveError(f"no WARC response record at {record.get('raw')!r}")


def _revision(record: Mapping[str, Any]) -> int:
    try:
        return int(record.get("revision") or 1)
    except (TypeError, ValueError):
        return 1


def open_archive(uri: str, settings: Mapping[str, Any] | None = None) -> ArchiveReader:
    """A reader of the archive at ``uri`` (raises StorageError if it cannot be opened)."""
    return ArchiveReader(open_storage(uri, settings, writable=False))
