"""Build the synthetic regionalHeute.de fixture page from the text of one of its articles.

regionalHeute.de has no saved page in the fundus test data, only the text a reader sees
(headline, photo credit lines, body, the site's "mehr News aus der Region" footer). This script wraps
that text in regionalHeute-style page furniture so the extraction and the demo mirror have a page of
the site to work on. The page is labelled synthetic in an HTML comment and a generator meta tag.

Usage: python scripts/make_regionalheute_page.py [SEED_TXT] [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = REPO.parent / "shared" / "corpus" / "seed" / "regionalheute_article.txt"
DEFAULT_OUT = REPO / "tests" / "fixtures" / "sites" / "regionalheute" / "regionalheute"

CITY = "wolfsburg"
# A Thursday in March 2018 (before the switch to summer time), the day after the Wednesday meeting.
PUBLISHED = datetime.fromisoformat("2018-03-15T12:45:00+01:00")
KEYWORDS = ["Wolfsburg", "Bitkom", "Phaeno", "Digitalisierung"]
AUTHOR = "regionalHeute.de"
CITIES = ["Braunschweig", "Wolfsburg", "Salzgitter", "Peine", "Goslar", "Helmstedt", "Wolfenbüttel"]
FOOTER_MARK = "mehr News aus der Region"
CREDIT_RE = re.compile(r"^(Symbol)?[Ff]oto:|\|\s*Foto:")
# Teasers of the "mehr News aus der Region" box: invented headlines, not articles of the site.
TEASERS = [
    ("braunschweig", "Stadtbibliothek verlängert Öffnungszeiten am Samstag", 1521103500),
    ("salzgitter", "Neue Radwege rund um den Salzgittersee geplant", 1521096300),
    ("goslar", "Altstadtfest: Programm steht fest", 1521089100),
]


@dataclass
class Seed:
    """The parts of the seed text."""

    headline: str
    credits: list[str]
    paragraphs: list[str]


def parse_seed(text: str) -> Seed:
    """Split the reader's text into headline, photo credit lines and body paragraphs."""
    lines = [line.strip() for line in text.splitlines()]
    non_empty = [line for line in lines if line]
    headline, rest = non_empty[0], non_empty[1:]
    credits: list[str] = []
    paragraphs: list[str] = []
    for line in rest:
        if line.startswith(FOOTER_MARK):
            break
        if not paragraphs and CREDIT_RE.search(line):
            credits.append(line)
        else:
            paragraphs.append(line)
    return Seed(headline, credits, paragraphs)


def slugify(text: str) -> str:
    """regionalHeute-style URL slug: lower case, umlauts transliterated, hyphens."""
    text = text.lower()
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(src, dst)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def article_url(city: str, headline: str, ts: int) -> str:
    """https://regionalheute.de/<city>/<slug>-<city>-<unix ts>/"""
    return f"https://regionalheute.de/{city}/{slugify(headline)}-{city}-{ts}/"


def e(text: str) -> str:
    """Escape text for HTML content and attributes."""
    return html.escape(text, quote=True)


