"""The gazetteer: official keys, cleaned names, alternative forms, districts and their seats."""

from __future__ import annotations

import pytest

from crawler.places import gazetteer as gz


def test_municipality_by_key_has_clean_name_district_land_and_coordinates() -> None:
    m = gz.municipality("03103000")
    assert m is not None
    assert (m.name, m.district, m.land) == ("Wolfsburg", "03103", "DE-NI")
    assert m.population > 100_000
    assert m.lat is not None and 52 < m.lat < 53 and m.lon is not None and 10 < m.lon < 11


def test_every_district_has_a_seat_in_its_land_and_municipalities() -> None:
    districts = gz.districts()
    assert 395 <= len(districts) <= 405
    kinds = {d.kind for d in districts}
    assert kinds == {"Landkreis", "Kreis", "kreisfreie Stadt", "Stadtkreis", "Regionalverband"}
    members = {m.district for m in gz.gazetteer().municipalities.values()}
    for d in districts:
        seat = gz.municipality(d.seat)
        assert seat is not None, d
        assert seat.land == d.land
        assert d.key in members
    gifhorn = gz.district("03151")
    assert gifhorn is not None and (gifhorn.name, gifhorn.kind) == ("Gifhorn", "Landkreis")
    harburg = gz.district("03353")
    assert harburg is not None and gz.municipality(harburg.seat).name == "Winsen (Luhe)"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "ags"),
    [
        ("Frankfurt am Main", "06412000"),
        ("Frankfurt", "06412000"),
        ("Halle (Saale)", "15002000"),
        ("Halle", "15002000"),
        ("Mülheim an der Ruhr", "05117000"),
        ("Mülheim", "05117000"),
        ("Mühldorf am Inn", "09183128"),
        ("wolfsburg", "03103000"),
    ],
)
def test_lookup_knows_common_forms(name: str, ags: str) -> None:
    assert ags in [m.ags for m in gz.lookup(name)]


def test_lookup_lists_namesakes_largest_first() -> None:
    found = gz.lookup("Neustadt")
    assert len(found) >= 2
    assert [m.population for m in found] == sorted((m.population for m in found), reverse=True)
    frankfurts = {m.ags for m in gz.lookup("Frankfurt")}
    assert {"06412000", "12053000"} <= frankfurts


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Wolfsburg", "03103000"),
        ("03103000", "03103000"),
        ("03103", "03103"),
        ("Landkreis Gifhorn", "03151"),
        ("Kreis Gifhorn", "03151"),
        ("Region Hannover", "03241"),
        ("Gifhorn", "03151009"),
        ("Frankfurt", "06412000"),
        ("Halle", "15002000"),
    ],
)
def test_resolve_area(text: str, key: str) -> None:
    assert gz.resolve_area(text).key == key


@pytest.mark.parametrize("text", ["Neustadt", "Altdorf", "Atlantis", "99999", "03103999"])
def test_resolve_area_refuses_what_is_ambiguous_or_unknown(text: str) -> None:
    with pytest.raises(gz.PlaceError):
        gz.resolve_area(text)
