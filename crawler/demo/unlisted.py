"""A synthetic local news site that is in no registry, for crawling by URL offline (demo and tests).

``add_unlisted_site(mirror, host, style)`` puts into a :class:`crawler.demo.mirror.Mirror` a small generated
site: a front page, robots.txt, articles (most with JSON-LD and OpenGraph, one with only a dated headline and
no declared language) and pages that are not articles but whose URLs look like articles: a teaser list, a tag
page, an author page, an imprint, a newsletter form, a contact form, a picture gallery, a video page and an
audio page. ``style`` says how its entry points are found:

- ``sitemap``: robots.txt names a sitemap index (gzipped news sitemap + a sitemap of pages);
- ``cdn``: robots.txt names a sitemap index on another host (a CDN), whose news sitemap lists the articles;
- ``feed``: no sitemap anywhere; the front page links an RSS feed (``<link rel="alternate">``);
- ``links``: neither; the front page and its section fronts link the articles;
- ``deny``: robots.txt disallows everything;
- ``notpage``: the front page answers with a PDF.

Every text is generated here (invented places and people); nothing is copied from a real site. No Scrapy
imports here.
"""

from __future__ import annotations

import gzip
import html
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawler.demo.mirror import (
    BERLIN,
    GZIP_TYPE,
    HTML_TYPE,
    XML_TYPE,
    Entry,
    Mirror,
    _resource,
    render_news_sitemap,
    render_robots,
    render_rss,
    render_sitemap,
    render_sitemap_index,
)

STYLES = ("sitemap", "cdn", "feed", "links", "deny", "notpage")
CDN_HOST = "static.kreisbote-cdn.net"
DEMO_HOST = "www.kreisbote-musterstadt.de"

_PLACES = ["Musterstadt", "Beispielheim", "Probsthagen", "Neuweiler", "Altenfurt", "Lindenbrück", "Eichwalde"]
_TOPICS = [
    ("Feuerwehr", "löscht Scheunenbrand", "Die Einsatzkräfte waren mit vier Fahrzeugen vor Ort"),
    ("Gemeinderat", "beschließt neuen Haushalt", "Die Fraktionen stritten lange über die Kreisumlage"),
    ("Grundschule", "bekommt eine neue Mensa", "Der Umbau soll bis zu den Sommerferien fertig sein"),
    ("Sportverein", "feiert hundertjähriges Bestehen", "Zum Festakt kamen mehr als dreihundert Gäste"),
    ("Stadtbücherei", "verlängert die Öffnungszeiten", "Künftig ist auch am Samstagvormittag geöffnet"),
    ("Kreisstraße", "wird ab Montag gesperrt", "Die Umleitung führt über die Nachbarorte"),
    ("Wochenmarkt", "zieht auf den Rathausplatz", "Die Händler hoffen auf mehr Laufkundschaft"),
    ("Tierheim", "sucht dringend Pflegestellen", "Vor allem für junge Katzen fehlen Plätze"),
]
_NAMES = ["Anna Beispiel", "Jonas Muster", "Lea Probst", "Karl Weiler"]


