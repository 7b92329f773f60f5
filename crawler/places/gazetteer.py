"""Germany's municipalities and districts, from the official municipality directory (package data).

The data, ``data/gazetteer.tsv.gz``, is built by scripts/build_gazetteer.py from the Gemeindeverzeichnis of the
Statistisches Bundesamt (Destatis) under the Datenlizenz Deutschland – Namensnennung 2.0 (see data/NOTICE.md).
It is read once, on first use (about 11,000 municipalities and 400 districts).

- ``municipality("03103000")`` / ``district("03103")``: one entry by its official key (AGS, 8 or 5 digits);
- ``districts()``: every district (name, kind, Land, seat);
- ``lookup("Frankfurt")``: the municipalities a name can mean, official names before alternative forms, then
  by population;
- ``resolve_area("Wolfsburg" | "03103000" | "03103" | "Landkreis Gifhorn")``: the one area a user means, or a
  ``PlaceError`` that names the candidates.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from importlib import resources

#: the first two digits of an official key -> the Land's ISO 3166-2 code
LAND_CODES: dict[str, str] = {
    "01": "DE-SH", "02": "DE-HH", "03": "DE-NI", "04": "DE-HB", "05": "DE-NW", "06": "DE-HE", "07": "DE-RP",
    "08": "DE-BW", "09": "DE-BY", "10": "DE-SL", "11": "DE-BE", "12": "DE-BB", "13": "DE-MV", "14": "DE-SN",
    "15": "DE-ST", "16": "DE-TH",
}  # fmt: skip
DATA = "data/gazetteer.tsv.gz"
_KEY = re.compile(r"^\d{5}(?:\d{3})?$")
_DISTRICT_WORDS = re.compile(r"^(?:landkreis|kreis|lk|stadtkreis|kreisfreie stadt|stadt)\s+", re.IGNORECASE)


class PlaceError(ValueError):
    """A name or key that names no area, or more than one: the message says which and lists candidates."""


@dataclass(frozen=True, slots=True)
class Municipality:
    ags: str  # 8 digits
    name: str  # official name without its suffix ("Wolfsburg", "Halle (Saale)")
    population: int
    lat: float | None
    lon: float | None
    alternatives: tuple[str, ...]

    @property
    def district(self) -> str:
        return self.ags[:5]

    @property
    def land(self) -> str:
        return LAND_CODES[self.ags[:2]]


@dataclass(frozen=True, slots=True)
class District:
    key: str  # 5 digits
    name: str
    kind: str  # Landkreis, Kreis, kreisfreie Stadt, Stadtkreis, Regionalverband
    seat: str  # the AGS of the municipality that is its seat

    @property
    def land(self) -> str:
        return LAND_CODES[self.key[:2]]

    @property
    def is_city(self) -> bool:
        return self.kind in ("kreisfreie Stadt", "Stadtkreis")


@dataclass(frozen=True, slots=True)
class Area:
    """What a user or an article names: one municipality (8-digit key) or one district (5-digit key)."""

    key: str
    name: str
    district: str
    land: str

    @property
    def is_district(self) -> bool:
        return len(self.key) == 5


def norm(name: str) -> str:
    """The form names are compared in: case-folded, single spaces."""
    return " ".join(name.split()).casefold()


class Gazetteer:
    def __init__(self, text: str) -> None:
        self.municipalities: dict[str, Municipality] = {}
        self.districts: dict[str, District] = {}
        #: normalised official name -> municipalities; normalised alternative form -> municipalities
        self.by_name: dict[str, list[Municipality]] = {}
        self.by_alternative: dict[str, list[Municipality]] = {}
        self.district_by_name: dict[str, list[District]] = {}
        for line in text.splitlines():
            if line.startswith("M\t"):
                _, ags, name, population, lat, lon, alternatives = line.split("\t")
                m = Municipality(
                    ags, name, int(population), float(lat) if lat else None, float(lon) if lon else None,
                    tuple(alternatives.split("|")) if alternatives else (),
                )  # fmt: skip
                self.municipalities[ags] = m
                self.by_name.setdefault(norm(name), []).append(m)
                for form in m.alternatives:
                    self.by_alternative.setdefault(norm(form), []).append(m)
            elif line.startswith("D\t"):
                _, key, name, kind, seat = line.split("\t")
                d = District(key, name, kind, seat)
                self.districts[key] = d
                self.district_by_name.setdefault(norm(name), []).append(d)
        for table in (self.by_name, self.by_alternative):
            for found in table.values():
                found.sort(key=lambda m: -m.population)


@functools.cache
def gazetteer() -> Gazetteer:
    raw = resources.files("crawler.places").joinpath(DATA).read_bytes()
    return Gazetteer(gzip.decompress(raw).decode("utf-8"))


def municipality(ags: str) -> Municipality | None:
    return gazetteer().municipalities.get(ags)


def district(key5: str) -> District | None:
    return gazetteer().districts.get(key5)


def districts() -> list[District]:
    return sorted(gazetteer().districts.values(), key=lambda d: d.key)


def lookup(name: str) -> list[Municipality]:
    """The municipalities ``name`` can mean: those officially so named, then those of which it is a common
    form ("Frankfurt", "Halle"), each group largest first."""
    g = gazetteer()
    key = norm(name)
    exact = g.by_name.get(key, [])
    return [*exact, *(m for m in g.by_alternative.get(key, []) if m not in exact)]


def lookup_district(name: str) -> list[District]:
    """Districts named ``name``, with or without "Landkreis"/"Kreis" ("Landkreis Gifhorn", "Region Hannover")."""
    g = gazetteer()
    key = norm(name)
    found = g.district_by_name.get(key) or g.district_by_name.get(norm(_DISTRICT_WORDS.sub("", name)), [])
    if found and _DISTRICT_WORDS.match(name) and name.split()[0].casefold() in ("landkreis", "kreis", "lk"):
        return [d for d in found if not d.is_city] or found
    return list(found)


def area_of(m: Municipality | District) -> Area:
    if isinstance(m, Municipality):
        return Area(m.ags, m.name, m.district, m.land)
    return Area(m.key, m.name, m.key, m.land)


def resolve_area(text: str) -> Area:
    """The one area ``text`` names: an 8-digit municipality key, a 5-digit district key, a district
    ("Landkreis Gifhorn", "Region Hannover") or a municipality name ("Wolfsburg"; "Frankfurt" or "Halle":
    the largest by far of its namesakes). PlaceError if it names none, or several of like size ("Neustadt")."""
    text = text.strip()
    if _KEY.match(text):
        found: Municipality | District | None = municipality(text) if len(text) == 8 else district(text)
        if found is None:
            raise PlaceError(f"no municipality or district has the key {text}")
        return area_of(found)
    if _DISTRICT_WORDS.match(text) or text.casefold().startswith(("region ", "regionalverband ")):
        ds = lookup_district(text)
        if len(ds) == 1:
            return area_of(ds[0])
    g = gazetteer()
    pool = sorted(lookup(text), key=lambda m: -m.population)
    if pool and (len(pool) == 1 or pool[0].population >= 5 * pool[1].population):
        return area_of(pool[0])
    if not pool:
        ds = lookup_district(text)
        if len(ds) == 1:
            return area_of(ds[0])
        if not ds:
            raise PlaceError(f"no municipality or district is called {text!r}")
        raise PlaceError(f"{text!r} names several districts: " + ", ".join(f"{d.key} ({d.kind})" for d in ds))
    shown = ", ".join(f"{m.ags} ({m.name}, {g.districts[m.district].name})" for m in pool[:6])
    more = f" and {len(pool) - 6} more" if len(pool) > 6 else ""
    raise PlaceError(f"{text!r} names {len(pool)} municipalities; give a key: {shown}{more}")
