"""(Re)build the gazetteer, crawler/places/data/gazetteer.tsv.gz, from the official municipality directory.

Source: the Gemeindeverzeichnis of the Statistisches Bundesamt (Destatis), © Statistisches Bundesamt (Destatis),
2021, Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0). Two public files of it are read:

- ``GV100AD_301121.ASC``: the directory in Destatis' fixed-width GV100AD format, territorial status 30.11.2021,
  population on 31.12.2020 (Länder, districts with their seats, municipalities with population);
- ``AuszugGV4QAktuell.csv``: the GV-ISys "Auszug" of the same directory (territorial status 31.12.2020) as CSV,
  for the coordinates of each municipality (joined by key; a municipality formed since then has none).

Both are public copies on GitHub: Mechtecs/gv100ad-extract (GV100AD_301121.ASC) and grundeinkommensbuero/backend
(utils/analyseData/recentMunicipalityData/data/AuszugGV4QAktuell.csv). Each is checked against its SHA-256
before anything is read; the raw files are never committed.

Output (UTF-8 TSV, gzipped, deterministic): a comment header with source and licence, then
``D  key5  name  kind  seat_ags`` per district and ``M  ags  name  population  lat  lon  alternatives`` per
municipality (alternatives separated by ``|``). Names lose their official suffixes ("Wolfsburg, Stadt" ->
"Wolfsburg"); alternatives are the forms articles use ("Frankfurt" for "Frankfurt am Main", "Halle" for
"Halle (Saale)", "Mühldorf am Inn" for "Mühldorf a.Inn").

Usage: python scripts/build_gazetteer.py --gv100ad GV100AD_301121.ASC --auszug AuszugGV4QAktuell.csv
       [--out crawler/places/data/gazetteer.tsv.gz] [--districts-tsv PATH]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "crawler" / "places" / "data" / "gazetteer.tsv.gz"
GV100AD_SHA256 = "275646bd2a2f4df03953211f60678b8d5958388e13eeb63648939f1031b2e36c"
AUSZUG_SHA256 = "34aa727cfd2f7f042852476c1fe0865623c23b8f2a6108976b3e1692d8d0ca30"

#: GV100AD Textkennzeichen of a district record (Satzart 40) -> its kind
DISTRICT_KINDS = {
    "41": "kreisfreie Stadt",
    "42": "Stadtkreis",
    "43": "Kreis",
    "44": "Landkreis",
    "45": "Regionalverband",
}
#: Textkennzeichen of unincorporated areas (gemeindefreie Gebiete, inhabited or not): not municipalities
UNINCORPORATED = {"65", "66"}

HEADER = (
    "# newsarchive gazetteer: Germany's municipalities and districts\n"
    "# Source: Gemeindeverzeichnis (GV100AD, territorial status 30.11.2021, population 31.12.2020; coordinates\n"
    "# from the GV-ISys Auszug, status 31.12.2020), (c) Statistisches Bundesamt (Destatis), 2021,\n"
    "# Datenlizenz Deutschland - Namensnennung - Version 2.0 (https://www.govdata.de/dl-de/by-2-0).\n"
    "# Names shortened and alternative forms added by scripts/build_gazetteer.py.\n"
    "# D key5 name kind seat_ags | M ags name population lat lon alternatives\n"
)

# Bavarian and Hessian abbreviations in official names -> the words articles write
_ABBREVIATIONS = (
    (re.compile(r"\ba\.\s?d\.\s?"), "an der "),
    (re.compile(r"\bi\.\s?d\.\s?"), "in der "),
    (re.compile(r"\bv\.\s?d\.\s?"), "vor der "),
    (re.compile(r"\bo\.\s?d\.\s?"), "ob der "),
    (re.compile(r"\ba\.\s?"), "am "),
    (re.compile(r"\bi\.\s?"), "im "),
    (re.compile(r"\bb\.\s?"), "bei "),
    (re.compile(r"\bSt\.\s?"), "Sankt "),
)
# where the short form of a name ends: "Frankfurt am Main" -> "Frankfurt", "Halle (Saale)" -> "Halle"
_SHORT_AT = re.compile(
    r"/|\s(?:\(|am\s|an\sder\s|an\sden\s|in\sder\s|im\s|in\s|bei\s|ob\sder\s|vor\sder\s|a\.|i\.|b\.|v\.d\.|o\.d\.)"
)


# the Sorbian half of a name written "German/Sorbian" without spaces
_SORBIAN_PART = re.compile(r"/([^/]*[łćčěńřšźžŕóśŁĆČŠŽŚ][^/]*)$")


@dataclass
class Municipality:
    ags: str
    name: str
    population: int
    alternatives: list[str] = field(default_factory=list)
    lat: str = ""
    lon: str = ""


@dataclass
class District:
    key: str
    name: str
    kind: str
    seat_name: str
    seat_ags: str = ""


def check_sha256(path: Path, expected: str, what: str) -> bytes:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise SystemExit(f"{path} has SHA-256 {digest}, expected {expected} ({what})")
    return data


def clean_name(official: str) -> str:
    """Official name -> short name: "Wolfsburg, Stadt" -> "Wolfsburg"; "Eisleben, Lutherstadt" -> "Eisleben"; a bilingual name keeps its
    German part ("Lübben (Spreewald) / Lubin (Błota), Stadt" -> "Lübben (Spreewald)")."""
    name = official.split(", ", 1)[0].split(" / ", 1)[0].strip()
    name = _SORBIAN_PART.sub("", name)  # "Forst (Lausitz)/Baršć (Łužyca)" -> "Forst (Lausitz)"
    return re.sub(r"(\S)\(", r"\1 (", name)  # "Forst(Lausitz)", as one seat is spelt


def official_forms(official: str) -> list[str]:
    """Forms of the official name beyond the short one: the Sorbian or Frisian part of a bilingual name,
    "Lutherstadt Wittenberg" / "Hansestadt Lübeck" for a name with that title."""
    base, _, suffix = official.partition(", ")
    forms = [part.strip() for part in base.split(" / ")[1:]]
    forms += [m.group(1) for m in _SORBIAN_PART.finditer(base.split(" / ")[0])]
    if suffix in ("Lutherstadt", "Hansestadt"):
        forms.append(f"{suffix} {clean_name(official)}")
    return forms


def alternatives(name: str) -> list[str]:
    """Other forms of a municipality's name that articles use, without the name itself."""
    forms: list[str] = []
    expanded = name
    for pattern, words in _ABBREVIATIONS:
        expanded = pattern.sub(words, expanded)
    expanded = re.sub(r"\s+", " ", expanded).strip()
    forms.append(expanded)
    for form in (name, expanded):
        cut = _SHORT_AT.search(form)
        if cut and cut.start() > 0:
            short = form[: cut.start()].strip()
            if len(short) >= 3 and short not in ("Bad", "Sankt"):
                forms.append(short)
        if form.startswith("Sankt "):
            forms.append("St. " + form[6:])
        if "(" in form:  # "Halle (Saale)" -> "Halle/Saale", "Halle an der Saale"? only the slash form
            forms.append(re.sub(r"\s*\((.+?)\)", r"/\1", form))
    out: list[str] = []
    for form in forms:
        if form != name and form not in out and "|" not in form and "\t" not in form:
            out.append(form)
    return out