# each topic its own text, so that the site's articles are not near duplicates of each other
_STORIES: dict[str, list[str]] = {
    "Feuerwehr": [
        "Gegen drei Uhr morgens bemerkte ein Nachbar Flammen im Dachstuhl der alten Scheune am Ortsrand von {place}.",
        "Vier Löschzüge aus {place} und {other} rückten aus; das angrenzende Wohnhaus blieb unversehrt.",
        "Verletzt wurde niemand. Die Kriminalpolizei ermittelt zur Brandursache, der Schaden liegt bei {money} Euro.",
        "Wehrführer {name} lobte die schnelle Alarmierung: Jede Minute habe gezählt, weil Heu gelagert war.",
    ],
    "Gemeinderat": [
        "Nach fünfstündiger Debatte hat der Rat von {place} den Etat für das kommende Jahr verabschiedet.",
        "Größter Posten ist die Sanierung des Freibads, für die {money} Euro eingeplant sind.",
        "Die Opposition stimmte dagegen; sie hält die Erhöhung der Grundsteuer für unsozial.",
        "Kämmerin {name} rechnet trotz allem mit einem kleinen Defizit, das aus Rücklagen gedeckt wird.",
    ],
    "Grundschule": [
        "Die Kinder der Grundschule {place} essen bald nicht mehr im Klassenzimmer, sondern in einem Neubau.",
        "Der Pavillon bietet Platz für achtzig Schüler und eine eigene Ausgabeküche mit Salatbar.",
        "Rektorin {name} freut sich vor allem über die bessere Akustik; bisher sei es mittags sehr laut gewesen.",
        "Das Land fördert den Bau mit {money} Euro, Eltern aus {other} sammelten Spenden für die Möbel.",
    ],
    "Sportverein": [
        "Mit einem Umzug durch die Altstadt hat der TSV {place} sein hundertstes Gründungsjubiläum begangen.",
        "Gegründet wurde der Verein 1925 von zwölf Turnern; heute zählt er über neunhundert Mitglieder.",
        "Vorsitzender {name} erinnerte an die Fusion mit dem Fußballclub aus {other} in den Siebzigerjahren.",
        "Am Abend spielte die Blaskapelle im Festzelt, der Erlös von {money} Euro geht an die Jugendabteilung.",
    ],
    "Stadtbücherei": [
        "Leseratten in {place} haben künftig mehr Zeit zum Stöbern: Die Bücherei öffnet auch samstags.",
        "Möglich macht das ein Team von Ehrenamtlichen, das Leiterin {name} in den vergangenen Monaten geworben hat.",
        "Neu im Bestand sind Tonies, Konsolenspiele und eine Sammlung von Romanen in einfacher Sprache.",
        "Der Jahresbeitrag bleibt stabil; Schüler aus {other} können die Ausleihe kostenlos nutzen.",
    ],
    "Kreisstraße": [
        "Autofahrer zwischen {place} und {other} müssen ab Montag einen Umweg von acht Kilometern in Kauf nehmen.",
        "Die Fahrbahn der Kreisstraße wird auf zwei Kilometern erneuert, dazu kommt ein neuer Radweg.",
        "Der Kreis veranschlagt {money} Euro und rechnet mit sechs Wochen Bauzeit, wenn das Wetter mitspielt.",
        "Busse des Nahverkehrs fahren während der Sperrung Ersatzhaltestellen an, teilte {name} vom Bauamt mit.",
    ],
    "Wochenmarkt": [
        "Obst, Käse und Blumen gibt es in {place} ab Mai nicht mehr am Bahnhof, sondern vor dem Rathaus.",
        "Die Marktbeschicker hatten sich den Umzug gewünscht, weil am alten Standort die Parkplätze fehlten.",
        "Marktmeister {name} rechnet mit zwei zusätzlichen Ständen, darunter ein Imker aus {other}.",
        "Für neue Stromanschlüsse und Markierungen investiert die Stadt {money} Euro.",
    ],
    "Tierheim": [
        "Im Tierheim {place} stapeln sich die Transportboxen: Seit dem Frühjahr wurden über sechzig Kätzchen abgegeben.",
        "Leiterin {name} bittet um Menschen, die Jungtiere für einige Wochen bei sich aufnehmen.",
        "Futter und Tierarztkosten übernimmt das Heim; die Gemeinde {other} unterstützt es mit {money} Euro jährlich.",
        "Wer helfen will, kann sich zu den Öffnungszeiten am Mittwoch und Samstag melden.",
    ],
}


def _paragraphs(n: int, place: str, topic: tuple[str, str, str]) -> list[str]:
    subject, _, detail = topic
    values = {
        "place": place,
        "other": _PLACES[(n + 3) % len(_PLACES)],
        "name": _NAMES[n % len(_NAMES)],
        "money": f"{120 + 17 * n}.000",
    }
    closing = (
        f"Die Redaktion erreichte am Nachmittag auch Vertreter aus {values['other']}. Sie begrüßten die Entwicklung "
        f"grundsätzlich, wollen aber bei der Versammlung am {n + 3}. des Monats genauer nachfragen, wie es in "
        f"{place} weitergeht und wer am Ende die Folgekosten trägt."
    )
    return [
        f"{detail}. " + _STORIES[subject][0].format(**values),
        *(p.format(**values) for p in _STORIES[subject][1:]),
        closing,
    ]


