"""Is this page an article? (crawler/extract/recognise.py) Every saved article page says yes; pages that are no
article say no, each with its reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror
from crawler.demo.unlisted import add_unlisted_site
from crawler.extract import extract
from crawler.extract.recognise import REASONS
from crawler.sites import site_classes

CASES = sorted(fixtures_dir().glob("*/*/expected.json"))

TEXT = " ".join(
    f"Satz {i}: Der Kreistag hat am Dienstagabend nach langer Debatte über die Zukunft der Kliniken beraten."
    for i in range(12)
)


def page(body: str, head: str = "", title: str = "Seite") -> str:
    return f"<html lang='de'><head><title>{title}</title>{head}</head><body>{body}</body></html>"


def teasers(n: int) -> str:
    return "".join(
        f"<article><h3><a href='/lokales/meldung-nummer-{i}-aus-dem-kreis-{1000 + i}.html'>Meldung {i} aus dem "
        f"Landkreis</a></h3><p>Kurz: was in Ort {i} geschah.</p></article>"
        for i in range(n)
    )


NON_ARTICLES = {
    "section_front": page(f"<h1>Lokales</h1>{teasers(20)}", "<meta property='og:type' content='website'>"),
    "tag_page": page(f"<h1>Thema: Hochwasser</h1>{teasers(4)}"),
    "author_page": page(
        f"<h1>Anna Beispiel</h1><p>Redakteurin.</p>{teasers(3)}",
        '<script type="application/ld+json">{"@type": "ProfilePage", "name": "Anna Beispiel"}</script>',
    ),
    "imprint": page(f"<h1>Impressum</h1><p>{TEXT[:600]}</p>"),
    "newsletter_form": page(
        "<h1>Der Morgen-Newsletter</h1><p>Jeden Morgen die Nachrichten der Region.</p>"
        "<form><input type='email' name='email'><button>Los</button></form>"
    ),
    "contact_form": page(
        "<h1>Schreiben Sie uns</h1><p>Wir freuen uns auf Ihre Post.</p><form><textarea></textarea></form>"
    ),
    "gallery": page(
        "<h1>Das Stadtfest in Bildern</h1>" + "".join(f"<img src='/b{i}.jpg'>" for i in range(15)),
        '<script type="application/ld+json">{"@type": "ImageGallery", "name": "Stadtfest"}</script>',
    ),
    "video": page(
        "<h1>Der Einsatz am Deich</h1><video src='/v.mp4'></video><p>Die Feuerwehr im Einsatz.</p>",
        "<meta property='og:type' content='video.other'>",
    ),
    "audio": page(
        "<h1>Der Wochenrückblick</h1><audio src='/a.mp3'></audio><p>Die Woche in zwanzig Minuten.</p>"
    ),
    "search_page": page(
        f"<h1>Suchergebnisse</h1>{teasers(2)}",
        '<script type="application/ld+json">{"@type": "SearchResultsPage"}</script>',
    ),
    "no_text": page(
        "<h1>Kreistag tagt</h1><p>Der Kreistag tagt am Dienstag.</p>",
        "<meta property='og:type' content='article'>",
    ),
}


@pytest.mark.parametrize("reason", sorted(NON_ARTICLES))
def test_pages_that_are_no_article_are_rejected_with_their_reason(reason: str) -> None:
    verdict = extract(NON_ARTICLES[reason], "https://www.kreisbote.de/seite.html")["recognised"]
    assert verdict["article"] is False
    assert verdict["reason"] == reason and reason in REASONS


def test_an_article_without_structured_data_is_recognised_by_its_text() -> None:
    body = "".join(f"<p>Absatz {n}. {TEXT.replace('Satz', f'Teil {n}, Satz')}</p>" for n in range(4))
    html = page(
        f"<header>{teasers(2)}</header><article><h1>Kreistag berät über Kliniken</h1>{body}</article>"
    )
    verdict = extract(html, "https://www.kreisbote.de/kreistag-beraet-ueber-kliniken.html")["recognised"]
    assert verdict == {"article": True, "reason": "", "signals": ["running text"]}


def test_an_article_with_many_related_teasers_is_still_an_article() -> None:
    ld = json.dumps(
        {"@type": "NewsArticle", "headline": "Kreistag berät", "datePublished": "2025-06-01T10:00"}
    )
    html = page(
        f"<article><h1>Kreistag berät</h1><p>{TEXT}</p><p>{TEXT}</p></article><aside>{teasers(12)}</aside>",
        f'<script type="application/ld+json">{ld}</script>',
    )
    verdict = extract(html, "https://www.kreisbote.de/a.html")["recognised"]
    assert verdict["article"] is True and "jsonld:newsarticle" in verdict["signals"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_every_saved_article_page_is_an_article(case: Path) -> None:
    site = case.parent.parent.name
    expected = json.loads(case.read_text())
    html = gzip.decompress((case.parent / "page.html.gz").read_bytes())
    verdict = extract(html, expected["url"], site_classes()[site].selectors)["recognised"]
    assert verdict["article"] is True, verdict


def test_the_generated_unlisted_site_is_told_apart() -> None:
    mirror = Mirror()
    site = add_unlisted_site(mirror, "www.kreisbote-test.de", "sitemap")
    for url in site.articles:
        resource = mirror.get("www.kreisbote-test.de", url)
        assert resource is not None
        assert extract(resource.body, url)["recognised"]["article"] is True, url
    for url, kind in site.non_articles.items():
        resource = mirror.get("www.kreisbote-test.de", url)
        assert resource is not None
        verdict = extract(resource.body, url)["recognised"]
        assert verdict["article"] is False, (url, kind)
        assert verdict["reason"].replace("_", " ").startswith(kind.split()[0]), (kind, verdict)
