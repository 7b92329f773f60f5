"""Distributed crawling: several worker processes (on one or many machines) share one crawl through Redis.

``newsarchive crawl SITE --distributed redis://HOST:PORT/DB`` sets what :func:`distributed_settings`
returns: scrapy-redis's scheduler, request dupefilter and priority queue, subclassed in
:mod:`crawler.distributed.frontier` (leases, so a dead worker's requests return to the queue; a run-wide
idle close; scrapy-redis 0.9.1 fixes), and the per-site politeness shared by all workers
(:mod:`crawler.distributed.politeness`). The seen-store goes to the same Redis unless ``--state`` names
another. How it works and how to run it: docs/DEPLOY.md, "Distributed crawling".
"""

from __future__ import annotations

import importlib.util
from typing import Any

from pipelines.state.base import StateError
from pipelines.state.redis import split_uri

FRONTIER = "crawler.distributed.frontier"
POLITENESS = "crawler.distributed.politeness.SharedPoliteness"
CODEC = "crawler.distributed.codec"
#: downloader middleware order: after every stock middleware, right before the download itself
POLITENESS_ORDER = 950

#: defaults of the DISTRIBUTED_* settings (see docs/DEPLOY.md)
DEFAULTS: dict[str, Any] = {
    "DISTRIBUTED_HEARTBEAT_INTERVAL": 1.0,  # seconds between a worker's heartbeats (and lease checks)
    "DISTRIBUTED_HEARTBEAT_TTL": 15.0,  # a worker silent this long is dead: its leases are requeued
    "DISTRIBUTED_IDLE_GRACE": 3.0,  # the run must look finished this long before a worker closes
    "DISTRIBUTED_IDLE_TIMEOUT": 900.0,  # an idle worker waits at most this long for busy ones
    "DISTRIBUTED_POLITENESS": True,  # the shared per-site concurrency and delay
    "DISTRIBUTED_SLOT_TTL": 0.0,  # a politeness slot's lease (0: DOWNLOAD_TIMEOUT + 30 s)
    "DISTRIBUTED_WORKER_ID": "",  # empty: host:pid:random
}


def distributed_settings(uri: str, middlewares: dict[str, Any] | None = None) -> dict[str, Any]:
    """Scrapy settings that make a crawl one worker of the distributed crawl at ``uri``."""
    url, prefix = split_uri(uri)
    if importlib.util.find_spec("scrapy_redis") is None:
        raise StateError("--distributed needs the scrapy-redis package (pip install scrapy-redis==0.9.1)")
    out: dict[str, Any] = {
        "DISTRIBUTED_URL": uri,
        "REDIS_URL": url,
        "SCHEDULER": f"{FRONTIER}.Scheduler",
        "SCHEDULER_QUEUE_CLASS": f"{FRONTIER}.LeaseQueue",
        "DUPEFILTER_CLASS": f"{FRONTIER}.DupeFilter",
        # queued requests are JSON, never pickle (crawler/distributed/codec.py)
        "SCHEDULER_SERIALIZER": CODEC,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        # scrapy-redis 0.9.1 deletes the shared queue when a worker closes unless the queue persists
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        # the site lock would let one worker in; the shared frontier coordinates the workers instead
        "RUN_LOCK_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {**(middlewares or {}), POLITENESS: POLITENESS_ORDER},
    }
    return out
