"""The regional registry: its data (every Land, sources, stable names), the loader's checks, region look-up,
the spiders built from entries, the platform bases and the ``sites`` / ``crawl`` options that use them."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.evaluate import date_match, token_f1
from crawler.extract import extract
from crawler.sites import (
    LAENDER,
    SiteEntry,
    SitesError,
    by_region,
    coverage,
    covering,
    entry_for,
    land_code,
    load_registry,
    parse_registry,
    registry_spider,
    registry_spiders,
    site_classes,
)
from crawler.spiders.platforms import PLATFORMS, FunkeSpider, IppenSpider, MadsackSpider
from tests.clirun import cli

REPO = Path(__file__).resolve().parent.parent
NAMES = REPO / "tests" / "fixtures" / "registry_names.txt"
PLATFORM_CASES = sorted((REPO / "tests" / "fixtures" / "platforms").glob("*/*/expected.json"))


def test_at_least_250_sites_and_3_in_every_land() -> None:
    entries = load_registry()
    assert len(entries) >= 250
    per_land = {code: sum(1 for e in entries if e.land == code) for code in LAENDER}
    assert min(per_land.values()) >= 3, per_land
    assert len(LAENDER) == 16


def test_names_and_domains_are_unique_and_lands_valid() -> None:
    entries = load_registry()
    names = [e.name for e in entries]
    assert len(names) == len(set(names))
    # a domain is one site's, aliases included; www.x.de and x.de are one domain
    domains = [d.lower().removeprefix("www.") for e in entries for d in e.domains]
    assert not {d for d in domains if domains.count(d) > 1}
    for e in entries:
        assert re.fullmatch(r"[a-z0-9_]+", e.name)
        assert e.land in LAENDER
        assert e.publisher and e.area
        assert urlsplit(e.url).hostname in e.domains


def test_every_entry_names_a_public_source() -> None:
    for e in load_registry():
        parts = urlsplit(e.source)
        assert parts.scheme in ("http", "https") and parts.hostname, e.name


def test_every_district_key_is_in_the_gazetteer_and_every_land_is_covered() -> None:
    from crawler.places.gazetteer import district

    for e in load_registry():
        assert all(district(key) is not None for key in e.districts), e.name
    for land in coverage():
        assert land.covered, f"no entry covers any district of {land.land}"


def test_the_coverage_table_in_the_docs_is_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("coverage_table", REPO / "scripts" / "coverage_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (REPO / "docs" / "COVERAGE.md").read_text(encoding="utf-8")
    assert text == module.render(), "run python scripts/coverage_table.py"
    assert f"The registry holds {len(load_registry())} sites" in text


def test_names_are_stable() -> None:
    """Names are in every record: renaming one must be deliberate (update tests/fixtures/registry_names.txt)."""
    assert [e.name for e in load_registry()] == NAMES.read_text(encoding="utf-8").split()


def test_every_site_file_is_a_registry_entry_and_keeps_its_records() -> None:
    spiders = registry_spiders()
    for name, cls in site_classes().items():
        assert spiders[name] is cls, name
    entries = {e.name: e for e in load_registry()}
    for name, cls in site_classes().items():
        # the records of a registered site keep the region text its site file gives them
        assert entries[name].records_region == cls.region, name
        assert set(entries[name].domains) <= set(cls.domains), name


@pytest.mark.parametrize("text", ["NI", "ni", "DE-NI", "de-ni", "Niedersachsen", "niedersachsen"])
def test_region_by_code_or_name(text: str) -> None:
    assert land_code(text) == "DE-NI"
    names = {e.name for e in by_region(text)}
    assert {"braunschweiger_zeitung", "regionalheute", "haz"} <= names
    assert all("DE-NI" in (e.land, *e.lands) for e in by_region(text))


def test_unknown_region_is_an_error_listing_the_codes() -> None:
    with pytest.raises(SitesError, match=r"unknown region 'XX'.*NI"):
        by_region("XX")


GOOD = '[[site]]\nurl = "https://www.example.de/"\nname = "ex"\npublisher = "Ex"\nland = "DE-HB"\narea = "Bremen"\nsource = "https://de.wikipedia.org/wiki/Ex"\n'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "red"\n', r"entry 1 \(ex\): field 'colour': unknown key"),
        ('article_url = "("\n', r"entry 1 \(ex\): field 'article_url': bad regular expression"),
        ('skip = "x"\n', r"field 'skip': expected a list of strings"),
        ('feeds = ["file:///etc/passwd"]\n', r"field 'feeds': not an http\(s\) URL"),
        ('platform = "nope"\n', r"field 'platform': unknown platform 'nope'"),
        ('lands = ["DE-XX"]\n', r"field 'lands': 'DE-XX': expected the ISO 3166-2 code of a German Land"),
        ("language = 3\n", r"field 'language': expected a string"),
    ],
)
def test_bad_entries_are_named_with_their_field(extra: str, message: str) -> None:
    with pytest.raises(SitesError, match=message):
        parse_registry([("x.toml", GOOD + extra)])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace('land = "DE-HB"', 'land = "DE-XX"'), r"field 'land': 'DE-XX': expected the ISO 3166-2"),
        (
            GOOD.replace("https://www.example.de/", "ftp://www.example.de/"),
            r"field 'url': not an http\(s\) URL",
        ),
        (GOOD.replace('source = "https://de.wikipedia.org/wiki/Ex"\n', ""), r"field 'source': missing"),
        (GOOD.replace('name = "ex"', 'name = "Ex Site"'), r"field 'name': 'Ex Site': use lower-case"),
        (
            GOOD + GOOD.replace("www.example.de", "other.example.de"),
            r"entry 2 \(ex\): field 'name': duplicate",
        ),
        (GOOD + GOOD.replace('name = "ex"', 'name = "ex2"'), r"duplicate domain 'www.example.de'"),
        (
            GOOD
            + GOOD.replace('name = "ex"', 'name = "ex2"').replace("www.example.de/", "o.de/")
            + 'domains = ["example.de"]\n',
            r"entry 2 \(ex2\): field 'domains': duplicate domain 'example.de'",
        ),
        ("site = 3\n", r"'site' must be an array of tables"),
        ('[[site]]\nurl = "https://x.de/"\n', r"entry 1 \(https://x.de/\): field 'name': missing"),
        ("[[site]\n", r"not valid TOML"),
    ],
)
def test_bad_registry_files(text: str, message: str) -> None:
    with pytest.raises(SitesError, match=message):
        parse_registry([("x.toml", text)])


def test_entry_without_pinned_entry_points_discovers_them_from_its_front_page() -> None:
    from crawler.spiders.discover import DiscoveringSpider

    (entry,) = parse_registry([("x.toml", GOOD)])
    cls = registry_spider(entry)
    assert cls.name == "ex" and cls.domains == ["www.example.de"]
    assert issubclass(cls, DiscoveringSpider) and cls.front_page == "https://www.example.de/"
    assert not (cls.sections or cls.feeds or cls.news_sitemaps or cls.sitemaps)
    assert cls.region == "Bremen: Bremen" and cls.publisher == "Ex"


def test_entry_with_pinned_feed_and_selectors() -> None:
    text = (
        GOOD + 'feeds = ["https://www.example.de/rss"]\narticle_url = "/a/"\n[site.selectors]\ntitle = "h1"\n'
    )
    (entry,) = parse_registry([("x.toml", text)])
    cls = registry_spider(entry)
    assert cls.feeds == ["https://www.example.de/rss"] and not cls.sections
    assert cls.selectors is not None and cls.selectors.title == "h1"
    assert cls.article_url == "/a/"


def test_platform_entries_inherit_their_base() -> None:
    spiders = registry_spiders()
    ta = spiders["thueringer_allgemeine"]
    assert issubclass(ta, FunkeSpider)
    assert ta.feeds == ["https://www.thueringer-allgemeine.de/rss"]  # pinned: a public source lists it
    assert ta.news_sitemaps == ["https://www.thueringer-allgemeine.de/sitemaps/news.xml"]
    assert ta.archive_sitemap is None  # no public source for this title's monthly archive
    assert issubclass(spiders["hna"], IppenSpider) and issubclass(spiders["muenchner_merkur"], IppenSpider)
    assert issubclass(spiders["kieler_nachrichten"], MadsackSpider)


def _accepts(cls: type, url: str) -> bool:
    return bool(cls(mode="incremental").is_article_url(url))


def test_ippen_article_urls() -> None:
    fr = registry_spiders()["frankfurter_rundschau"]
    assert _accepts(fr, "https://www.fr.de/ratgeber/wohnen/ambrosia-giftig-zr-93036630.html")
    assert not _accepts(fr, "https://www.fr.de/frankfurt/")
    assert not _accepts(fr, "https://www.fr.de/ratgeber/wohnen/")


def test_madsack_article_urls() -> None:
    kn = registry_spiders()["kieler_nachrichten"]
    # article URLs of kn-online.de as published (a public search result)
    assert _accepts(
        kn,
        "https://www.kn-online.de/schleswig-holstein/grosseinsatz-der-polizei-in-kiel-holtenau-L2YRDUAUPZAKLMWD42F5NMJZVY.html",
    )
    assert _accepts(
        kn,
        "https://www.kn-online.de/schleswig-holstein/kommt-jetzt-das-waffenverbot-in-bahnhoefen-ZL742AGYXZDADFKWUNDX3SJJ6I.html",
    )
    assert not _accepts(kn, "https://www.kn-online.de/schleswig-holstein/")
    assert not _accepts(kn, "https://www.kn-online.de/thema/luebeck/15")


def test_platform_title_has_a_saved_page() -> None:
    assert {p.parent.parent.name for p in PLATFORM_CASES} >= {"frankfurter_rundschau"}


@pytest.mark.parametrize("case", PLATFORM_CASES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_platform_title_saved_page(case: Path) -> None:
    """A title known only from the registry: its platform's URL rule accepts the page and extraction matches."""
    cls = registry_spiders()[case.parent.parent.name]
    expected = json.loads(case.read_text(encoding="utf-8"))
    assert _accepts(cls, expected["url"])
    html = gzip.decompress((case.parent / "page.html.gz").read_bytes())
    record = extract(html, expected["url"], cls.selectors)
    assert " ".join(record["title"].split()) == " ".join(expected["title"].split())
    assert date_match(expected["published"], record["published"])
    assert token_f1(expected["body"], record["body"]) >= 0.98


