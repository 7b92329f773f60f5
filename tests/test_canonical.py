"""Canonical URLs of real-world URL variants: tracking parameters, AMP, mobile and print editions."""

from __future__ import annotations

import pytest

from pipelines.text import canonical, pick_canonical

ARTICLE = "https://www.ndr.de/nachrichten/niedersachsen/braunschweig_harz_goettingen/hochwasser100.html"

# (variant as found in feeds, shares and newsletters, its canonical form)
CASES: list[tuple[str, str]] = [
    # tracking parameters of feeds, social media, newsletters and analytics suites
    (ARTICLE + "?utm_source=rss&utm_medium=feed&utm_campaign=nds", ARTICLE),
    (ARTICLE + "?fbclid=IwAR0xYz", ARTICLE),
    (ARTICLE + "?gclid=Cj0KCQ&gclsrc=aw.ds", ARTICLE),
    (ARTICLE + "?wt_mc=sm.facebook&WT.mc_id=x", ARTICLE + "?WT.mc_id=x"),
    (ARTICLE + "?at_medium=sl&at_campaign=twitter", ARTICLE),
    (ARTICLE + "?pk_campaign=nl&mtm_source=nl", ARTICLE),
    (ARTICLE + "?mc_cid=1a2b&mc_eid=3c4d", ARTICLE),
    (ARTICLE + "?_ga=2.1234&_gl=1*abc", ARTICLE),
    (ARTICLE + "?igshid=MzRl&msclkid=99&yclid=7", ARTICLE),
    (ARTICLE + "#kommentare", ARTICLE),
    ("HTTPS://WWW.NDR.DE/nachrichten/niedersachsen/braunschweig_harz_goettingen/hochwasser100.html", ARTICLE),
    # real parameters stay, sorted
    (
        "https://www.tagesspiegel.de/suche?q=berlin&page=2&utm_source=x",
        "https://www.tagesspiegel.de/suche?page=2&q=berlin",
    ),
    (
        "https://www.wdr.de/nachrichten/a-100.html?id=5&utm_term=x",
        "https://www.wdr.de/nachrichten/a-100.html?id=5",
    ),
    # AMP editions
    (
        "https://www.abendblatt.de/amp/hamburg/article241234567/elbtunnel-gesperrt.html",
        "https://www.abendblatt.de/hamburg/article241234567/elbtunnel-gesperrt.html",
    ),
    (
        "https://www.merkur.de/lokales/muenchen/stadt-muenchen/tram-faellt-aus-92345678.amp.html",
        "https://www.merkur.de/lokales/muenchen/stadt-muenchen/tram-faellt-aus-92345678.html",
    ),
    (
        "https://www.mz.de/lokal/halle/neue-bruecke-3712345?amp",
        "https://www.mz.de/lokal/halle/neue-bruecke-3712345",
    ),
    (
        "https://www.rp-online.de/nrw/staedte/duesseldorf/rheinufer_aid-101234567?output=amp",
        "https://www.rp-online.de/nrw/staedte/duesseldorf/rheinufer_aid-101234567",
    ),
    (
        "https://www.waz.de/staedte/essen/article240000001/kirmes.html?outputType=amp",
        "https://www.waz.de/staedte/essen/article240000001/kirmes.html",
    ),
    (
        "https://www.stuttgarter-zeitung.de/inhalt.s21-bahnhof.0a1b2c3d-amp.html",
        "https://www.stuttgarter-zeitung.de/inhalt.s21-bahnhof.0a1b2c3d.html",
    ),
    (
        "https://www.regionalheute.de/wolfenbuettel/unfall-auf-der-b79/amp/",
        "https://www.regionalheute.de/wolfenbuettel/unfall-auf-der-b79/",
    ),
    (
        "https://www.freiepresse.de/chemnitz/stadtrat-artikel13123456/amp",
        "https://www.freiepresse.de/chemnitz/stadtrat-artikel13123456",
    ),
    (
        "https://amp.ndr.de/nachrichten/hamburg/hafen100.html",
        "https://www.ndr.de/nachrichten/hamburg/hafen100.html",
    ),
    # mobile editions
    (
        "https://m.tagesspiegel.de/berlin/s-bahn/12345678.html",
        "https://www.tagesspiegel.de/berlin/s-bahn/12345678.html",
    ),
    (
        "https://mobil.derwesten.de/staedte/essen/a-1234.html",
        "https://www.derwesten.de/staedte/essen/a-1234.html",
    ),
    ("https://www.br.de/nachrichten/bayern/a,UaBcD?mobile=1", "https://www.br.de/nachrichten/bayern/a,UaBcD"),
    # print editions
    (
        "https://www.mdr.de/nachrichten/sachsen/dresden/elbe-100.html?print",
        "https://www.mdr.de/nachrichten/sachsen/dresden/elbe-100.html",
    ),
    (
        "https://www.mdr.de/nachrichten/sachsen/dresden/elbe-100-print.html",
        "https://www.mdr.de/nachrichten/sachsen/dresden/elbe-100.html",
    ),
    (
        "https://www.faz.net/aktuell/rhein-main/frankfurt-ticket-19123456.html?printPagedArticle=true",
        "https://www.faz.net/aktuell/rhein-main/frankfurt-ticket-19123456.html",
    ),
    (
        "https://www.berliner-zeitung.de/news/senat-beschluss-li.2201234?view=print",
        "https://www.berliner-zeitung.de/news/senat-beschluss-li.2201234",
    ),
    (
        "https://www.hessenschau.de/print/politik/landtag-100.html",
        "https://www.hessenschau.de/politik/landtag-100.html",
    ),
    # look-alikes that are not variants stay as they are
    (
        "https://www.ndr.de/nachrichten/ampel-koalition100.html",
        "https://www.ndr.de/nachrichten/ampel-koalition100.html",
    ),
    ("https://www.mz.de/lokal/amper-fest?view=list", "https://www.mz.de/lokal/amper-fest?view=list"),
    ("https://mdr.de/nachrichten/printmedien-100.html", "https://mdr.de/nachrichten/printmedien-100.html"),
    ("https://m.de/a.html", "https://m.de/a.html"),
]


