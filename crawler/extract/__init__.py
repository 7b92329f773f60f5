"""Article extraction: HTML (+ URL) -> article fields, in layers.

Site selectors first, then structured data (JSON-LD, microdata, meta tags), then a generic extractor.
"""

from __future__ import annotations

from crawler.extract.core import EXTRACTOR_VERSION, empty_result, extract
from crawler.extract.selectors import SiteSelectors

__all__ = ["EXTRACTOR_VERSION", "SiteSelectors", "empty_result", "extract"]
