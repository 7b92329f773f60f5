"""Field helpers: dates, bylines and author names, title suffixes, boilerplate lines."""

from __future__ import annotations

import pytest

from crawler.extract.boilerplate import is_boilerplate_line
from crawler.extract.dates import iso, parse_date
from crawler.extract.people import names_from_jsonld, split_byline
from crawler.extract.titles import clean_title, site_keys


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-04-26T15:24:10+02:00", "2024-04-26T15:24:10+02:00"),
        ("2024-04-26T13:24:10Z", "2024-04-26T13:24:10+00:00"),
        ("2024-04-26T13:24:10.123000+00:00", "2024-04-26T13:24:10.123000+00:00"),
        ("2024-01-05 08:00", "2024-01-05T08:00:00+01:00"),
        ("2024-07-05", "2024-07-05T00:00:00+02:00"),
        ("Do 25.04.24 | 14:07 Uhr", "2024-04-25T14:07:00+02:00"),
        ("26.04.2024, 15:24 Uhr", "2024-04-26T15:24:00+02:00"),
        ("Stand: 3. März 2024", "2024-03-03T00:00:00+01:00"),
        ("Fri, 26 Apr 2024 13:24:10 GMT", "2024-04-26T13:24:10+00:00"),
        ("Updated 3:45 PM EST, Wed March 6, 2024", "2024-03-06T15:45:00-05:00"),
        ("Published July 6, 2024 at 10:30 p.m. ET", "2024-07-06T22:30:00-04:00"),
        ("Mar 6, 2024 5:00 pm PST", "2024-03-06T17:00:00-08:00"),
    ],
)
def test_parse_date(raw: str, expected: str) -> None:
    assert iso(parse_date(raw)) == expected


@pytest.mark.parametrize("raw", ["", "gestern", "kein Datum 12", "1800-01-01", None, 12345])
def test_parse_date_rejects(raw: object) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Von Anna Beispiel und Ben Muster", ["Anna Beispiel", "Ben Muster"]),
        ("Anna Beispiel, dpa", ["Anna Beispiel", "dpa"]),
        ("von Engin Haupt (MDR SACHSEN-ANHALT)", ["Engin Haupt", "MDR SACHSEN-ANHALT"]),
        ("Autor: Carla Test", ["Carla Test"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Von Dora Probe | 12.04.2024, 10:00", ["Dora Probe"]),
        ("https://example.com/autor/x", []),
    ],
)
def test_split_byline(byline: str, names: list[str]) -> None:
    assert split_byline(byline) == names


def test_names_from_jsonld_resolves_references_and_dedupes() -> None:
    graph = {"#a": {"@id": "#a", "@type": "Person", "name": "Anna Beispiel"}}
    value = [
        {"@id": "#a"},
        {"@type": "Person", "name": "Anna  Beispiel "},
        {"@type": "Organization", "name": "dpa"},
    ]
    assert names_from_jsonld(value, graph) == ["Anna Beispiel", "dpa"]
    assert names_from_jsonld(None) == []
    assert names_from_jsonld(42) == []


@pytest.mark.parametrize(
    ("url", "names", "raw", "title"),
    [
        ("https://www.mdr.de/nachrichten/x.html", [], "Hitze in Halle | MDR.DE", "Hitze in Halle"),
        ("https://www.waz.de/a", ["WAZ"], "Neue Brücke in Essen - WAZ", "Neue Brücke in Essen"),
        ("https://www.ndr.de/a", [], "Sturm an der Küste – NDR", "Sturm an der Küste"),
        ("https://www.boersen-zeitung.de/a", ["Börsen-Zeitung"], "Dax fällt | Börsen-Zeitung", "Dax fällt"),
        ("https://www.dw.com/de/a", ["DW"], "Wahl in Polen | DW | 28.04.2023", "Wahl in Polen"),
        ("https://taz.de/a", [], "Kenia: Nairobi von unten", "Kenia: Nairobi von unten"),
        ("https://www.example.de/a", ["Example"], "Streit - und was nun?", "Streit - und was nun?"),
        ("https://www.sott.net/a", [], "New court files -- Sott.net", "New court files"),
    ],
)
def test_clean_title(url: str, names: list[str], raw: str, title: str) -> None:
    assert clean_title(raw, site_keys(url, names)) == title


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch: Neue Brücke eröffnet",
        "Mehr zum Thema",
        "Foto: Max Muster",
        "Bild: dpa",
        "© dpa-infocom, dpa:240426-99-812345/3",
        "(dpa)",
        "dpa/lni",
        "Mehr News aus der Region",
        "Anzeige",
        "Stand: 22.04.2024, 06:00 Uhr",
        "STR/AFP via Getty Images",
        "Externer Inhalt nicht verfügbar",
        "Jetzt weiterlesen mit Abo",
        "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird. " + "Mehr dazu. " * 30,
        "Von Anna Beispiel, MDR SACHSEN-ANHALT",
        "Mit meiner Anmeldung zum Newsletter stimme ich der Werbevereinbarung zu.",
        "Write to Alejandro de la Garza at alejandro.delagarza@time.com",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Berlin (dpa) - Die Bundesregierung hat am Montag ein neues Gesetz beschlossen.",
        "Anzeige gegen Unbekannt: Die Polizei ermittelt wegen Sachbeschädigung.",
        "Mehr als 80 Prozent der Befragten stimmten zu.",
        "Fotografen aus der Region zeigen ihre Bilder im Rathaus.",
    ],
)
def test_article_lines_are_kept(line: str) -> None:
    assert not is_boilerplate_line(line)