@pytest.mark.parametrize(("variant", "expected"), CASES)
def test_variant_maps_to_its_article(variant: str, expected: str) -> None:
    assert canonical(variant) == expected


@pytest.mark.parametrize("expected", sorted({e for _, e in CASES}))
def test_canonical_is_idempotent(expected: str) -> None:
    assert canonical(expected) == expected


@pytest.mark.parametrize(
    ("url", "declared", "expected", "used"),
    [
        # AMP page declaring its article: used
        (
            "https://www.abendblatt.de/amp/hamburg/article241234567/x.html",
            "https://www.abendblatt.de/hamburg/article241234567/x.html",
            "https://www.abendblatt.de/hamburg/article241234567/x.html",
            True,
        ),
        # og:url on another host of the same site, relative canonical
        (
            "https://m.ndr.de/a100.html",
            "https://www.ndr.de/a100.html?utm_source=og",
            "https://www.ndr.de/a100.html",
            True,
        ),
        ("https://www.ndr.de/x/a100.html?wt_mc=1", "/x/a100.html", "https://www.ndr.de/x/a100.html", True),
        # an agency or aggregator canonical on another site is ignored: the fetched URL, canonicalised
        ("https://www.mz.de/a-1?utm_source=x", "https://www.dpa.com/a-1", "https://www.mz.de/a-1", False),
        ("https://www.mz.de/a-1", "javascript:void(0)", "https://www.mz.de/a-1", False),
        ("https://www.mz.de/a-1", None, "https://www.mz.de/a-1", False),
    ],
)
def test_declared_canonical_only_on_the_same_site(
    url: str, declared: str | None, expected: str, used: bool
) -> None:
    assert pick_canonical(url, declared) == (expected, used)
