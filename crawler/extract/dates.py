"""Date parsing: ISO 8601, RFC 2822 and German date strings to tz-aware datetimes."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

BERLIN = ZoneInfo("Europe/Berlin")

_MONTHS = {
    "januar": "January",
    "jänner": "January",
    "februar": "February",
    "märz": "March",
    "maerz": "March",
    "april": "April",
    "mai": "May",
    "juni": "June",
    "juli": "July",
    "august": "August",
    "september": "September",
    "oktober": "October",
    "november": "November",
    "dezember": "December",
}
_MONTH_RE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b", re.IGNORECASE)
_NOISE = re.compile(
    r"\b(stand|aktualisiert|veröffentlicht|erschienen|zuletzt|updated|published|am|um|uhr|mez|mesz|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b:?",
    re.IGNORECASE,
)
_ZONES = {
    ("et", "est", "edt"): "America/New_York", ("ct", "cst", "cdt"): "America/Chicago",
    ("mt", "mst", "mdt"): "America/Denver", ("pt", "pst", "pdt"): "America/Los_Angeles",
    ("bst",): "Europe/London", ("cet", "cest"): "Europe/Berlin", ("gmt", "utc", "z"): "UTC",
}  # fmt: skip
# time-zone abbreviations of English pages ("3:45 PM EST"), each the zone it names, summer time included
_TZINFOS = {abbr.upper(): ZoneInfo(zone) for abbrs, zone in _ZONES.items() for abbr in abbrs}
_GERMAN_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{2,4})(?:\D+(\d{1,2})[:.](\d{2}))?")


def _sane(dt: datetime) -> datetime | None:
    if not 1990 <= dt.year <= 2100:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=BERLIN)
    offset = dt.utcoffset()
    if offset is None or abs(offset) > timedelta(hours=14):
        return None
    return dt


def parse_date(value: object) -> datetime | None:
    """Parse a date string; naive values are taken as Europe/Berlin. None when unparseable."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100 or not any(c.isdigit() for c in text):
        return None
    try:
        return _sane(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    german = _GERMAN_DATE.search(text)
    if german:
        day, month, year, hour, minute = german.groups()
        y = int(year) + (2000 if len(year) == 2 else 0)
        try:
            return _sane(datetime(y, int(month), int(day), int(hour or 0), int(minute or 0)))
        except ValueError:
            return None
    cleaned = _MONTH_RE.sub(lambda m: _MONTHS[m.group(1).lower()], text)
    cleaned = _NOISE.sub(" ", cleaned).replace(",", " ").replace("a.m.", "am").replace("p.m.", "pm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _sane(dateparser.parse(cleaned, dayfirst=True, tzinfos=_TZINFOS))
        except (ValueError, OverflowError, TypeError, dateparser.ParserError):
            return None


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with UTC offset."""
    return dt.isoformat() if dt is not None else None