def read_gv100ad(text: str) -> tuple[dict[str, District], dict[str, Municipality]]:
    districts: dict[str, District] = {}
    municipalities: dict[str, Municipality] = {}
    for line in text.splitlines():
        kind = line[:2]
        if kind == "40":
            key = line[10:15]
            label = DISTRICT_KINDS.get(line[122:124])
            if label is None:
                raise SystemExit(f"district {key}: unknown Textkennzeichen {line[122:124]!r}")
            districts[key] = District(key, clean_name(line[22:72]), label, clean_name(line[72:122]))
        elif kind == "60" and line[122:124] not in UNINCORPORATED:
            ags = line[10:18]
            official = line[22:72].strip()
            name = clean_name(official)
            forms = [*alternatives(name), *official_forms(official)]
            municipalities[ags] = Municipality(ags, name, int(line[139:150]), list(dict.fromkeys(forms)))
    return districts, municipalities


def add_coordinates(municipalities: dict[str, Municipality], auszug: str) -> int:
    found = 0
    for row in csv.DictReader(io.StringIO(auszug.lstrip("\ufeff"))):
        if row["satzart"] != "60":
            continue
        ags = row["land"] + row["rb"] + row["kreis"] + row["gemeinde"]
        m = municipalities.get(ags)
        if m is None or not row["laengengrad"]:
            continue
        m.lon = f"{float(row['laengengrad'].replace(',', '.')):.4f}"
        m.lat = f"{float(row['breitengrad'].replace(',', '.')):.4f}"
        found += 1
    return found