def build_page(seed: Seed) -> tuple[str, dict[str, object]]:
    """Return the page HTML and its expected record."""
    ts = int(PUBLISHED.timestamp())
    url = article_url(CITY, seed.headline, ts)
    image = f"https://cdn.regionalheute.de/images/2018/03/symbolfoto-phaeno-{ts}.jpg"
    body = "\n\n".join(seed.paragraphs)
    first = seed.paragraphs[0] if seed.paragraphs else ""
    description = first if len(first) <= 160 else first[:160].rsplit(" ", 1)[0] + " …"
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": seed.headline,
        "datePublished": PUBLISHED.isoformat(),
        "dateModified": PUBLISHED.isoformat(),
        "image": {"@type": "ImageObject", "url": image, "width": 1200, "height": 675},
        "author": {"@type": "Organization", "name": AUTHOR, "url": "https://regionalheute.de/"},
        "publisher": {
            "@type": "Organization",
            "name": AUTHOR,
            "logo": {"@type": "ImageObject", "url": "https://cdn.regionalheute.de/static/logo.png"},
        },
        "keywords": ", ".join(KEYWORDS),
        "articleSection": "Wolfsburg",
        "inLanguage": "de-DE",
    }
    ld = json.dumps(jsonld, ensure_ascii=False, indent=2).replace("</", "<\\/")
    nav = "\n".join(f'        <li><a href="/{slugify(city)}/">{e(city)}</a></li>' for city in CITIES)
    caption_alt = seed.credits[0] if seed.credits else ""
    caption = seed.credits[-1] if seed.credits else ""
    parts = caption.split("|")
    figcaption = (
        f'<span class="caption">{e(parts[0].strip())}</span> | '
        f'<span class="credit">{e(parts[1].strip())}</span>'
        if len(parts) == 2
        else e(caption)
    )
    paras = "\n".join(f"          <p>{e(p)}</p>" for p in seed.paragraphs)
    teasers = "\n".join(
        f'        <li class="teaser"><a href="{e(article_url(city, title, t))}">'
        f'<span class="teaser-city">{e(city.capitalize())}</span> {e(title)}</a></li>'
        for city, title, t in TEASERS
    )
    shown = PUBLISHED.strftime("%d.%m.%Y, %H:%M Uhr")
    page = f"""<!DOCTYPE html>
<!-- SYNTHETIC FIXTURE: not a page saved from regionalheute.de. Built by
     scripts/make_regionalheute_page.py from the text of a regionalHeute.de article (Wolfsburg, 2018)
     with look-alike page furniture, for testing only. The article text remains the publisher's. -->
<html lang="de">
<head>
  <meta charset="utf-8">
  <meta name="generator" content="newsarchive synthetic fixture (scripts/make_regionalheute_page.py)">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{e(seed.headline)} | regionalHeute.de</title>
  <meta name="description" content="{e(description)}">
  <meta name="keywords" content="{e(", ".join(KEYWORDS))}">
  <link rel="canonical" href="{e(url)}">
  <meta property="og:type" content="article">
  <meta property="og:site_name" content="regionalHeute.de">
  <meta property="og:title" content="{e(seed.headline)}">
  <meta property="og:url" content="{e(url)}">
  <meta property="og:image" content="{e(image)}">
  <meta property="article:published_time" content="{PUBLISHED.isoformat()}">
  <link rel="stylesheet" href="https://cdn.regionalheute.de/static/css/main.css">
  <script type="application/ld+json">
{ld}
  </script>
</head>
<body class="article-page">
  <div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookie-Einstellungen">
    <p>Wir verwenden Cookies, um unsere Website für Sie optimal zu gestalten und fortlaufend zu
    verbessern. Mit einem Klick auf „Alle akzeptieren“ stimmen Sie der Verwendung zu.</p>
    <button type="button" class="accept">Alle akzeptieren</button>
    <button type="button" class="settings">Einstellungen</button>
    <a href="/datenschutz/">Datenschutz</a>
  </div>
  <header class="site-header">
    <a class="logo" href="/">
      <img src="https://cdn.regionalheute.de/static/logo.png" alt="regionalHeute.de">
    </a>
    <nav class="main-nav" aria-label="Städte">
      <ul>
{nav}
      </ul>
    </nav>
    <form class="search" action="/suche/" method="get">
      <input type="search" name="q" placeholder="Suche">
    </form>
  </header>
  <main id="content">
    <nav class="breadcrumb"><a href="/">Startseite</a> › <a href="/{CITY}/">Wolfsburg</a></nav>
    <article class="article">
      <header class="article-header">
        <h1 class="article-title">{e(seed.headline)}</h1>
        <div class="article-meta">
          <time datetime="{PUBLISHED.isoformat()}">{shown}</time>
        </div>
      </header>
      <figure class="article-image">
        <img src="{e(image)}" alt="{e(caption_alt)}" title="{e(caption_alt)}" width="1200" height="675">
        <figcaption>{figcaption}</figcaption>
      </figure>
      <div class="article-text">
{paras}
      </div>
      <div class="share">
        <a href="https://www.facebook.com/sharer/sharer.php?u={e(url)}">Teilen</a>
        <a href="mailto:?subject={e(seed.headline)}">Per E-Mail senden</a>
      </div>
    </article>
    <aside class="more-news">
      <h2>{FOOTER_MARK}</h2>
      <ul>
{teasers}
      </ul>
    </aside>
  </main>
  <footer class="site-footer">
    <ul>
      <li><a href="/impressum/">Impressum</a></li>
      <li><a href="/datenschutz/">Datenschutz</a></li>
      <li><a href="/kontakt/">Kontakt</a></li>
      <li><a href="/werbung/">Werbung</a></li>
    </ul>
    <p>© 2018 regionalHeute.de – Nachrichten aus Braunschweig, Wolfsburg, Salzgitter, Peine, Goslar,
    Helmstedt und Wolfenbüttel</p>
  </footer>
</body>
</html>
"""
    expected: dict[str, object] = {
        "url": url,
        "title": seed.headline,
        "body": body,
        "authors": [AUTHOR],
        "published": PUBLISHED.isoformat(),
        "topics": KEYWORDS,
        "language": "de",
        "publisher": "regionalHeute.de",
        "crawl_date": "2018-03-15T18:00:00",
        "source": (
            "synthetic page built by scripts/make_regionalheute_page.py around the text of a "
            "regionalHeute.de article (Wolfsburg, 2018); the page furniture, URL timestamp, date and "
            "teasers are made up"
        ),
        "synthetic": True,
    }
    return page, expected


def write_fixture(out: Path, page: str, expected: dict[str, object]) -> None:
    """Write page.html.gz (gzip mtime 0, reproducible) and expected.json."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "page.html.gz").write_bytes(gzip.compress(page.encode("utf-8"), compresslevel=9, mtime=0))
    text = json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    (out / "expected.json").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("seed", nargs="?", type=Path, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    seed = parse_seed(args.seed.read_text(encoding="utf-8"))
    page, expected = build_page(seed)
    write_fixture(args.out, page, expected)
    print(f"wrote {args.out}/page.html.gz and expected.json ({expected['url']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