def _slug(text: str) -> str:
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), (" ", "-")):
        text = text.replace(a, b)
    return text


@dataclass
class UnlistedSite:
    """What was generated: the front page, the article URLs and the URLs of pages that are no articles."""

    host: str
    style: str
    publisher: str
    front_page: str
    articles: dict[str, dict[str, str]] = field(default_factory=dict)  # url -> {"title", "body", "published"}
    non_articles: dict[str, str] = field(default_factory=dict)  # url -> what kind of page it is


def _page(
    title: str,
    main: str,
    *,
    lang: str | None = "de",
    head: str = "",
    publisher: str = "",
) -> bytes:
    lang_attr = f' lang="{lang}"' if lang else ""
    site = f'<meta property="og:site_name" content="{html.escape(publisher)}">' if publisher else ""
    return f"""<!DOCTYPE html>
<html{lang_attr}>
<head>
<meta charset="utf-8">
<title>{html.escape(title)} | {html.escape(publisher)}</title>
{site}
{head}
</head>
<body>
<header><a href="/">{html.escape(publisher)}</a>
<nav><a href="/lokales/">Lokales</a> <a href="/sport/">Sport</a> <a href="/service/impressum-und-kontakt.html">Impressum</a></nav>
</header>
<main>
{main}
</main>
<footer><p>© {html.escape(publisher)}</p></footer>
</body>
</html>
""".encode()


def _teasers(urls: list[tuple[str, str]]) -> str:
    return "\n".join(
        f'<article class="teaser"><h2><a href="{html.escape(u)}">{html.escape(t)}</a></h2>'
        f"<p>{html.escape(t)}: mehr dazu im Artikel.</p></article>"
        for u, t in urls
    )


