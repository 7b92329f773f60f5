"""Near-duplicate clusters (pipelines/cluster.py) on short inline texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.utils.test import get_crawler

from pipelines import cluster
from pipelines.cluster import ClusterPipeline, is_near_duplicate, jaccard, signature
from pipelines.state import SeenEntry, SqliteSeenStore, state_for
from pipelines.text import article_id

AGENCY = (
    "Die Landesregierung will den Ausbau der Radwege in den kommenden fünf Jahren deutlich beschleunigen. "
    "Dafür sollen zusätzlich 120 Millionen Euro bereitstehen, wie das Verkehrsministerium am Montag in "
    "Hannover mitteilte.\n\n"
    "Vorrang haben Verbindungen zwischen kleineren Gemeinden und den Bahnhöfen der Region. Kommunen können "
    "ihre Anträge bis Ende März stellen, über die Vergabe entscheidet eine Kommission des Landes.\n\n"
    "Der Fahrradclub begrüßte die Pläne, forderte aber mehr Personal in den Planungsämtern. Ohne zusätzliche "
    "Stellen blieben viele Projekte auch künftig jahrelang in der Warteschleife, sagte eine Sprecherin."
)
REGIONAL = (
    "Auch in Wolfenbüttel wartet man seit Jahren auf einen Radweg nach Salzgitter.\n\n"
    + AGENCY.replace(" sagte eine Sprecherin.", " sagte eine Sprecherin. (dpa)")
    + "\n\nMehr Nachrichten aus der Region finden Sie auf unserer Startseite."
)
SAME_TOPIC = (
    "Der Stadtrat hat am Donnerstag über neue Radwege in der Innenstadt beraten. Nach langer Debatte "
    "stimmte eine knappe Mehrheit für einen Schutzstreifen an der Hauptstraße, die Opposition kritisierte "
    "den Wegfall von Parkplätzen.\n\n"
    "Die Verwaltung soll nun bis zum Sommer einen Zeitplan vorlegen. Anwohner hatten zuvor mehr als tausend "
    "Unterschriften für sichere Wege zur Schule gesammelt und im Rathaus übergeben."
)


class SiteSpider(Spider):
    name = "test"


def item(site: str, path: str, body: str) -> dict[str, Any]:
    url = f"https://www.{site}.de/{path}"
    return {
        "id": article_id(url),
        "canonical_url": url,
        "site": site,
        "body": body,
        "content_hash": f"sha256:{abs(hash(body)):064x}",
    }


def test_signatures_tell_copies_from_other_articles() -> None:
    a, b, c = signature(AGENCY), signature(REGIONAL), signature(SAME_TOPIC)
    assert a is not None and b is not None and c is not None
    assert signature("Kurze Meldung ohne viel Text.") is None
    j = jaccard(a.packed(), b.packed())
    assert is_near_duplicate(j, a.size, b.size)
    assert set(a.bands()) & set(b.bands())
    j = jaccard(a.packed(), c.packed())
    assert j < 0.1 and not is_near_duplicate(j, a.size, c.size)


def run(tmp_path: Path, items: list[dict[str, Any]], commit: bool = True) -> list[dict[str, Any]]:
    """One crawl in its own process (the uncommitted articles of a process are shared by its crawlers)."""
    cluster._PENDING.clear()
    crawler = get_crawler(SiteSpider, {"STATE_URI": f"sqlite:///{tmp_path}/state.sqlite"})
    pipeline = ClusterPipeline.from_crawler(crawler)
    out = [pipeline.process_item(i) for i in items]
    store = state_for(crawler)
    if commit:  # what the archive pipeline does after the manifest
        store.mark_archived(
            [SeenEntry(i["canonical_url"], i["id"], i["site"], i["content_hash"]) for i in items]
        )
    store.close()
    return out


def test_cluster_id_is_the_first_article_in_one_run_and_across_runs(tmp_path: Path) -> None:
    first, copy, other = run(
        tmp_path,
        [
            item("agentur", "a.html", AGENCY),
            item("lokal", "b.html", REGIONAL),
            item("stadt", "c.html", SAME_TOPIC),
        ],
    )
    assert first.get("cluster") is None  # archived before any copy was seen
    assert (copy["cluster"], copy["near_duplicate_of"]) == (first["id"], first["id"])
    assert other.get("cluster") is None
    # the next run finds both in the index: a third copy joins the cluster of the first article
    (third,) = run(tmp_path, [item("dritte", "d.html", REGIONAL + "\n\nFolgen Sie uns auf Instagram.")])
    assert third["cluster"] == first["id"]
    assert third["near_duplicate_of"] == copy["id"]  # the closest earlier member
    # a revision of the first article: cluster is its own id, it copies nobody
    (revised,) = run(tmp_path, [item("agentur", "a.html", AGENCY + "\n\nAktualisiert am Abend.")])
    assert (revised["cluster"], revised.get("near_duplicate_of")) == (first["id"], None)


def test_index_holds_committed_articles_only(tmp_path: Path) -> None:
    run(tmp_path, [item("agentur", "a.html", AGENCY)], commit=False)  # killed before its commit
    store = SqliteSeenStore(tmp_path / "state.sqlite")
    assert store.near_dup_count() == 0
    store.close()
    (copy,) = run(tmp_path, [item("lokal", "b.html", REGIONAL)])
    assert copy.get("cluster") is None
    store = SqliteSeenStore(tmp_path / "state.sqlite")
    assert store.near_dup_count() == 1
    store.close()


def test_sites_crawled_in_one_process_share_their_uncommitted_articles(tmp_path: Path) -> None:
    cluster._PENDING.clear()
    settings = {"STATE_URI": f"sqlite:///{tmp_path}/state.sqlite"}
    crawlers = [get_crawler(SiteSpider, settings), get_crawler(SiteSpider, settings)]
    agency, regional = (ClusterPipeline.from_crawler(c) for c in crawlers)
    first = agency.process_item(item("agentur", "a.html", AGENCY))
    copy = regional.process_item(item("lokal", "b.html", REGIONAL))
    assert copy["cluster"] == first["id"]
    for c in crawlers:
        state_for(c).close()
    cluster._PENDING.clear()
