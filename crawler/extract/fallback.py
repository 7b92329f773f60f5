"""The last fallback: trafilatura (several times slower than our layers), only when the cheap layers found no text."""

from __future__ import annotations

import logging

import trafilatura

from crawler.extract.dom import norm

# trafilatura reports input it cannot parse ("empty HTML tree") at ERROR; for us that is the ordinary "no text"
# outcome, which the crawl counts itself, so only its critical messages reach the log
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


def trafilatura_body(html: str, url: str) -> str:
    """Main text by trafilatura, paragraphs joined by blank lines ("" on failure)."""
    try:
        text = trafilatura.extract(
            html, url=url, include_comments=False, include_tables=False, include_images=False,
            favor_precision=False, deduplicate=False, with_metadata=False,
        )  # fmt: skip
    except Exception:
        return ""
    if not text:
        return ""
    return "\n\n".join(p for p in (norm(line) for line in text.splitlines()) if p)
