"""Extraction health and drift: the rule, the history in both state stores, and three crawls end to end."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.demo import fixtures_dir
from crawler.demo.mirror import Mirror, Resource, SiteSpec, host_of, path_key
from crawler.demo.server import MirrorServer
from crawler.demo.synthetic import SyntheticMirror, build_synthetic_mirror
from crawler.health import FIELDS, HealthTally, Thresholds, baseline, drift, drift_message
from crawler.runner import EXIT_DRIFT
from crawler.sites import site_classes
from pipelines.archive.reader import open_archive
from pipelines.state import HealthEntry, open_state
from tests.clirun import FAST, cli
from tests.redisserver import RedisServer

SITE = "ndr"


def healthy(**kw: Any) -> dict[str, Any]:
    h: dict[str, Any] = {
        "articles": 10,
        "rejected": 0,
        "title": 1.0,
        "body": 1.0,
        "published": 1.0,
        "authors": 0.9,
        "body_chars": 2000,
        "structured": 0.75,
        "fallback": 0.25,
    }
    h.update(kw)
    return h


def fields(flags: list[dict[str, Any]]) -> set[str]:
    return {str(f["field"]) for f in flags}


def test_tally_summary() -> None:
    tally = HealthTally()
    layers = {"title": "jsonld", "body": "fallback", "published": "jsonld", "authors": "jsonld"}
    tally.add({"title": "T", "body": "a" * 100, "published": "2024-01-01", "authors": ["A"], "extractor": {
        "method": "fallback", "fields": layers}})  # fmt: skip
    tally.add({"title": "T", "body": "", "published": None, "authors": [""], "extractor": {
        "method": "none", "fields": {"title": "fallback"}}})  # fmt: skip
    tally.add({"title": " ", "body": "b" * 300, "authors": [], "extractor": None})
    h = tally.summary(rejected=2)
    assert h["articles"] == 3 and h["rejected"] == 2
    assert h["title"] == round(2 / 3, 4) and h["body"] == round(2 / 3, 4)
    assert h["published"] == round(1 / 3, 4) and h["authors"] == round(1 / 3, 4)
    assert h["body_chars"] == 100
    assert h["layers"] == {"fallback": 0.4, "jsonld": 0.6} and h["structured"] == 0.6 and h["fallback"] == 0.4
    assert h["methods"] == {"fallback": round(1 / 3, 4), "none": round(1 / 3, 4)}
    json.dumps(h)


def test_drift_rule_thresholds() -> None:
    t = Thresholds()
    base = baseline([healthy()], t)
    assert base is not None and base["runs"] == 1
    assert drift(healthy(), base, t) == []
    assert drift(healthy(body=0.75, published=0.71, body_chars=1001), base, t) == []  # under every threshold
    flags = drift(healthy(body=0.7, published=0.0, authors=0.0, body_chars=1000), base, t)
    assert fields(flags) == {"body", "published", "authors", "body_chars"}
    assert fields(drift(healthy(title=0.5), base, t)) == {"title"}
    # the layer mix flips to the fallback: structured share halves and the fallback share rises
    assert fields(drift(healthy(structured=0.3, fallback=0.7), base, t)) == {"layers"}
    assert drift(healthy(structured=0.3, fallback=0.2), base, t) == []
    # every page rejected as "no article"
    assert fields(drift(healthy(articles=0, rejected=8), base, t)) == {"rejected"}  # no coverage alarm
    # too small a run is not judged, and there is nothing to judge against without history
    assert drift(healthy(articles=2, published=0.0), base, t) == []
    assert drift(healthy(articles=0, rejected=2, title=0.0, body=0.0), base, t) == []
    # a run of all-known articles (none fetched) and a few rejected pages: no coverage alarm
    assert fields(drift(healthy(articles=1, rejected=9, title=0.0), base, t)) == {"rejected"}
    assert baseline([], t) is None and drift(healthy(published=0.0), None, t) == []
    message = drift_message("ndr", flags)
    assert "site ndr" in message and "published" in message and "median body length" in message


USUAL = {
    "title": {"jsonld": 1.0},
    "authors": {"jsonld": 1.0},
    "published": {"jsonld": 1.0},
    "body": {"fallback": 1.0},
}


def test_source_shift_and_authors_per_article() -> None:
    t = Thresholds()
    base = baseline([healthy(sources=USUAL, authors_per_article=1.6, site_file={"title": "jsonld"})], t)
    assert base is not None
    assert drift(healthy(sources=USUAL, authors_per_article=1.5), base, t) == []
    # the JSON-LD is gone, meta tags fill in: coverage and the structured share stay, the sources move
    moved = {**USUAL, "title": {"opengraph": 1.0}, "authors": {"fallback": 0.8, "opengraph": 0.2}}
    flags = drift(healthy(sources=moved, authors_per_article=0.4), base, t)
    assert fields(flags) == {"title_source", "authors_source", "authors_per_article"}
    title = next(f for f in flags if f["field"] == "title_source")
    assert (title["layer"], title["baseline"], title["current"], title["now"]) == (
        "jsonld",
        1.0,
        0.0,
        "opengraph",
    )
    message = drift_message("ndr", flags)
    assert "title source: jsonld 100% -> 0% (now mostly opengraph)" in message
    assert "authors per article 1.60 -> 0.40" in message
    # a minority of articles moving is no drift; neither is a small fall of authors per article
    some = {**USUAL, "title": {"jsonld": 0.6, "opengraph": 0.4}}
    assert drift(healthy(sources=some, authors_per_article=1.3), base, t) == []
    # a field that is gone is the coverage rule's business
    assert fields(drift(healthy(sources={**USUAL, "published": {}}, published=0.0), base, t)) == {"published"}
    # history recorded before sources were: no source flags
    old = baseline([healthy()], t)
    assert drift(healthy(sources=moved, authors_per_article=0.0), old, t) == []


def test_the_layer_a_site_file_names_is_the_usual_one() -> None:
    t = Thresholds()
    mixed = {"title": {"selectors": 0.55, "jsonld": 0.45}}
    base = baseline([healthy(sources=mixed)], t)
    named = {"title": "selectors"}
    flags = drift(healthy(sources={"title": {"jsonld": 1.0}}, site_file=named), base, t)
    assert [(f["field"], f["layer"], f["now"]) for f in flags] == [("title_source", "selectors", "jsonld")]
    assert drift(healthy(sources=mixed, site_file=named), base, t) == []


def test_named_layers() -> None:
    from crawler.extract import SiteSelectors
    from crawler.health import named_layers

    assert named_layers(None) == {}
    assert named_layers(SiteSelectors(title_order=("jsonld",))) == {"title": "jsonld"}
    assert named_layers(SiteSelectors(title_order=("h1",), body="div.text", authors=".by")) == {
        "title": "fallback", "body": "selectors", "authors": "selectors"}  # fmt: skip


def test_baseline_skips_drifted_and_small_runs() -> None:
    t = Thresholds(baseline_runs=3)
    broken = healthy(published=0.0, drift=[{"field": "published", "baseline": 1.0, "current": 0.0}])
    tiny = healthy(articles=1, published=0.0)
    history = [healthy(body_chars=1000), healthy(body_chars=3000), healthy(body_chars=2000), broken, tiny]
    base = baseline(history, t)
    assert base is not None and base["runs"] == 3 and base["published"] == 1.0 and base["body_chars"] == 2000
    assert drift(healthy(), base, t) == []
    # median over the last baseline_runs healthy runs
    assert baseline([healthy(body_chars=1), *history], t) == base


def history_round_trip(uri: str) -> None:
    store = open_state(uri)
    try:
        for i in range(5):
            store.add_health(
                HealthEntry("ndr", f"run{i}", f"2024-05-0{i + 1}T10:00:00+00:00", {"n": i}), keep=3
            )
        store.add_health(HealthEntry("br", "runx", "2024-05-01T10:00:00+00:00", {"n": 9}))
        ndr = store.health_history("ndr")
        assert [e.run for e in ndr] == ["run2", "run3", "run4"] and ndr[-1].health == {"n": 4}
        assert [e.run for e in store.health_history("ndr", limit=2)] == ["run3", "run4"]
        assert [(e.site, e.run) for e in store.health_history()] == [
            ("br", "runx"),
            ("ndr", "run2"),
            ("ndr", "run3"),
            ("ndr", "run4"),
        ]
        assert store.health_history("nosuchsite") == []
    finally:
        store.close()


def test_history_sqlite(tmp_path: Path) -> None:
    history_round_trip(str(tmp_path / "state.sqlite"))


def test_history_redis() -> None:
    with RedisServer() as server:
        history_round_trip(server.url + "?prefix=healthtest")


# --- end to end ---


def crawl(mirror: Mirror, work: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with MirrorServer(mirror) as server:
        return cli("crawl", SITE, "--mirror", server.url, *FAST, *extra, cwd=work)


def new_layout(page: str) -> str:
    """The same article after a relaunch: no structured data, the article markup renamed."""
    page = re.sub(r"<script[^>]*application/ld\+json.*?</script>", "", page, flags=re.S | re.I)
    page = re.sub(
        r"<meta[^>]+(?:property|name)=\"(?:og:|article:|twitter:|date|author)[^>]*>", "", page, flags=re.I
    )
    page = re.sub(r"\s(?:itemprop|itemscope|itemtype)(?:=\"[^\"]*\")?", "", page)
    return re.sub(
        r"<(/?)(article|p|h1|time)\b[^>]*>",
        lambda m: f"<{m.group(1)}div" + ("" if m.group(1) else ' class="x"') + ">",
        page,
        flags=re.I,
    )


def relaunch(mirror: SyntheticMirror, layout: Callable[[str], str] = new_layout) -> None:
    """Serve every article page of SITE in the new layout (a new ETag, so a recheck fetches it)."""
    for url in mirror.expected[SITE]:
        host, key = host_of(url), path_key(url)
        old = mirror.get(host, key)
        assert old is not None
        body = layout(old.body.decode("utf-8")).encode("utf-8")
        mirror.resources[host][key] = Resource(200, {**old.headers, "ETag": '"relaunched"'}, body)


def restore(mirror: SyntheticMirror) -> None:
    for url in mirror.expected[SITE]:
        mirror.resources.get(host_of(url), {}).pop(path_key(url), None)


@pytest.fixture(scope="module")
def mirror() -> Iterator[SyntheticMirror]:
    spec = SiteSpec.from_spider(site_classes()[SITE])
    yield build_synthetic_mirror([spec], fixtures_dir(), per_site=5)


def last_health(archive: Path) -> dict[str, Any]:
    reader = open_archive(str(archive))
    manifests = [reader.manifest(c) for c in reader.manifests()]
    with_health = [m for m in manifests if "health" in m]
    assert with_health, "the run's last manifest carries its health"
    health: dict[str, Any] = with_health[-1]["health"][SITE]
    return health


def test_relaunched_layouts_raise_the_alert_once(mirror: SyntheticMirror, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    first = crawl(mirror, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert f"health {SITE}: 5 articles" in first.stdout and "drift" not in first.stdout
    h1 = last_health(archive)
    assert h1["articles"] == 5 and h1["drift"] == [] and h1["body"] == 1.0 and h1["published"] == 1.0

    relaunch(mirror)
    second = crawl(mirror, tmp_path, "--recheck")
    assert second.returncode == EXIT_DRIFT, second.stdout + second.stderr[-3000:]
    warning = next(line for line in second.stdout.splitlines() if "extraction drift" in line)
    assert f"site {SITE}" in warning
    flagged = {str(f["field"]) for f in last_health(archive)["drift"]}
    assert {"published", "layers"} <= flagged, flagged
    assert all(name in warning for name in flagged)
    assert "extraction drift" in second.stderr  # logged too

    restore(mirror)
    third = crawl(mirror, tmp_path, "--recheck")
    assert third.returncode == 0, third.stdout + third.stderr[-3000:]
    assert "extraction drift" not in third.stdout
    assert last_health(archive)["drift"] == []

    table = cli("health", "--archive", str(archive), cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if line.startswith(SITE)]
    assert len(rows) == 3 and "published" in rows[1] and "layers" in rows[1], table.stdout
    assert "published" not in rows[0] and "published" not in rows[2]
    as_json = cli("health", "--archive", str(archive), "--site", SITE, "--json", cwd=tmp_path)
    runs = json.loads(as_json.stdout)
    assert [bool(r["health"]["drift"]) for r in runs] == [False, True, False]
    assert runs[0]["health"]["articles"] == 5 and runs[0]["run"]
    nothing = cli("health", "--archive", str(archive), "--site", "br", cwd=tmp_path)
    assert nothing.returncode == 0 and "no health history" in nothing.stderr
    unknown = cli("health", "--archive", str(archive), "--site", "nosuchsite", cwd=tmp_path)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr

    out = tmp_path / "report.html"
    report = cli("report", "--archive", str(archive), "--out", str(out), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    page = out.read_text()
    assert 'id="health"' in page and "Drift alerts" in page
    assert re.search(r"<td>ndr</td><td>[^<]*published", page), "the alert names site and fields"

    lost_jsonld_raises_the_alert(mirror, tmp_path, last_health(archive))


def without_jsonld(page: str) -> str:
    """The same article after a relaunch that dropped only the JSON-LD: OpenGraph and meta tags fill in."""
    return re.sub(r"<script[^>]*application/ld\+json.*?</script>", "", page, flags=re.S | re.I)


def lost_jsonld_raises_the_alert(mirror: SyntheticMirror, tmp_path: Path, before: dict[str, Any]) -> None:
    """After healthy runs: a relaunch that drops only the JSON-LD drifts (exit 5); the next normal run not."""
    # the headline is the printed one (fallback layer) before and after; dates and authors came from the JSON-LD
    assert before["sources"]["title"] == {"fallback": 1.0} and before["site_file"] == {}
    assert before["sources"]["published"] == {"jsonld": 1.0}
    relaunch(mirror, without_jsonld)
    try:
        lost = crawl(mirror, tmp_path, "--recheck")
    finally:
        restore(mirror)
    assert lost.returncode == EXIT_DRIFT, lost.stdout + lost.stderr[-3000:]
    h = last_health(tmp_path / "archive")
    # what the older rules see: every field still there, the structured share down by a third at most: no flag
    assert all(h[name] == before[name] for name in ("title", "body", "published", "authors")), h
    assert h["structured"] >= before["structured"] * 2 / 3, h
    flagged = {str(f["field"]) for f in h["drift"]}
    assert "published_source" in flagged and "title_source" not in flagged, (
        flagged,
        h["sources"],
        before["sources"],
    )
    assert not flagged - {f"{name}_source" for name in FIELDS} - {"authors_per_article"}, flagged
    warning = next(line for line in lost.stdout.splitlines() if "extraction drift" in line)
    assert "published source: jsonld 100% -> 0%" in warning

    normal = crawl(mirror, tmp_path, "--recheck")
    assert normal.returncode == 0, normal.stdout + normal.stderr[-3000:]
    assert last_health(tmp_path / "archive")["drift"] == []