def find_seats(districts: dict[str, District], municipalities: dict[str, Municipality]) -> None:
    """Each district's seat as a municipality key: by name in the district, else in its Land (a Landkreis
    seated in the kreisfreie Stadt it surrounds, e.g. Landkreis Kassel in Kassel)."""
    missing: list[str] = []
    for d in districts.values():
        if d.kind in ("kreisfreie Stadt", "Stadtkreis") or d.key in ("02000", "11000"):
            inside = [m for m in municipalities.values() if m.ags.startswith(d.key)]
            d.seat_ags = max(inside, key=lambda m: m.population).ags
            continue
        wanted = {d.seat_name, *alternatives(d.seat_name)}
        for scope in (d.key, d.key[:2]):
            hits = [
                m
                for m in municipalities.values()
                if m.ags.startswith(scope) and wanted & {m.name, *m.alternatives}
            ]
            if hits:
                d.seat_ags = max(hits, key=lambda m: m.population).ags
                break
        if not d.seat_ags:
            missing.append(f"{d.key} {d.name}: seat {d.seat_name!r}")
    if missing:
        raise SystemExit("seats not found: " + "; ".join(missing))


def render(districts: dict[str, District], municipalities: dict[str, Municipality]) -> bytes:
    lines = [HEADER]
    for d in sorted(districts.values(), key=lambda d: d.key):
        lines.append(f"D\t{d.key}\t{d.name}\t{d.kind}\t{d.seat_ags}\n")
    for m in sorted(municipalities.values(), key=lambda m: m.ags):
        lines.append(f"M\t{m.ags}\t{m.name}\t{m.population}\t{m.lat}\t{m.lon}\t{'|'.join(m.alternatives)}\n")
    return gzip.compress("".join(lines).encode("utf-8"), compresslevel=9, mtime=0)


LAND_CODES = {
    "01": "DE-SH", "02": "DE-HH", "03": "DE-NI", "04": "DE-HB", "05": "DE-NW", "06": "DE-HE", "07": "DE-RP",
    "08": "DE-BW", "09": "DE-BY", "10": "DE-SL", "11": "DE-BE", "12": "DE-BB", "13": "DE-MV", "14": "DE-SN",
    "15": "DE-ST", "16": "DE-TH",
}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gv100ad", type=Path, required=True, help="GV100AD_301121.ASC (SHA-256 checked)")
    parser.add_argument("--auszug", type=Path, required=True, help="AuszugGV4QAktuell.csv (SHA-256 checked)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--districts-tsv", type=Path, help="also write key5, name, kind, land, seat as TSV")
    args = parser.parse_args(argv)
    gv = check_sha256(args.gv100ad, GV100AD_SHA256, "GV100AD 30.11.2021").decode("utf-8")
    auszug = check_sha256(args.auszug, AUSZUG_SHA256, "GV-ISys Auszug 31.12.2020").decode("utf-8")
    districts, municipalities = read_gv100ad(gv)
    located = add_coordinates(municipalities, auszug)
    find_seats(districts, municipalities)
    data = render(districts, municipalities)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    if args.districts_tsv:
        with args.districts_tsv.open("w", encoding="utf-8") as out:
            out.write("key5\tname\tkind\tland\tseat\n")
            for d in sorted(districts.values(), key=lambda d: d.key):
                seat = municipalities[d.seat_ags].name
                out.write(f"{d.key}\t{d.name}\t{d.kind}\t{LAND_CODES[d.key[:2]]}\t{seat}\n")
    print(
        f"{args.out}: {len(districts)} districts, {len(municipalities)} municipalities "
        f"({located} with coordinates), {len(data)} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
