"""Article extraction: HTML (+ URL) -> article fields, in layers.

Site selectors first, then structured data (JSON-LD, microdata, meta tags), then a generic extractor.
"""

from __future__ import annotations

from crawler.extract.core import EXTRACTOR_VERSION, empty_result, extract
from crawler.extract.dom import decode_html, looks_binary
from crawler.extract.selectors import SiteSelectors

__all__ = ["EXTRACTOR_VERSION", "SiteSelectors", "decode_html", "empty_result", "extract", "looks_binary"]