def test_sites_region_filter_and_json(tmp_path: Path) -> None:
    by_code = cli("sites", "--region", "NI", cwd=tmp_path)
    by_name = cli("sites", "--region", "Niedersachsen", cwd=tmp_path)
    assert by_code.returncode == 0, by_code.stderr
    assert by_code.stdout == by_name.stdout
    assert (
        f"Niedersachsen (DE-NI): {len(by_region('NI'))} sites" in by_code.stdout and "haz" in by_code.stdout
    )
    assert "ndr" in by_code.stdout, "a broadcaster of several Länder is in each of them"
    assert "rbb24" not in by_code.stdout
    listing = json.loads(cli("sites", "--json", "--region", "DE-TH", cwd=tmp_path).stdout)
    assert all("DE-TH" in s["lands"] for s in listing) and "mdr" in {s["name"] for s in listing}
    for s in listing:
        assert s["source"].startswith("http") and s["area"] and s["url"]
        assert all(re.fullmatch(r"\d{5}", key) for key in s["districts"]), s["name"]
        assert s["land_name"] == "Thüringen" or s["land"] != "DE-TH"
    everything = cli("sites", cwd=tmp_path)
    assert everything.stdout.rstrip().endswith(f"{len(load_registry())} sites")
    headings = re.findall(r"^\S.* \((DE-[A-Z]{2})\): \d+ sites$", everything.stdout, re.M)
    assert sorted(headings) == sorted(LAENDER)  # one heading per Land


