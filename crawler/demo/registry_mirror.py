"""A synthetic mirror for registry sites that have no saved page of their own.

Each site borrows the saved pages of a fixture site (cycling through them, so the extraction work is varied),
moved to the site's own host and, where the site's article rule needs it, given an article path it accepts;
crawler.demo.synthetic then makes ``per_site`` unique variants of them. Sites with saved pages keep their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from crawler.demo.mirror import FixtureArticle, SiteSpec, load_fixtures
from crawler.demo.synthetic import SyntheticError, SyntheticMirror, build_synthetic_mirror, variant_url

#: a 26-character upper-case article id, the shape some platforms end their article URLs with
_ID26 = "A1B2C3D4E5F6G7H8J9K0LMNPQR"


def _moved(article: FixtureArticle, site: str, host: str, path: str) -> FixtureArticle:
    parts = urlsplit(article.url)
    return replace(article, site=site, url=urlunsplit(("https", host, path, parts.query, "")))


#: the article path shapes of the platforms (crawler/spiders/platforms.py), tried in this order after the page's
#: own path: a 26-character id, a numeric id (with or without ``.html``), ``_<id>``, ``_aid-<id>`` and
#: ``/artikel/<slug>-<id>``
_SHAPES = (
    lambda stem: f"{stem}-{_ID26}.html",
    lambda stem: f"{stem}-12345678.html",
    lambda stem: f"{stem}-1234567",
    lambda stem: f"{stem}_12345678",
    lambda stem: f"{stem}_aid-12345678",
    lambda stem: f"/lokales/region/artikel/{stem.rpartition('/')[2] or 'artikel'}-12345678",
)


def _path(path: str, shape: int) -> str:
    """The page's path (shape 0), or that path in the article URL shape of a platform (1..len(_SHAPES))."""
    if not shape:
        return path
    return _SHAPES[shape - 1](path.rstrip("/").removesuffix(".html"))


def _accepted(spec: SiteSpec, url: str) -> bool:
    """Whether some way of numbering variants of ``url`` (crawler.demo.synthetic) gives URLs the site accepts."""
    return any(
        all((v := variant_url(url, n, strategy)) and not spec.rejects(v) for n in (0, 1, 999))
        for strategy in (0, 1, 2)
    )


def borrowed_articles(
    spec: SiteSpec, donors: Sequence[list[FixtureArticle]], start: int
) -> list[FixtureArticle]:
    """The first donor's pages (from ``start`` on) whose URL, moved to the site's host, the site accepts."""
    host = spec.domains[0]
    for i in range(len(donors)):
        pages = donors[(start + i) % len(donors)]
        for shape in range(len(_SHAPES) + 1):
            moved = [_moved(a, spec.name, host, _path(urlsplit(a.url).path, shape)) for a in pages]
            if all(_accepted(spec, a.url) for a in moved):
                return moved
    raise SyntheticError(f"{spec.name}: no saved page can be moved to an article URL the site accepts")


def build_registry_mirror(classes: Sequence[type], fixtures_dir: Path, per_site: int) -> SyntheticMirror:
    """A synthetic mirror of ``per_site`` articles for every spider class (see the module docstring)."""
    donor_sites = sorted(p.name for p in fixtures_dir.iterdir() if p.is_dir())
    donors = [pages for pages in (load_fixtures(s, fixtures_dir) for s in donor_sites) if pages]
    specs = [SiteSpec.from_spider(cls) for cls in classes]
    articles: dict[str, list[FixtureArticle]] = {}
    for i, spec in enumerate(specs):
        if not load_fixtures(spec.name, fixtures_dir):
            articles[spec.name] = borrowed_articles(spec, donors, i)
    return build_synthetic_mirror(specs, fixtures_dir, per_site, articles=articles)
