"""Per-site selectors: the first extraction layer, for sites the generic layers get wrong."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree
from lxml.cssselect import CSSSelector

from crawler.extract.dom import Element


@dataclass(frozen=True, slots=True)
class SiteSelectors:
    """CSS (or XPath, when starting with "/" or "(") selectors for one layout of a site.

    A layout change is a new version: ``SiteSelectors(..., since=date(2025, 3, 1), previous=old)``;
    extract() uses the newest version whose ``since`` is not after the page's date and whose body matches.
    Every field is optional; unset fields fall through to the generic layers.
    """

    title: str | None = None
    # where the headline comes from when ``title`` is unset, in order of preference: some sites put an SEO or
    # social variant in og:title, others in the JSON-LD headline ("jsonld", "opengraph", "microdata", "h1", "title")
    title_order: tuple[str, ...] = ()
    lead: str | None = None
    body: str | None = None  # the container of the article text
    paragraphs: str = "p, h2, h3, h4, blockquote, ul > li, ol > li"  # blocks inside the body container
    drop: tuple[str, ...] = ()  # boxes inside the body to leave out
    authors: str | None = None  # elements whose text is a byline or an author name
    published: str | None = None  # element with datetime/content attribute or a date as text
    since: date | None = None  # first day this layout was used
    previous: SiteSelectors | None = None  # the layout before this one

    def versions(self, page_date: datetime | None = None) -> list[SiteSelectors]:
        """This and the older layouts, newest first; those that started after page_date are left out."""
        out: list[SiteSelectors] = []
        current: SiteSelectors | None = self
        while current is not None:
            if page_date is None or current.since is None or current.since <= page_date.date():
                out.append(current)
            current = current.previous
        return out or [self]


@functools.lru_cache(maxsize=512)
def _compile(selector: str) -> Any:
    if selector.lstrip().startswith(("/", "(", "./")):
        return etree.XPath(selector)
    return CSSSelector(selector, translator="html")


def select(root: Element, selector: str | None) -> list[Element]:
    """Elements matching a CSS or XPath selector; [] for a bad selector."""
    if not selector:
        return []
    try:
        found = _compile(selector)(root)
    except (etree.XPathError, ValueError, SyntaxError, Exception):
        return []
    return (
        [el for el in found if isinstance(getattr(el, "tag", None), str)] if isinstance(found, list) else []
    )