def test_bad_region_and_no_sites_exit_2(tmp_path: Path) -> None:
    proc = cli("sites", "--region", "Atlantis", cwd=tmp_path)
    assert (
        proc.returncode == 2 and "unknown region 'Atlantis'" in proc.stderr and "Traceback" not in proc.stderr
    )
    proc = cli("crawl", cwd=tmp_path)
    assert proc.returncode == 2 and "--region LAND or --all" in proc.stderr
    proc = cli("crawl", "--region", "XY", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown region 'XY'" in proc.stderr
    proc = cli("crawl", "no_such_site", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown site(s): no_such_site" in proc.stderr


def test_a_broadcaster_of_several_laender_is_in_each_of_them() -> None:
    ndr = entry_for("ndr")
    assert ndr is not None and ndr.land == "DE-HH" and set(ndr.lands) == {"DE-NI", "DE-SH", "DE-MV"}
    for code in ("HH", "NI", "SH", "MV"):
        assert ndr in by_region(code), code
    assert ndr not in by_region("BY")
    assert ndr.info()["lands"] == ["DE-HH", "DE-NI", "DE-SH", "DE-MV"]


def test_the_checker_knows_every_platform_base() -> None:
    from crawler.sites import PLATFORM_NAMES

    assert tuple(PLATFORMS) == PLATFORM_NAMES


def test_spiders_import_only_the_entry_format_of_crawler_sites() -> None:
    """The spiders sit above the entry format and below the resolution: no import back up."""
    import ast

    allowed = {"crawler.sites.entry"}
    for path in sorted((REPO / "crawler" / "spiders").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for module in modules:
                if module.startswith("crawler.sites"):
                    assert module in allowed, f"{path.name} imports {module}"


def test_aliases_add_to_the_host_of_the_url() -> None:
    (entry,) = parse_registry([("x.toml", GOOD + 'domains = ["example-alt.de"]\n')])
    assert entry.domains == ("www.example.de", "example-alt.de")
    assert registry_spider(entry).domains == ["www.example.de", "example-alt.de"]


def _entries(*tables: str) -> list[SiteEntry]:
    return parse_registry([("x.toml", "".join(tables))])


BROADCASTER = GOOD.replace("www.example.de", "www.funk.example").replace('name = "ex"', 'name = "funk"')


def test_districts_are_checked_against_the_gazetteer() -> None:
    (entry,) = _entries(GOOD + 'districts = ["04011", "04012"]\n')
    assert entry.districts == ("04011", "04012") and entry.info()["districts"] == ["04011", "04012"]
    for bad, message in [
        ('["4011"]', r"field 'districts': '4011': expected a 5-digit district key"),
        ('["04099"]', r"field 'districts': no such district in the gazetteer: 04099"),
        ('["04011", "04011"]', r"field 'districts': a district key is named twice"),
        ('"04011"', r"field 'districts': expected a list of strings"),
    ]:
        with pytest.raises(SitesError, match=message):
            _entries(GOOD + f"districts = {bad}\n")


def test_covering_a_place_and_the_coverage_of_each_land() -> None:
    local = GOOD + 'districts = ["04011"]\n'  # Bremen only; the broadcaster names no district
    entries = _entries(local, BROADCASTER)
    area, sites = covering("Bremen", entries)
    assert area.district == "04011" and [e.name for e in sites] == ["ex"]
    area, sites = covering("04012000", entries)
    assert area.name == "Bremerhaven" and sites == []
    with pytest.raises(SitesError, match="names 16 municipalities"):
        covering("Neustadt", entries)
    lands = {c.land: c for c in coverage(entries)}
    assert [d.key for d in lands["DE-HB"].covered] == ["04011"]
    # the broadcaster's Land is Bremen too, but a Land-wide entry names no district and covers none
    assert [d.key for d in lands["DE-HB"].uncovered] == ["04012"]
    assert lands["DE-HB"].sites["04011"] == ("ex",)
    assert sum(len(c.districts) for c in lands.values()) == 400


def test_sites_covering_and_coverage_commands(tmp_path: Path) -> None:
    proc = cli("sites", "--covering", "Wolfsburg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Wolfsburg (03103000, Niedersachsen): ")
    expected = {e.name for e in load_registry() if "03103" in e.districts}
    assert expected and {line.split()[0] for line in proc.stdout.splitlines()[1:]} == expected
    proc = cli("sites", "coverage", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["districts"] == 400 and len(report["lands"]) == 16
    covered = {d["key"] for land in report["lands"] for d in land["covered"]}
    assert covered == {key for e in load_registry() for key in e.districts}
    assert report["covered"] == len(covered)
    proc = cli("sites", "--covering", "Neustadt", cwd=tmp_path)
    assert proc.returncode == 2 and "give a key" in proc.stderr and "Traceback" not in proc.stderr
