"""The last fallback: trafilatura (slow, about 70 ms a page), only when the cheap layers found no text."""

from __future__ import annotations

import logging

import trafilatura

from crawler.extract.dom import norm

logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)
logging.getLogger("courlan").setLevel(logging.ERROR)


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
