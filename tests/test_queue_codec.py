"""The distributed queue holds JSON, never pickle: a crafted pickle placed in Redis is dropped, not run."""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat

from crawler.distributed import codec, distributed_settings
from crawler.distributed.frontier import STAT_BAD_ENTRY, LeaseQueue
from crawler.spiders.de.mdr import MdrSpider
from tests.redisserver import RedisServer
from tests.threats import observe


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


class Crawler:
    def __init__(self) -> None:
        self.stats = Stats()


class Evil:
    """Unpickling this runs a shell command: what an attacker with write access to Redis would queue."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def spider() -> MdrSpider:
    s = MdrSpider()
    s.crawler = Crawler()  # type: ignore[assignment]
    return s


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as srv:
        yield srv


def request(spider: MdrSpider) -> scrapy.Request:
    return scrapy.Request(
        "https://www.mdr.de/nachrichten/a-1.html",
        callback=spider.parse_article,
        errback=spider.fetch_failed,
        method="POST",
        headers={"If-None-Match": '"abc"', "X-Latin": "Größe".encode("latin-1")},
        body=b"\x00\xffbinary\x80",
        meta={"handle_httpstatus_list": [304], "newsarchive_known": "https://www.mdr.de/a", "depth": 2},
        cb_kwargs={"source": "https://www.mdr.de/news-sitemap.xml"},
        priority=7,
    )


def test_a_request_survives_the_json_round_trip(spider: MdrSpider) -> None:
    original = request(spider)
    data = codec.dumps(original.to_dict(spider=spider))
    doc = json.loads(data)
    assert doc["v"] == 1 and doc["callback"] == "parse_article" and doc["errback"] == "fetch_failed"
    assert doc["body"] == "AP9iaW5hcnmA"  # base64
    back = request_from_dict(codec.loads(data), spider=spider)
    for attr in ("url", "method", "body", "meta", "cb_kwargs", "priority", "dont_filter"):
        assert getattr(back, attr) == getattr(original, attr), attr
    assert back.headers.getlist("X-Latin") == ["Größe".encode("latin-1")]
    assert back.callback == spider.parse_article and back.errback == spider.fetch_failed


def test_the_distributed_settings_name_the_json_codec() -> None:
    settings = distributed_settings("redis://127.0.0.1:1/0")
    assert settings["SCHEDULER_SERIALIZER"] == "crawler.distributed.codec"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (b"\x80\x04\x95", "not a JSON request"),
        (b"{not json", "not JSON"),
        (b'{"v": 2, "url": "https://x/"}', "not a version 1"),
        (b'{"v": 1, "url": "https://x/", "callback": "__init__"}', "callback '__init__' is not allowed"),
        (b'{"v": 1, "url": "https://x/", "errback": "close"}', "errback 'close' is not allowed"),
        (b'{"v": 1, "url": "https://x/", "body": "%%%"}', "body: not base64"),
        (b'{"v": 1, "url": "https://x/", "meta": []}', "meta: not a dict"),
        (b'{"v": 1}', "no url"),
    ],
)
def test_entries_that_are_not_our_requests_are_refused(entry: bytes, message: str) -> None:
    with pytest.raises(codec.QueueEntryError, match=message):
        codec.loads(entry)


def test_a_class_named_in_an_entry_is_never_loaded() -> None:
    entry = json.dumps({"v": 1, "url": "https://x/", "_class": "os.system", "body": ""}).encode()
    assert "_class" not in codec.loads(entry)
    with pytest.raises(TypeError, match=r"only scrapy\.Request"):
        codec.dumps({"url": "https://x/", "_class": "scrapy.http.FormRequest"})


def test_a_crafted_pickle_in_the_queue_is_dropped_without_running(
    spider: MdrSpider, redis_server: RedisServer, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    server = redis_server.client()
    queue = LeaseQueue(server, spider, f"{tmp_path.name}:%(spider)s:requests", serializer=codec)
    queue.bind(f"{tmp_path.name}:mdr:inflight:w1")
    server.zadd(queue.key, {pickle.dumps(Evil(marker)): -100})  # first in line
    queue.push(request(spider))
    popped = queue.pop()
    assert popped is not None and popped.url == "https://www.mdr.de/nachrichten/a-1.html"
    assert not marker.exists(), "the pickle ran"
    assert spider.crawler.stats.values == {STAT_BAD_ENTRY: 1}  # type: ignore[attr-defined]
    assert queue.pop() is None and len(queue) == 0, "the bad entry is gone, not requeued"
    assert server.hlen(f"{tmp_path.name}:mdr:inflight:w1") == 1, "only the good request is leased"
    # the control: scrapy-redis's default serialiser runs the same entry
    picklecompat.loads(pickle.dumps(Evil(marker)))
    assert marker.exists()
    observe(
        "queue-pickle",
        f"the pickle dropped ({STAT_BAD_ENTRY} = {spider.crawler.stats.values[STAT_BAD_ENTRY]}), "  # type: ignore[attr-defined]
        "its command not run; the good request behind it popped; scrapy-redis's pickle serialiser runs it",
    )
