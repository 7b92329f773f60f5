"""A user's sites file (crawler/sites/entry.py): the format, its errors, and the spider classes built from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import SiteSelectors
from crawler.sites import (
    SitesError,
    entry_for_url,
    load_sites_file,
    parse_sites,
    site_name_for,
    spider_class,
)
from crawler.spiders.discover import DiscoveringSpider
from crawler.spiders.platforms import FunkeSpider
from tests.clirun import cli

GOOD = """
[[site]]
url = "https://www.nordwest-beispiel.de/"
name = "nordwest"
publisher = "Nordwest-Beispiel"
group = "Nordwest-Mediengruppe"
land = "DE-NI"
area = "Oldenburg, Ammerland, Wesermarsch"
districts = ["03403", "03451", "03461"]
language = "de"
feeds = ["https://www.nordwest-beispiel.de/rss/oldenburg.xml"]
article_url = '/[a-z-]+_\\d+$'
skip = ["/podcast/"]
source = "https://de.wikipedia.org/wiki/Nordwest-Zeitung"

[site.selectors]
body = "div.article-body"
drop = ["aside"]
title_order = ["jsonld"]

[[site]]
url = "https://www.kreiszeitung-beispiel.de/"

[[site]]
url = "https://www.funke-beispiel.de"
platform = "funke"
region = "Thüringen: Musterkreis"
"""


def test_a_good_file_reads_with_defaults_filled_in() -> None:
    nwz, bare, funke = parse_sites(GOOD, "sites.toml")
    assert nwz.name == "nordwest" and nwz.publisher == "Nordwest-Beispiel"
    assert nwz.region == "Niedersachsen: Oldenburg, Ammerland, Wesermarsch"
    assert nwz.domains == ("www.nordwest-beispiel.de",) and nwz.pinned
    assert nwz.districts == ("03403", "03451", "03461") and bare.districts == ()
    assert nwz.selectors == SiteSelectors(body="div.article-body", drop=("aside",), title_order=("jsonld",))
    assert bare.name == "kreiszeitung_beispiel_de" and not bare.pinned
    assert bare.publisher == "" and bare.region == "" and bare.domains == ("www.kreiszeitung-beispiel.de",)
    assert funke.region == "Thüringen: Musterkreis"


def test_site_names_come_from_the_registrable_domain() -> None:
    assert site_name_for("https://www.nordwest-beispiel.de/") == "nordwest_beispiel_de"
    assert site_name_for("https://nachrichten.stern.de/x") == "stern_de"
    assert site_name_for("https://www.bbc.co.uk/news") == "bbc_co_uk"
    assert entry_for_url("https://www.stern.de/").name == "stern_de"


@pytest.mark.parametrize(
    ("text", "entry", "field"),
    [
        ('[[site]]\nurl = "https://a.de/"\ncolour = "red"', "entry 1 (https://a.de/)", "colour"),
        ('[[site]]\nname = "a"', "entry 1 (a)", "url"),
        ('[[site]]\nurl = "ftp://a.de/"', "entry 1 (ftp://a.de/)", "url"),
        ('[[site]]\nurl = "https://a.de/"\n[[site]]\nurl = "https://b.de/"\nfeeds = "x"', "entry 2", "feeds"),
        ('[[site]]\nurl = "https://a.de/"\nfeeds = ["file:///etc/passwd"]', "entry 1", "feeds"),
        ('[[site]]\nurl = "https://a.de/"\narticle_url = "(unclosed"', "entry 1", "article_url"),
        ('[[site]]\nurl = "https://a.de/"\nskip = ["[a-"]', "entry 1", "skip"),
        ('[[site]]\nurl = "https://a.de/"\nname = "Not A Name"', "entry 1", "name"),
        ('[[site]]\nurl = "https://a.de/"\nland = "Niedersachsen"', "entry 1", "land"),
        ('[[site]]\nurl = "https://a.de/"\nplatform = "nope"', "entry 1", "platform"),
        (
            '[[site]]\nurl = "https://a.de/"\narchive_sitemap = "https://a.de/s.xml"',
            "entry 1",
            "archive_sitemap",
        ),
        ('[[site]]\nurl = "https://a.de/"\narchive_since = "2019"', "entry 1", "archive_since"),
        ('[[site]]\nurl = "https://a.de/"\n[site.selectors]\nbody = 3', "entry 1", "selectors.body"),
        ('[[site]]\nurl = "https://a.de/"\n[site.selectors]\nfont = "x"', "entry 1", "selectors.font"),
        ('[[site]]\nurl = "https://a.de/"\n[[site]]\nurl = "https://www.a.de/"', "entry 2", "name"),
        (
            '[[site]]\nurl = "https://a.de/"\n[[site]]\nurl = "https://b.de/"\nname = "b"\ndomains = ["www.a.de"]',
            "entry 2",
            "domains",
        ),
        ('[[site]]\nurl = "https://a.de/"\ndistricts = ["03999"]', "entry 1", "districts"),
    ],
)
def test_errors_name_the_entry_and_the_field(text: str, entry: str, field: str) -> None:
    with pytest.raises(SitesError) as info:
        parse_sites(text, "my.toml")
    message = str(info.value)
    assert message.startswith(f"my.toml: {entry}"), message
    assert f"field {field!r}" in message, message
    assert "\n" not in message


def test_not_toml_and_unreadable_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SitesError, match="not valid TOML"):
        parse_sites("[[site]\nurl=", "x.toml")
    with pytest.raises(SitesError, match="cannot read sites file"):
        load_sites_file(tmp_path / "missing.toml")
    path = tmp_path / "ok.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert [e.name for e in load_sites_file(path)] == [
        "nordwest",
        "kreiszeitung_beispiel_de",
        "funke_beispiel_de",
    ]


def test_spider_classes_carry_the_entry() -> None:
    nwz, bare, funke = (spider_class(e) for e in parse_sites(GOOD))
    assert issubclass(nwz, DiscoveringSpider) and nwz.name == "nordwest"
    assert nwz.feeds == ["https://www.nordwest-beispiel.de/rss/oldenburg.xml"] and nwz.sitemaps == []
    assert nwz.article_url == r"/[a-z-]+_\d+$" and "/podcast/" in nwz.skip
    assert nwz.selectors == SiteSelectors(body="div.article-body", drop=("aside",), title_order=("jsonld",))
    assert bare.front_page == "https://www.kreiszeitung-beispiel.de/" and not bare.feeds
    assert bare.publisher == "" and bare.domains == ["www.kreiszeitung-beispiel.de"]
    # a platform base derives its entry points and URL rules from the front page
    assert issubclass(funke, FunkeSpider) and issubclass(funke, DiscoveringSpider)
    assert funke.news_sitemaps == ["https://www.funke-beispiel.de/sitemaps/news.xml"]
    assert funke.article_url == FunkeSpider.article_url
    assert "{year}" in (funke.archive_sitemap or "")
    # classes do not share their lists
    assert DiscoveringSpider.feeds == [] and FunkeSpider.domains == []


def test_crawl_refuses_a_bad_sites_file_before_any_request(tmp_path: Path) -> None:
    (tmp_path / "sites.toml").write_text('[[site]]\nurl = "https://a.de/"\nfeeds = ["gopher://a.de/"]\n')
    proc = cli("crawl", "--sites-file", "sites.toml", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "newsarchive: error: sites.toml: entry 1 (https://a.de/): field 'feeds': not an http(s) URL: 'gopher://a.de/'"
    )
    assert not (tmp_path / "archive").exists()
    proc = cli("crawl", "no_such_site", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown site(s): no_such_site" in proc.stderr
    proc = cli("crawl", cwd=tmp_path)
    assert proc.returncode == 2 and "name the sites to crawl" in proc.stderr


def test_sites_lists_the_users_sites_beside_the_built_in_ones(tmp_path: Path) -> None:
    (tmp_path / "sites.toml").write_text(GOOD, encoding="utf-8")
    proc = cli("sites", "--sites-file", "sites.toml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.strip().startswith("ndr ") for line in lines)
    mine = [line for line in lines if "sites file" in line]
    assert [line.split()[0] for line in mine] == [
        "nordwest",
        "kreiszeitung_beispiel_de",
        "funke_beispiel_de",
    ]
    proc = cli("sites", "--sites-file", "sites.toml", "--json", cwd=tmp_path)
    infos = {i["name"]: i for i in json.loads(proc.stdout)}
    assert infos["nordwest"]["origin"] == "sites file" and infos["ndr"]["origin"] == "built in"
    assert infos["nordwest"]["districts"] == ["03403", "03451", "03461"] and infos["ndr"]["districts"] == []
    assert (
        infos["kreiszeitung_beispiel_de"]["discovered"] is True and infos["nordwest"]["discovered"] is False
    )


def test_urls_names_and_sites_file_entries_resolve_to_one_spider_each(tmp_path: Path) -> None:
    from crawler.sites import UnknownSites, project_settings, resolve_sites
    from crawler.spiders.de.ndr import NdrSpider

    (tmp_path / "sites.toml").write_text(GOOD, encoding="utf-8")
    settings = project_settings().copy()
    settings.set("SITES_FILE", str(tmp_path / "sites.toml"))
    chosen = resolve_sites(
        [
            "https://www.ndr.de/",
            "ndr",
            "https://www.stern.de/",
            "https://www.nordwest-beispiel.de/lokales/x",
            "nordwest",
        ],
        settings,
    )
    assert list(chosen) == ["ndr", "stern_de", "nordwest"]
    assert chosen["ndr"] is NdrSpider, "a URL of a built-in site is that site"
    assert issubclass(chosen["stern_de"], DiscoveringSpider) and chosen["stern_de"].site_entry is not None
    assert chosen["nordwest"].feeds == ["https://www.nordwest-beispiel.de/rss/oldenburg.xml"]
    assert list(resolve_sites([], settings)) == ["nordwest", "kreiszeitung_beispiel_de", "funke_beispiel_de"]
    with pytest.raises(UnknownSites, match="unknown site"):
        resolve_sites(["nope"], settings)
    (tmp_path / "clash.toml").write_text('[[site]]\nurl = "https://x.de/"\nname = "ndr"\n', encoding="utf-8")
    settings.set("SITES_FILE", str(tmp_path / "clash.toml"))
    with pytest.raises(SitesError, match="field 'name': 'ndr' is a built-in site"):
        resolve_sites(["ndr"], settings)


def test_spider_classes_carry_the_area_of_their_entry() -> None:
    nwz, bare, _ = (spider_class(e) for e in parse_sites(GOOD))
    assert nwz.districts == ["03403", "03451", "03461"] and nwz.land == "DE-NI" and nwz.lands == []
    assert bare.districts == [] and bare.land == ""
