"""Extraction benchmark: newsarchive's extractor and peer extractors side by side on one corpus.

Every extractor is scored by crawler.evaluate.evaluate, so all rows use the same pages, metrics, warm-up
(one page) and timing (time.perf_counter around each call, averaged per page). The extractors run one
after another in one process (sequentially, not interleaved per page). A peer that raises on a page
scores that page as an empty extraction; a peer that is not installed is reported as "not installed".
Peers (requirements-bench.txt) are never runtime dependencies: scripts/bench_extract.sh installs them
into .venv-bench.

Usage: python scripts/bench_extract.py [CORPUS_DIR ...] [--json] [--only NAME ...] [--records DIR]
Without CORPUS_DIR: the German corpus beside the repository (../shared/corpus/de, when present) and the
development sets in the repository (tests/fixtures/devset/newspaper4k, readability and trafilatura).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode

from crawler.evaluate import evaluate

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "de"
# the development sets in the repository (tests/fixtures/devset/README.md)
DEVSET = REPO / "tests" / "fixtures" / "devset" / "newspaper4k"
READABILITY_SET = REPO / "tests" / "fixtures" / "devset" / "readability"
TRAFILATURA_SET = REPO / "tests" / "fixtures" / "devset" / "trafilatura"
METRICS = [
    "body_f1", "snippets", "title_exact", "authors_exact", "published_exact", "ms_per_page", "cpu_ms_per_page"
]  # fmt: skip
# the pages a metric is computed over; a metric over no pages is shown as "–"
COUNTS = {
    "body_f1": "body_pages",
    "snippets": "snippet_pages",
    "title_exact": "title_pages",
    "authors_exact": "authors_pages",
    "published_exact": "published_pages",
}
MODE = "sequential: each extractor over all pages in turn, one process, one warm-up page each"

Extract = Callable[[str | bytes, str, Any], dict[str, Any]]
SelectorsFor = Callable[[str], Any]


@dataclass(frozen=True)
class Contender:
    """An extractor in the benchmark; load() raises ImportError when it is not installed."""

    name: str
    dist: str | None
    load: Callable[[], Extract]


def as_text(html: str | bytes) -> str:
    """Page as str (encoding from BOM / meta charset, else UTF-8), the input the peers document."""
    return html if isinstance(html, str) else html_to_unicode(None, html)[1]


BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
     "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main", "ol", "p", "pre", "section",
     "table", "td", "th", "tr", "ul"}
)  # fmt: skip


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one block a paragraph, paragraphs joined by blank lines."""
    if not fragment.strip():
        return ""
    root = lxml_html.fromstring(fragment)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n\n".join(line for line in lines if line)


def load_newsarchive() -> Extract:
    from crawler.extract import extract

    return extract


def load_trafilatura() -> Extract:
    import trafilatura

    def run(html: str | bytes, url: str, selectors: Any) -> dict[str, Any]:
        document = trafilatura.bare_extraction(as_text(html), url=url or None, with_metadata=True)
        if document is None:
            return {}
        data: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
        authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
        return {"title": data.get("title"), "body": data.get("text") or "", "authors": authors,
                "published": data.get("date")}  # fmt: skip

    return run


def load_readability() -> Extract:
    from readability import Document

    def run(html: str | bytes, url: str, selectors: Any) -> dict[str, Any]:
        document = Document(as_text(html), url=url or None)
        return {"title": document.short_title(), "body": html_text(document.summary(html_partial=True))}

    return run


def load_newspaper() -> Extract:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "nltk is not installed": its NLP features are not used here
        from newspaper import Article

    def run(html: str | bytes, url: str, selectors: Any) -> dict[str, Any]:
        # No network: images are not fetched, meta refresh is not followed.
        article = Article(url, fetch_images=False, follow_meta_refresh=False)
        article.download(input_html=as_text(html))
        article.parse()
        published = article.publish_date
        return {"title": article.title or None, "body": article.text or "", "authors": list(article.authors),
                "published": published.isoformat() if published else None}  # fmt: skip

    return run


# our extractor without any site's selectors: what a site given by its URL gets (`newsarchive eval --no-selectors`)
NO_SELECTORS = "newsarchive --no-selectors"
CONTENDERS = [
    Contender("newsarchive", "newsarchive", load_newsarchive),
    Contender(NO_SELECTORS, "newsarchive", load_newsarchive),
    Contender("trafilatura", "trafilatura", load_trafilatura),
    Contender("readability-lxml", "readability-lxml", load_readability),
    Contender("newspaper4k", "newspaper4k", load_newspaper),
]


def never_raises(extractor: Extract, failures: list[str]) -> Extract:
    """The extractor, with any exception turned into an empty extraction ({}) and noted in failures."""

    def run(html: str | bytes, url: str, selectors: Any) -> dict[str, Any]:
        try:
            return extractor(html, url, selectors)
        except Exception as exc:  # a failing peer scores the page as empty
            failures.append(f"{url}: {type(exc).__name__}: {exc}")
            return {}

    return run


