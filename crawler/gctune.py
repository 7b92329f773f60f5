"""Garbage collection tuned for a long crawl: the start-up objects frozen, the youngest generation collected less often.

CPython's cyclic collector runs a young collection every 700 net container allocations (``gc.get_threshold()``)
and, every 100 of those, a full one that walks every tracked object: the imported modules of Scrapy, Twisted,
lxml and ours are walked again and again although they live as long as the process. A crawl allocates tens of
thousands of containers a page (requests, responses, items, parse results), so the collector ran hundreds of
times a second. :func:`tune` (once per process, after start-up):

* collects once, then ``gc.freeze()``: everything alive then (modules, classes, settings) moves to the permanent
  generation, which no collection walks again;
* sets the youngest generation's threshold to ``GC_THRESHOLD`` (default 50,000) and keeps the older two at
  CPython's 10 and 10: fewer, larger young collections, each still cheap because it walks only young objects.

Reference counting frees most objects at once either way; only cycles wait for the collector, at most one young
generation longer (a few MB). Applied by the :class:`GcTuning` extension in the crawl process (when its engine
starts) and by the extraction workers after their imports (crawler/offthread.py). ``GC_TUNE = False`` keeps
CPython's defaults (the bare fetch of ``make bench`` does, as Scrapy's baseline).
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import defaults

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

_tuned: list[int] = []  # the threshold this process was tuned with (empty: not tuned)


def tune(threshold: int = defaults.GC_THRESHOLD) -> bool:
    """Collect, freeze what is alive and raise the young generation's threshold; once per process (a later call
    does nothing and returns False: freezing again would pin the garbage of running crawls for good)."""
    if _tuned or threshold <= 0:
        return False
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(threshold, older, oldest)
    _tuned.append(threshold)
    return True


class GcTuning:
    """Tune the crawl process's garbage collection (:func:`tune`) when the first crawler's engine starts."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        if not crawler.settings.getbool("GC_TUNE", defaults.GC_TUNE):
            raise NotConfigured
        ext = cls(crawler.settings.getint("GC_THRESHOLD", defaults.GC_THRESHOLD))
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        return ext

    def engine_started(self) -> None:
        if tune(self.threshold):
            log.debug(
                "garbage collection: %d objects frozen, threshold %s",
                gc.get_freeze_count(),
                gc.get_threshold(),
            )
