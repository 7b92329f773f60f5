"""Bases for sites that share a publishing platform; a site file then holds only its own data."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from crawler.extract import SiteSelectors
from crawler.spiders.base import NewsSpider


class FunkeSpider(NewsSpider):
    """Funke Mediengruppe titles: ``/rss``, ``/sitemaps/news.xml``, monthly archives, ``/article<id>/``.

    A title sets ``base_url``, and ``has_rss = False`` / ``has_archive = False`` where it serves no feed or no
    monthly archive; the entry points follow.
    """

    base_url: ClassVar[str] = ""
    has_rss: ClassVar[bool] = True
    has_archive: ClassVar[bool] = True
    article_url: ClassVar[str] = r"/article\d+/"
    skip: ClassVar[list[str]] = [r"/(video|podcast|bildergalerie)\d*/", r"/live\d+/"]
    # og:title, twitter:title and the <h1> carry a teaser variant; the JSON-LD headline is the article's own
    selectors: ClassVar[SiteSelectors | None] = SiteSelectors(title_order=("jsonld",))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.base_url:
            return
        base = cls.base_url.rstrip("/")
        cls.domains = [urlsplit(base).hostname or ""]
        cls.feeds = [f"{base}/rss"] if cls.has_rss else []
        cls.news_sitemaps = [f"{base}/sitemaps/news.xml"]
        if cls.has_archive:
            cls.archive_sitemap = base + "/sitemaps/archive/sitemap-{year}-{month:02d}-p00.xml.gz"


class IppenSpider(NewsSpider):
    """Ippen Media titles (merkur.de, fr.de, fnp.de, hna.de, ...): article URLs end ``-<8-digit id>.html``.

    Seen on saved pages of two titles: ``merkur.de/welt/<slug>-92243692.html`` and
    ``fr.de/ratgeber/wohnen/<slug>-zr-93036630.html``.
    """

    article_url: ClassVar[str] = r"-\d{8,}\.html$"


class MadsackSpider(NewsSpider):
    """Madsack titles (haz.de, kn-online.de, lvz.de, ...), one portal platform shared with RND.de.

    Article URLs end in a 26-character upper-case id: ``kn-online.de/schleswig-holstein/<slug>-L2YRDUAUPZAKLMWD42F5NMJZVY.html``.
    """

    article_url: ClassVar[str] = r"-[A-Z0-9]{26}\.html$"


#: platform name (the ``platform`` key of a site entry, crawler/sites/entry.py PLATFORM_NAMES) -> its base
PLATFORMS: dict[str, type[NewsSpider]] = {
    "funke": FunkeSpider,
    "ippen": IppenSpider,
    "madsack": MadsackSpider,
}