def site_selectors() -> tuple[SelectorsFor | None, set[str]]:
    """URL -> the site's selectors, as `newsarchive eval` uses them, and the URLs that got some."""
    try:
        from crawler.sites import site_classes, site_for_url

        classes = site_classes()
    except Exception:  # without the site registry the generic layers run alone
        return None, set()
    used: set[str] = set()

    def selectors_for(url: str) -> Any:
        site = site_for_url(url, classes)
        selectors = site.selectors if site else None
        if selectors is not None:
            used.add(url)
        return selectors

    return selectors_for, used


def shown_path(path: Path) -> str:
    """path relative to the repository when it lies beside it (e.g. ../shared/corpus/de), else as given."""
    full = path.resolve()
    return Path(os.path.relpath(full, REPO)).as_posix() if full.is_relative_to(REPO.parent) else str(path)


def version_of(contender: Contender) -> str | None:
    if contender.dist == "newsarchive":
        from crawler.extract import EXTRACTOR_VERSION

        return str(EXTRACTOR_VERSION)
    try:
        return metadata.version(contender.dist) if contender.dist else None
    except metadata.PackageNotFoundError:
        return None


def bench(
    corpus: Path,
    contenders: Sequence[Contender] = tuple(CONTENDERS),
    records_dir: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every contender over corpus, one after another; scores per contender."""
    rows: list[dict[str, Any]] = []
    selectors_for, selector_urls = site_selectors()
    pages = 0
    for contender in contenders:
        row: dict[str, Any] = {"extractor": contender.name, "version": None, "status": "ok"}
        rows.append(row)
        try:
            extractor = contender.load()
        except ImportError as exc:
            row["status"] = "not installed"
            row["error"] = str(exc)
            continue
        except Exception as exc:  # a peer that cannot even load is reported, not fatal
            row["status"] = "failed to load"
            row["error"] = f"{type(exc).__name__}: {exc}"
            continue
        row["version"] = version_of(contender)
        if log:
            log(f"{contender.name} {row['version'] or ''}".rstrip())
        ours = contender.name == "newsarchive"
        failures: list[str] = []
        out = None
        if records_dir is not None:
            records_dir.mkdir(parents=True, exist_ok=True)
            out = open(records_dir / f"{contender.name.replace(' --', '-')}.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        try:
            scores = evaluate(
                corpus,
                records_out=out,
                selectors_for=selectors_for if ours else None,
                extractor=never_raises(extractor, failures),
            )
        finally:
            if out is not None:
                out.close()
        pages = int(scores["pages"])
        row.update({key: scores[key] for key in METRICS})
        row.update({key: scores.get(key) for key in COUNTS.values()})
        row["raised"] = len(failures)  # calls that raised (the warm-up call included)
        if failures and log:
            log(f"{contender.name} raised on {len(failures)} call(s), first: {failures[0][:300]}")
    return {
        "corpus": shown_path(corpus),
        "pages": pages,
        "pages_with_site_selectors": len(selector_urls),
        "mode": MODE,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "results": rows,
    }


def markdown(report: dict[str, Any]) -> str:
    """The results as a Markdown table, with a short note on how they were measured."""
    lines = [
        "| extractor | " + " | ".join(METRICS) + " |",
        "|---|" + "---:|" * len(METRICS),
    ]
    for row in report["results"]:
        name = f"{row['extractor']} {row['version']}" if row.get("version") else row["extractor"]
        if row["status"] != "ok":
            cells = [row["status"]] + ["–"] * (len(METRICS) - 1)
        else:
            cells = [
                "–" if row.get(COUNTS.get(key, "")) == 0 else f"{row[key]:.3f}" for key in METRICS[:-2]
            ] + [f"{row['ms_per_page']:.1f}", f"{row['cpu_ms_per_page']:.1f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"{report['pages']} pages of {report['corpus']}; {report['mode']}; "
        f"ms_per_page / cpu_ms_per_page = mean wall / CPU time per page (time.perf_counter / "
        f"time.process_time); {report['date']}, "
        f"Python {report['python']}, {report['machine']}; "
        f"site selectors used on {report['pages_with_site_selectors']} pages.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path,
                        help="DIR/<case>/page.html + expected.json, one table each (default: "
                        f"{shown_path(DEFAULT_CORPUS)} when present, {shown_path(DEVSET)} and "
                        f"{shown_path(READABILITY_SET)}, {shown_path(TRAFILATURA_SET)})")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of the Markdown table")
    names = [c.name for c in CONTENDERS]
    parser.add_argument(
        "--only", nargs="+", choices=names, metavar="NAME", help="run only these: " + ", ".join(names)
    )
    parser.add_argument("--records", type=Path, metavar="DIR", help="write DIR/<extractor>.jsonl records")
    args = parser.parse_args(argv)
    defaults = (DEFAULT_CORPUS, DEVSET, READABILITY_SET, TRAFILATURA_SET)
    corpora: list[Path] = args.corpus or [c for c in defaults if c.is_dir()]
    for corpus in corpora:
        if not corpus.is_dir():
            parser.error(f"not a directory: {corpus}")
    chosen = [c for c in CONTENDERS if not args.only or c.name in args.only]

    def log(message: str) -> None:
        print(f"bench-extract: {message}", file=sys.stderr, flush=True)

    reports = []
    for corpus in corpora:
        records = args.records / corpus.name if args.records and len(corpora) > 1 else args.records
        reports.append(bench(corpus, chosen, records, log))
    if args.json:
        print(json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(markdown(report) for report in reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
