"""The platform bases (crawler/spiders/platforms.py) of NOZ/mh:n, DuMont, SWMH, VRM and the Rheinische Post
Mediengruppe: the registry's titles on each inherit its URL rule, which takes the article URLs of the platform's
titles (as published: public links) and leaves their section fronts, and a page generated at such a URL
becomes a record."""

from __future__ import annotations

import json

import pytest

from crawler.extract import extract
from crawler.sites import load_registry, registry_spiders
from crawler.spiders.platforms import PLATFORMS

# platform -> (articles of two titles as their sites publish them, section fronts and other pages of the same sites)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "noz": (
        [
            "https://www.noz.de/lokales/hasbergen/artikel/im-angesicht-des-kriegs-ausstellung-am-augustaschacht-hasbergen-23451387",
            "https://www.shz.de/lokales/glueckstadt/artikel/stauden-blumen-und-gemuese-trends-aus-gaertnerei-in-glueckstadt-47487039",
            "https://www.shz.de/lokales/husum/artikel/rs-virus-hoher-krankenstand-bei-schuelern-in-nordfriesland-43656030",
        ],
        [
            "https://www.noz.de/lokales/osnabrueck",
            "https://www.shz.de/lokales/kappeln/rss",
            "https://www.svz.de/",
        ],
    ),
    "dumont": (
        [
            "https://www.ksta.de/koeln/innenstadt/koelner-kult-club--stecken--szene-club-wird-ein-heizungskeller-2251162",
            "https://www.rundschau-online.de/region/bonn/gastro-szene-bonn-teestuben-mit-charme-1238613",
            "https://www.rundschau-online.de/region/euskirchen-eifel/steinbachtalsperre-talsperre-in-euskirchen-soll-nach-flut-wieder-volllaufen-352099",
        ],
        ["https://www.ksta.de/koeln/rss", "https://www.ksta.de/koeln/innenstadt", "https://www.ksta.de/2024"],
    ),
    "swmh": (
        [
            "https://www.stuttgarter-nachrichten.de/inhalt.neu-im-kino-der-raeuber-hotzenplotz-raeuber-mit-charme.76fc81bf-1296-48ab-a187-d205bc971c90.html",
            "https://www.stuttgarter-zeitung.de/inhalt.reformationstag-2017-einmalig-bundesweiter-feiertag.b7e189b3-a33d-41a3-a0f4-141cd13df54e.html",
            "https://www.stuttgarter-zeitung.de/lokales/stuttgart/stuttgart-hats-drauf-stadt-der-superlative-79290836.html",
        ],
        [
            "https://www.stuttgarter-nachrichten.de/stuttgart",
            "https://www.stuttgarter-nachrichten.de/thema/VfB.html",
        ],
    ),
    "vrm": (
        [
            "https://www.echo-online.de/lokales/darmstadt/darmstadter-entwickelt-corona-bot_23598548",
            "https://www.echo-online.de/lokales/odenwaldkreis/odenwaldkreis/keine-corona-neuinfizierten-oder-toten-im-odenwaldkreis_21703350",
            "http://www.allgemeine-zeitung.de/lokales/polizei/mainz-gonsenheim-unbekannte-rauben-esso-tankstelle-in-kurt-schumacher-strasse-aus_14913147.htm",
        ],
        ["https://www.allgemeine-zeitung.de/lokales/mainz/", "https://www.echo-online.de/lokales/darmstadt/"],
    ),
    "rp": (
        [
            "https://www.saarbruecker-zeitung.de/saarland/merzig-wadern/merzig/fuenf-termine-zur-blutspende-im-kreis-merzig-wadern-in-den-kommenden-tagen_aid-49584991",
            "https://www.saarbruecker-zeitung.de/saarland/saar-pfalz-kreis/warum-spd-und-cdu-rekord-kreisumlage-im-saarpfalz-kreis-kritisieren_aid-143117363.html",
            "https://www.volksfreund.de/region/trier-trierer-land/kaiserthermen-1950er-jahre-bild-schaab-tankstelle_aid-64474567",
        ],
        ["https://www.volksfreund.de/region/trier/", "https://www.saarbruecker-zeitung.de/saarland/"],
    ),
}


def _title_of(url: str) -> str:
    """The registry title serving ``url``, with its spider."""
    host = url.split("/")[2].removeprefix("www.")
    entry = next(e for e in load_registry() if any(d.removeprefix("www.") == host for d in e.domains))
    return entry.name


def _page(url: str, title: str) -> bytes:
    """An article page as the platform's titles serve one: JSON-LD NewsArticle, headline, paragraphs."""
    body = "".join(
        f"<p>{title}: Absatz {i} über die Sitzung des Kreistages und ihre Folgen für die Region.</p>"
        for i in range(6)
    )
    ld = {"@type": "NewsArticle", "headline": title, "datePublished": "2024-05-02T08:00:00+02:00", "url": url}
    return (
        f'<html lang="de"><head><title>{title} | Zeitung</title><meta property="og:type" content="article">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'
        f"<body><header><a href='/'>Start</a></header><article><h1>{title}</h1>{body}</article>"
        "<footer>Impressum</footer></body></html>"
    ).encode()


def test_every_platform_has_cases_and_titles_on_it() -> None:
    assert set(CASES) | {"funke", "ippen", "madsack"} == set(PLATFORMS)
    named = {e.platform for e in load_registry()}
    assert set(CASES) <= named


@pytest.mark.parametrize("platform", sorted(CASES))
def test_titles_on_a_platform_take_its_articles_and_leave_its_fronts(platform: str) -> None:
    spiders = registry_spiders()
    articles, fronts = CASES[platform]
    for url in [*articles, *fronts]:
        cls = spiders[_title_of(url)]
        assert issubclass(cls, PLATFORMS[platform]), cls
        spider = cls(mode="incremental")
        assert spider.is_article_url(url) == (url in articles), url


@pytest.mark.parametrize("platform", sorted(CASES))
def test_a_generated_page_of_each_platform_becomes_a_record(platform: str) -> None:
    spiders = registry_spiders()
    for url in CASES[platform][0]:
        cls = spiders[_title_of(url)]
        record = extract(_page(url, "Kreistag beschließt neuen Haushalt"), url, cls.selectors)
        assert record["title"] == "Kreistag beschließt neuen Haushalt"
        assert record["body"].count("Absatz") == 6 and record["published"].startswith("2024-05-02")


def test_every_entry_on_a_platform_is_built_on_its_base() -> None:
    spiders = registry_spiders()
    for e in load_registry():
        if e.platform:
            assert issubclass(spiders[e.name], PLATFORMS[e.platform]), e.name