class _Builder:
    def __init__(self, mirror: Mirror, host: str, style: str, count: int) -> None:
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r} (use one of {', '.join(STYLES)})")
        self.mirror, self.host, self.style, self.count = mirror, host, style, count
        stem = host.removeprefix("www.").split(".")[0]
        self.publisher = " ".join(p.capitalize() for p in stem.split("-"))
        self.site = UnlistedSite(host, style, self.publisher, f"https://{host}/")
        self.now = datetime(2025, 6, 2, 9, 30, tzinfo=BERLIN)

    def url(self, path: str) -> str:
        return f"https://{self.host}{path}"

    def add_html(self, path: str, body: bytes, modified: datetime | None = None) -> str:
        url = self.url(path)
        self.mirror.add(url, _resource(body, HTML_TYPE, modified))
        return url

    # -- articles --
    def article(self, n: int) -> Entry:
        place, topic = _PLACES[n % len(_PLACES)], _TOPICS[n % len(_TOPICS)]
        title = f"{topic[0]} in {place} {topic[1]}"
        published = self.now - timedelta(hours=5 * n)
        path = f"/lokales/{_slug(place)}/{_slug(f'{topic[0]} {place} {topic[1]}')}-{4711000 + n}.html"
        paragraphs = _paragraphs(n, place, topic)
        author = _NAMES[(n + 1) % len(_NAMES)]
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        if n % 4 == 3:  # no structured data, no declared language: a dated headline and the text decide
            main = (
                f"<article><h1>{html.escape(title)}</h1><p class='byline'>Von {author}</p>"
                f'<time datetime="{published.isoformat()}">{published:%d.%m.%Y}</time>{body}</article>'
            )
            page = _page(title, main, lang=None, publisher=self.publisher)
        else:
            ld = {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": title,
                "datePublished": published.isoformat(),
                "author": {"@type": "Person", "name": author},
                "publisher": {"@type": "NewsMediaOrganization", "name": self.publisher},
                "mainEntityOfPage": self.url(path),
            }
            head = (
                '<meta property="og:type" content="article">'
                f'<meta property="og:title" content="{html.escape(title)}">'
                f'<meta property="article:published_time" content="{published.isoformat()}">'
                f'<link rel="canonical" href="{self.url(path)}">'
                f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
            )
            main = f"<article><h1>{html.escape(title)}</h1><p class='byline'>Von {author}</p>{body}</article>"
            page = _page(title, main, head=head, publisher=self.publisher)
        url = self.add_html(path, page, published)
        self.site.articles[url] = {
            "title": title,
            "body": "\n\n".join(paragraphs),
            "published": published.isoformat(),
        }
        return Entry(url, title, published, paragraphs[0], "de", self.publisher)

    # -- pages that are not articles, at URLs that look like articles --
    def non_articles(self, teasers: list[tuple[str, str]]) -> list[Entry]:
        p = self.publisher
        legal = (
            f"{p} ist ein Angebot der Musterverlag GmbH, Hauptstraße 1, 12345 Musterstadt. Geschäftsführung: "
            "Karl Weiler. Registergericht Amtsgericht Musterstadt. Verantwortlich für den Inhalt nach dem "
            "Medienstaatsvertrag: Anna Beispiel, Anschrift wie oben. Telefon 01234 56789. Umsatzsteuer-ID "
            "DE000000000. Die Inhalte dieses Angebots sind urheberrechtlich geschützt."
        )
        pages: dict[str, tuple[str, bytes]] = {
            "/lokales/alle-meldungen-aus-dem-landkreis.html": (
                "section front",
                _page("Lokales", f"<h1>Lokales</h1>{_teasers(teasers * 2)}", publisher=p),
            ),
            "/thema-feuerwehr-alle-artikel.html": (
                "tag page",
                _page("Thema: Feuerwehr", f"<h1>Thema: Feuerwehr</h1>{_teasers(teasers * 2)}", publisher=p),
            ),
            "/redaktion/anna-beispiel-alle-artikel.html": (
                "author page",
                _page(
                    "Anna Beispiel",
                    f"<h1>Artikel von Anna Beispiel</h1><p>Redakteurin im Lokalressort.</p>{_teasers(teasers)}",
                    head='<script type="application/ld+json">{"@context": "https://schema.org", '
                    '"@type": "ProfilePage", "name": "Anna Beispiel"}</script>',
                    publisher=p,
                ),
            ),
            "/service/impressum-und-kontakt.html": (
                "imprint",
                _page("Impressum", f"<h1>Impressum</h1><p>{legal}</p><p>{legal}</p>", publisher=p),
            ),
            "/service/newsletter-jetzt-kostenlos-abonnieren.html": (
                "newsletter form",
                _page(
                    "Der Newsletter",
                    "<h1>Unser Morgen-Briefing</h1><p>Jeden Morgen die wichtigsten Nachrichten aus dem "
                    "Landkreis direkt in Ihr Postfach. Kostenlos und jederzeit kündbar.</p>"
                    '<form action="/newsletter" method="post"><input type="email" name="email">'
                    '<button type="submit">Anmelden</button></form>',
                    publisher=p,
                ),
            ),
            "/service/leserbrief-an-die-redaktion.html": (
                "contact form",
                _page(
                    "Schreiben Sie uns",
                    "<h1>Schreiben Sie uns</h1><p>Ihre Meinung ist uns wichtig. Leserbriefe geben nicht die "
                    "Meinung der Redaktion wieder; wir behalten uns Kürzungen vor.</p>"
                    '<form action="/leserbrief" method="post"><input type="text" name="name">'
                    '<textarea name="text"></textarea><button type="submit">Senden</button></form>',
                    publisher=p,
                ),
            ),
            "/bilder/sommerfest-im-stadtpark-die-schoensten-bilder.html": (
                "gallery",
                _page(
                    "Sommerfest im Stadtpark: die schönsten Bilder",
                    "<h1>Sommerfest im Stadtpark: die schönsten Bilder</h1>"
                    + "".join(
                        f'<figure><img src="/img/fest-{i}.jpg" alt="Bild {i}"><figcaption>Bild {i} vom '
                        "Sommerfest</figcaption></figure>"
                        for i in range(1, 13)
                    ),
                    head='<script type="application/ld+json">{"@context": "https://schema.org", '
                    '"@type": "ImageGallery", "name": "Sommerfest im Stadtpark"}</script>',
                    publisher=p,
                ),
            ),
            "/clip/hochwasser-am-deich-das-video-zum-einsatz.html": (
                "video",
                _page(
                    "Hochwasser am Deich: das Video zum Einsatz",
                    '<h1>Hochwasser am Deich: das Video zum Einsatz</h1><video src="/media/deich.mp4" '
                    "controls></video><p>Die Feuerwehr sichert den Deich mit Sandsäcken.</p>",
                    head='<meta property="og:type" content="video.other">',
                    publisher=p,
                ),
            ),
            "/hoeren/wochenrueckblick-aus-dem-landkreis-zum-nachhoeren.html": (
                "audio",
                _page(
                    "Wochenrückblick zum Nachhören",
                    '<h1>Der Wochenrückblick zum Nachhören</h1><audio src="/media/woche.mp3" controls>'
                    "</audio><p>Die Themen der Woche aus dem Landkreis in zwanzig Minuten.</p>",
                    publisher=p,
                ),
            ),
        }
        entries = []
        for i, (path, (kind, body)) in enumerate(pages.items()):
            url = self.add_html(path, body)
            self.site.non_articles[url] = kind
            entries.append(Entry(url, kind, self.now - timedelta(minutes=7 * i), "", "de", p))
        return entries

    def build(self) -> UnlistedSite:
        articles = [self.article(n) for n in range(self.count)]
        teasers = [(a.url, a.title) for a in articles]
        others = self.non_articles(teasers[:6])
        sitemaps: list[str] = []
        head = ""
        if self.style == "sitemap":
            index, news, pages = (
                self.url(p) for p in ("/sitemaps/index.xml", "/sitemaps/news.xml.gz", "/sitemaps/pages.xml")
            )
            self.mirror.add(
                index, _resource(render_sitemap_index([(news, self.now), (pages, self.now)]), XML_TYPE)
            )
            body = gzip.compress(render_news_sitemap(articles + others[3:6], self.publisher), mtime=0)
            self.mirror.add(news, _resource(body, GZIP_TYPE, self.now))
            self.mirror.add(pages, _resource(render_sitemap(others), XML_TYPE, self.now))
            sitemaps = [index]
        elif self.style == "cdn":
            stem = self.host.removeprefix("www.").split(".")[0]
            index, news = (f"https://{CDN_HOST}/{stem}/{name}" for name in ("sitemap-index.xml", "news.xml"))
            self.mirror.add(index, _resource(render_sitemap_index([(news, self.now)]), XML_TYPE))
            body = render_news_sitemap(articles + others[:2], self.publisher)
            self.mirror.add(news, _resource(body, XML_TYPE, self.now))
            sitemaps = [index]
        elif self.style == "feed":
            feed = self.url("/feed/nachrichten.rss")
            rss = render_rss(articles + others[5:8], self.publisher, self.site.front_page)
            self.mirror.add(feed, _resource(rss, "application/rss+xml; charset=utf-8", self.now))
            head = f'<link rel="alternate" type="application/rss+xml" title="Nachrichten" href="{feed}">'
        # the front page: a teaser list of the newest articles (all of them unless only links lead to them)
        front_list = teasers[: len(teasers) // 2] if self.style == "links" else teasers
        section_list = teasers[len(teasers) // 2 :] if self.style == "links" else teasers[:3]
        others_links = "".join(f'<li><a href="{e.url}">{html.escape(e.title)}</a></li>' for e in others)
        front = _page(
            self.publisher,
            f"<h1>{html.escape(self.publisher)}: Nachrichten aus dem Landkreis</h1>{_teasers(front_list)}"
            f"<ul>{others_links}</ul>",
            head=head + '<meta property="og:type" content="website">',
            publisher=self.publisher,
        )
        if self.style == "notpage":
            self.mirror.add(
                self.site.front_page, _resource(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "application/pdf")
            )
        else:
            self.add_html("/", front)
        for path, title in (("/lokales/", "Lokales"), ("/sport/", "Sport")):
            body = _page(title, f"<h1>{title}</h1>{_teasers(section_list)}", publisher=self.publisher)
            self.add_html(path, body)
        disallow = ["/"] if self.style == "deny" else ["/intern/"]
        robots = render_robots(disallow, sitemaps)
        self.mirror.add(self.url("/robots.txt"), _resource(robots, "text/plain; charset=utf-8"))
        return self.site


def add_unlisted_site(
    mirror: Mirror, host: str = DEMO_HOST, style: str = "sitemap", count: int = 8
) -> UnlistedSite:
    """Generate the site into ``mirror`` (see the module docstring) and say what it holds."""
    return _Builder(mirror, host, style, count).build()
