"""Places per article: dateline, URL, section, structured data and text mentions; homonyms, common words,
foreign datelines; the record fields and their schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract import extract
from crawler.places.coverage import site_coverage
from crawler.places.tagger import find_places, slug

SCHEMA = json.loads((Path(__file__).parent.parent / "pipelines" / "archive" / "schema.json").read_text())


def main(title: str, body: str, url: str = "https://news.example/a/1.html", **kw: object) -> str | None:
    _, place = find_places(title, None, body, url, **kw)  # type: ignore[arg-type]
    return place["ags"] if place else None


def test_dateline_names_the_place_and_counts_text_mentions_after_it() -> None:
    places, place = find_places(
        "Bitkom tagte im Phaeno", None, "Wolfsburg. Experten trafen sich in der Stadt Wolfsburg.", ""
    )
    assert place is not None
    assert place == {"ags": "03103000", "name": "Wolfsburg", "district": "03103", "land": "DE-NI",
                     "source": "dateline", "mentions": 1}  # fmt: skip
    assert places == [place]


@pytest.mark.parametrize(
    ("body", "ags"),
    [
        ("Wolfsburg (dpa) – Der Rat hat entschieden.", "03103000"),
        ("ELMSHORN – Der Rat hat entschieden.", "01056015"),
        ("Halle (Saale). Der Stadtrat tagte.", "15002000"),
        ("Frankfurt/Main (dpa/lhe) - Die Börse schloss fester.", "06412000"),
    ],
)
def test_dateline_forms(body: str, ags: str) -> None:
    assert main("Meldung", body) == ags


@pytest.mark.parametrize("body", ["Riad. Saudi-Arabien meldet ...", "Washington (dpa) – Der Präsident ...",
                                  "Rom. Der Papst hat in Berlin und Wolfsburg ..."])  # fmt: skip
def test_a_dateline_abroad_gives_no_place(body: str) -> None:
    assert main("Nachrichten aus aller Welt", body) is None


def test_berlin_dateline_before_national_politics_is_not_berlin() -> None:
    body = "Berlin. Die Bundesregierung hat sich auf den Haushalt geeinigt. Der Kanzler sprach im Bundestag."
    assert main("Einigung im Haushaltsstreit", body) is None
    local = "Berlin. In Berlin-Neukölln sperrt die Polizei die Sonnenallee. Berlins Innensenatorin sagte ..."
    assert main("Sperrung in Neukölln", local) == "11000000"


@pytest.mark.parametrize(
    "body",
    [
        "Das Essen in der Kantine war gut, weil es frisch war.",
        "Weil es regnete, blieb der Hof leer. Ein Brand im Wald wurde gelöscht.",
        "Der Regen hörte auf; am Berg lag Schnee. Bad und Küche wurden renoviert.",
        "Claudia Roth und Karl Lauterbach sprachen über Kultur und Gesundheit.",
    ],
)
def test_common_words_are_no_places(body: str) -> None:
    places, place = find_places("Alltag", None, body, "https://news.example/panorama/1.html")
    assert place is None and places == []


def test_common_word_names_are_places_with_context() -> None:
    assert main("Unfall in Essen", "Auf der A40 krachte es am Morgen.") == "05113000"
    assert main("Rat tagt", "Der Rat der Stadt Hof hat beschlossen. In Hof gibt es Streit.") == "09464000"
    assert main("Unfall", "Auf der A40 in Essen krachte es am Morgen.") is None  # one plain mention: too weak


def test_namesakes_follow_the_sites_area_then_the_named_district_then_size() -> None:
    body = "Neustadt. Der Rat der Stadt Neustadt hat beschlossen, das Freibad zu sanieren."
    assert main("Freibad", body) is None  # sixteen Neustadts, none much larger
    assert main("Freibad", body, coverage=["DE-RP"]) == "07316000"
    assert main("Freibad", body, coverage=["03241"]) == "03241012"  # Region Hannover: Neustadt am Rübenberge
    named = "Neustadt. Im Landkreis Coburg hat der Rat der Stadt Neustadt beschlossen ..."
    assert main("Freibad", named) == "09473151"
    assert main("Frankfurt", "Frankfurt (dpa) – Die Börse ...") == "06412000"  # by far the largest


def test_url_section_and_structured_data() -> None:
    assert (
        main("Rat tagt", "Der Rat hat entschieden.", "https://x.example/staedte/duisburg/rat-123.html")
        == "05112000"
    )
    assert (
        main("Rat tagt", "Der Rat hat entschieden.", "https://x.example/region/gifhorn/rat-123.html")
        == "03151009"
    )
    # a common word in the URL needs a place segment before it
    assert main("Rezepte", "Nudeln kochen.", "https://x.example/ratgeber/essen/nudeln-1.html") is None
    assert main("Rat", "Der Rat.", "https://x.example/staedte/essen/rat-1.html") == "05113000"
    _, place = find_places("Rat", None, "Der Rat.", "", section="Lokales Gifhorn / Wolfsburg")
    assert place is not None and place["source"] == "section"
    _, place = find_places("Rat", None, "Der Rat.", "", hints={"structured": ["Goslar"], "breadcrumb": []})
    assert place is not None and (place["ags"], place["source"]) == ("03153017", "structured")


def test_district_only_place_has_a_five_digit_key() -> None:
    _, place = find_places("Kreistag im Landkreis Gifhorn", None, "Der Kreistag hat beschlossen ...", "")
    assert place is not None and (place["ags"], place["name"], place["district"]) == (
        "03151",
        "Gifhorn",
        "03151",
    )


def test_site_coverage_from_districts_land_or_region() -> None:
    class WithDistricts:
        districts = ["03103", "03151"]

    class WithRegion:
        region = "Niedersachsen: Braunschweig"

    class Nothing:
        pass

    assert site_coverage(WithDistricts) == ("03103", "03151")
    assert site_coverage(WithRegion) == ("DE-NI",)
    assert site_coverage(Nothing) == ()

    class Broadcaster:
        region = "Norddeutschland: Niedersachsen, Hamburg, Schleswig-Holstein, Mecklenburg-Vorpommern"

    assert site_coverage(Broadcaster) == ("DE-NI", "DE-HH", "DE-SH", "DE-MV")


def test_slug() -> None:
    assert slug("Mülheim an der Ruhr") == "muelheim-an-der-ruhr"
    assert slug("Halle (Saale)") == "halle-saale"


def test_extract_sets_places_and_validates_against_the_schema() -> None:
    page = (
        "<html><head><title>Rat beschließt Haushalt</title></head><body><article><h1>Rat beschließt Haushalt</h1>"
        "<p>Gifhorn. Der Rat der Stadt Gifhorn hat am Abend den Haushalt beschlossen. Die Stadt will sparen.</p>"
        "</article></body></html>"
    )
    fields = extract(page, "https://x.example/lokales/gifhorn/rat-1.html")
    assert "place_hints" not in fields
    assert fields["place"]["ags"] == "03151009"
    record = {
        "id": "0123456789abcdef", "url": "https://x.example/a", "canonical_url": "https://x.example/a",
        "site": "x", "publisher": None, "region": None, "language": None, "title": None, "lead": None,
        "body": "", "authors": [], "published": None, "modified": None, "section": None, "keywords": [],
        "image": None, "paywalled": False, "crawled_at": "2026-01-01T00:00:00+00:00", "revision": 1,
        "previous_hash": None, "content_hash": "sha256:" + "0" * 64, "aliases": [], "cluster": None,
        "near_duplicate_of": None, "raw": None, "extractor": None, "schema_version": 1,
    }  # fmt: skip
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert not list(validator.iter_errors(record))  # a record of minor version 0 stays valid
    new = {**record, "schema_minor": 1, "places": fields["places"], "place": fields["place"]}
    assert not list(validator.iter_errors(new))
    assert not list(validator.iter_errors({**new, "place": None, "places": []}))
    bad = {**new, "place": {**fields["place"], "ags": "3103"}}
    assert list(validator.iter_errors(bad))
    assert {"places", "place", "schema_minor"}.isdisjoint(SCHEMA["required"])


def test_labelled_set_scores_and_knows_its_errors(tmp_path: Path) -> None:
    from crawler.places.evaluate import score

    repo = Path(__file__).parent.parent
    fixtures = repo / "tests" / "fixtures" / "places"
    result = score(fixtures, repo, corpus=None)  # the written cases and the pages shipped here
    assert result["articles"] >= 50 and result["pages_skipped"] >= 1
    assert result["precision"] >= 0.9 and result["recall"] >= 0.9, result["errors"]
    assert result["common_word_false_places"] == 0, result["errors"]
    # the scorer itself: a wrong label is counted as an error
    (tmp_path / "sentences.jsonl").write_text(
        json.dumps({"id": "x", "title": "Rat", "body": "Wolfsburg. Der Rat tagt in Wolfsburg.", "url": "",
                    "place": "03151009", "not": ["Wolfsburg"]}) + "\n", encoding="utf-8",
    )  # fmt: skip
    (tmp_path / "pages.jsonl").write_text("", encoding="utf-8")
    bad = score(tmp_path, repo)
    assert (bad["precision"], bad["recall"], bad["common_word_false_places"]) == (0.0, 0.0, 1)


def test_record_filter_by_place_and_land() -> None:
    from pipelines.archive.reader import RecordFilter

    wolfsburg = {"ags": "03103000", "name": "Wolfsburg", "district": "03103", "land": "DE-NI",
                 "source": "dateline", "mentions": 1}  # fmt: skip
    gifhorn_district = {**wolfsburg, "ags": "03151", "name": "Gifhorn", "district": "03151"}
    record = {"site": "x", "places": [wolfsburg]}
    old = {"site": "x"}  # minor version 0: no places
    assert RecordFilter.build(place="03103000").matches(record)
    assert RecordFilter.build(place="03103").matches(record)
    assert not RecordFilter.build(place="03151").matches(record)
    assert RecordFilter.build(place="03151").matches({"places": [gifhorn_district]})
    assert RecordFilter.build(land="ni").matches(record) and RecordFilter.build(land="DE-NI").matches(record)
    assert not RecordFilter.build(land="HH").matches(record)
    assert not RecordFilter.build(place="03103000").matches(old)
    assert RecordFilter.build().matches(old)
    with pytest.raises(ValueError):
        RecordFilter.build(place="Wolfsburg")
    with pytest.raises(ValueError):
        RecordFilter.build(land="Niedersachsen!")


def test_cli_resolves_place_names_and_refuses_ambiguous_ones() -> None:
    import argparse

    from crawler.commands.read import record_filter
    from crawler.runner import UsageError

    def args(**kw: object) -> argparse.Namespace:
        base = {"site": None, "published_from": None, "published_to": None, "language": None, "cluster": None}
        return argparse.Namespace(**{**base, **kw})

    selection = record_filter(args(place=["Wolfsburg", "Landkreis Gifhorn"], land=["Niedersachsen"]))
    assert selection.places == frozenset({"03103000", "03151"}) and selection.lands == frozenset({"DE-NI"})
    with pytest.raises(UsageError, match="Neustadt"):
        record_filter(args(place=["Neustadt"], land=None))
    with pytest.raises(UsageError, match="--land"):
        record_filter(args(place=None, land=["Atlantis"]))


def test_hints_from_json_ld_and_breadcrumb_markup() -> None:
    from crawler.places.hints import place_hints

    article = {
        "contentLocation": {"@type": "Place", "address": {"addressLocality": "Goslar"}},
        "locationCreated": "Celle",
    }
    crumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [{"item": {"name": "Lokales"}}, {"name": "Gifhorn"}],
    }
    assert place_hints(article, [crumbs]) == {
        "structured": ["Goslar", "Celle"],
        "breadcrumb": ["Lokales", "Gifhorn"],
    }
    page = (
        '<div class="page"><nav class="c-breadcrumb"><a href="/"><span>Startseite</span></a> › '
        '<a href="/region">Region</a> › <a href="/region/lueneburg">L&uuml;neburg</a></nav></div>'
    )
    assert place_hints(None, [], page.encode())["breadcrumb"] == ["Startseite", "Region", "Lüneburg"]
    assert place_hints(None, [], b"<p>no trail</p>") == {"structured": [], "breadcrumb": []}
    fields = extract(f"<html><body>{page}<article><h1>Museum</h1><p>Das Museum öffnet.</p></article></body></html>",
                     "https://x.example/a/1.html")  # fmt: skip
    assert fields["place"] is not None and (fields["place"]["name"], fields["place"]["source"]) == (
        "Lüneburg",
        "section",
    )


def test_extract_and_eval_records_commands_print_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.cli import main
    from crawler.demo import pages_dir

    seed = pages_dir() / "regionalheute" / "regionalheute"
    url = json.loads((seed / "expected.json").read_text(encoding="utf-8"))["url"]
    assert main(["extract", str(seed / "page.html.gz"), "--url", url]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["place"]["ags"] == "03103000" and record["places"][0]["name"] == "Wolfsburg"
    corpus = tmp_path / "corpus"
    (corpus / "seed").mkdir(parents=True)
    for name in ("page.html.gz", "expected.json"):
        (corpus / "seed" / name).write_bytes((seed / name).read_bytes())
    assert main(["eval", str(corpus), "--records", str(tmp_path / "records.jsonl"), "--json"]) == 0
    (line,) = (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["record"]["place"]["name"] == "Wolfsburg"


def test_export_rows_carry_the_place_keys() -> None:
    from pipelines.archive.export import COLUMNS, _row

    place = {"ags": "03103000", "name": "Wolfsburg", "district": "03103", "land": "DE-NI", "source": "url",
             "mentions": 2}  # fmt: skip
    gifhorn = {**place, "ags": "03151", "name": "Gifhorn", "district": "03151"}
    record = {"site": "x", "published": None, "places": [place, gifhorn], "place": place, "schema_minor": 1}
    csv_row = _row(record, "csv")
    assert (csv_row["place"], csv_row["place_name"], csv_row["place_district"], csv_row["place_land"]) == (
        "03103000", "Wolfsburg", "03103", "DE-NI")  # fmt: skip
    assert json.loads(csv_row["places"]) == ["03103000", "03151"] and csv_row["schema_minor"] == 1
    assert _row(record, "parquet")["places"] == ["03103000", "03151"]
    old = _row({"site": "x", "published": None}, "parquet")  # minor version 0
    assert old["place"] is None and old["places"] == [] and old["schema_minor"] is None
    assert {"place", "place_name", "place_district", "place_land", "places", "schema_minor"} <= set(COLUMNS)


@given(
    st.text(max_size=200),
    st.text(
        alphabet=st.sampled_from(list("Wolfsburg Neustadt Kreis Bad (dpa) – . / Essen in Hof-ÄÖÜ")),
        max_size=300,
    ),
    st.text(max_size=80),
)
@settings(max_examples=60, deadline=None)
def test_find_places_never_raises_and_keeps_its_shape(title: str, body: str, url: str) -> None:
    places, place = find_places(title, None, body, "https://x.example/" + url)
    assert place is None or place in places
    for p in places:
        assert len(p["ags"]) in (5, 8) and p["district"] == p["ags"][:5] and p["land"].startswith("DE-")
