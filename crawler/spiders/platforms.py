"""Bases for sites that share a publishing platform; a site file then holds only its own data."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

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


class NozSpider(NewsSpider):
    """NOZ / mh:n Medien titles (noz.de, shz.de, svz.de, ...): one portal platform whose local pages live under
    ``/lokales/<place>/`` and whose articles end ``/artikel/<slug>-<id>``.

    Seen on public links of two titles: ``noz.de/lokales/hasbergen/artikel/<slug>-23451387`` and
    ``shz.de/lokales/glueckstadt/artikel/<slug>-47487039``; older noz.de links read ``/artikel/716185/<slug>``.
    """

    article_url: ClassVar[str] = r"/artikel/(?:[^/?#]+-\d{6,}|\d{5,}/[^/?#]+)$"


class DumontSpider(NewsSpider):
    """DuMont's Cologne titles (ksta.de, rundschau-online.de): article URLs are a section path and a slug ending
    in a numeric id, no extension.

    Seen on public links: ``ksta.de/koeln/innenstadt/<slug>-2251162``, ``rundschau-online.de/region/bonn/<slug>-1238613``,
    ``rundschau-online.de/region/euskirchen-eifel/<slug>-352099``.
    """

    article_url: ClassVar[str] = r"^https?://[^/]+/(?:[^/?#]+/)+[^/?#]+-\d{6,8}$"


class SwmhSpider(NewsSpider):
    """Südwestdeutsche Medienholding titles (stuttgarter-zeitung.de, stuttgarter-nachrichten.de): articles at
    ``/inhalt.<slug>.<uuid>.html``, on the newer layout ``/<section>/<slug>-<8-digit id>.html``.

    Seen on public links of both titles (``stuttgarter-nachrichten.de/inhalt.<slug>.1c6201bd-dc78-4b03-b7d8-cf7d324b9b77.html``,
    ``stuttgarter-zeitung.de/inhalt.<slug>.b7e189b3-a33d-41a3-a0f4-141cd13df54e.html``) and on a saved page
    (``stuttgarter-zeitung.de/lokales/stuttgart/<slug>-79290836.html``).
    """

    article_url: ClassVar[str] = (
        r"(?:/inhalt\.[^/?#]+\.[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|/[^/?#]+-\d{8})\.html$"
    )


class VrmSpider(NewsSpider):
    """VRM titles (allgemeine-zeitung.de, echo-online.de, wiesbadener-kurier.de, ...): local pages under
    ``/lokales/<place>/``, articles ending ``_<7-9 digit id>`` (``.htm`` on the older layout).

    Seen on public links of two titles: ``echo-online.de/lokales/darmstadt/<slug>_23598548`` and
    ``allgemeine-zeitung.de/lokales/polizei/<slug>_14913147.htm``.
    """

    article_url: ClassVar[str] = r"/[^/?#]+_\d{7,9}(?:\.html?)?$"


class RpSpider(NewsSpider):
    """Rheinische Post Mediengruppe titles (rp-online.de, saarbruecker-zeitung.de, volksfreund.de): articles end
    ``_aid-<id>`` (``.html`` on some links).

    Seen on a saved rp-online.de page (``/nrw/landespolitik/<slug>_aid-107992075``) and on public links of the
    others: ``saarbruecker-zeitung.de/saarland/merzig-wadern/merzig/<slug>_aid-49584991``,
    ``saarbruecker-zeitung.de/saarland/saar-pfalz-kreis/<slug>_aid-143117363.html``,
    ``volksfreund.de/region/trier-trierer-land/<slug>_aid-64474567``.
    """

    article_url: ClassVar[str] = r"_aid-\d+(?:\.html)?/?$"


#: platform name (the ``platform`` key of a site entry; crawler/sites/entry.py PLATFORM_NAMES) -> its base
PLATFORMS: dict[str, type[NewsSpider]] = {
    "funke": FunkeSpider,
    "ippen": IppenSpider,
    "madsack": MadsackSpider,
    "noz": NozSpider,
    "dumont": DumontSpider,
    "swmh": SwmhSpider,
    "vrm": VrmSpider,
    "rp": RpSpider,
}
