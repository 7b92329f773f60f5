"""Extraction quality on a corpus of pages with expected output (DIR/<page>/page.html + expected.json)."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from crawler.extract import SiteSelectors, extract
from crawler.extract.dates import BERLIN

Progress = Callable[[int, int, str], None]


def tokens(text: str | None) -> Counter[str]:
    """Multiset of lower-case whitespace-separated tokens."""
    return Counter((text or "").lower().split())


def token_f1(expected: str | None, extracted: str | None) -> float:
    """F1 of the token multisets; 0 when either side is empty."""
    want, got = tokens(expected), tokens(extracted)
    if not want or not got:
        return 0.0
    common = sum((want & got).values())
    if not common:
        return 0.0
    precision = common / sum(got.values())
    recall = common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.IGNORECASE)
_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u200c\u200d\u2060\ufeff")


def collapse(text: object) -> str:
    """Whitespace-collapsed string without soft hyphens and zero-width characters ("" for None and
    non-strings)."""
    return " ".join(text.translate(_INVISIBLE).split()) if isinstance(text, str) else ""


_QUOTES = str.maketrans({c: '"' for c in "„“”«»″"} | {c: "'" for c in "‚‘’‹›′"})


def title_match(expected: str | None, extracted: object, kicker: object = None) -> bool:
    """Titles equal after collapsing whitespace, typographic and straight quotes taken as one.

    ``kicker``: the extracted kicker, for an expected record written before titles and kickers were apart
    (it has no ``kicker`` key): there, "Kicker: Headline" also matches the headline with its kicker.
    """
    want, got = collapse(expected).translate(_QUOTES), collapse(extracted).translate(_QUOTES)
    if want == got:
        return True
    joined = f"{collapse(kicker).translate(_QUOTES)}: {got}" if collapse(kicker) and got else ""
    return bool(joined) and want == joined


def kicker_match(expected: str | None, extracted: object) -> bool:
    """Kickers equal after collapsing whitespace; an expected null matches a missing kicker."""
    return collapse(expected) == collapse(extracted)


def snippet_checks(expected: dict[str, Any], extracted: object) -> list[bool]:
    """Per snippet of ``body_with`` / ``body_without``: whether the body contains it / leaves it out."""
    body = collapse(extracted)
    return [collapse(s) in body for s in expected.get("body_with") or []] + [
        collapse(s) not in body for s in expected.get("body_without") or []
    ]


def authors_match(expected: list[str], extracted: object, own: Callable[[str], bool] | None = None) -> bool:
    """Author sets equal (whitespace collapsed).

    ``own``: whether a name is the site's own brand, channel or domain. An expected record may list those as
    authors (an older convention: "ndr.de" where nobody is credited, "MDR SACHSEN-ANHALT" beside a person);
    the extraction names people, agencies and desks only, so the expected set without them also matches.
    """
    if not isinstance(extracted, list):
        return False
    got = {collapse(a) for a in extracted if isinstance(a, str)}
    want = {collapse(a) for a in expected}
    if want == got:
        return True
    return own is not None and {a for a in want if not own(a)} == got and any(own(a) for a in want)


def own_names(url: str, record: dict[str, Any]) -> Callable[[str], bool]:
    """Whether a name is the site's own: a domain, or the site's name (host or publisher) it starts with."""
    from crawler.extract.titles import site_key, site_keys

    keys = {k for k in site_keys(url, [record.get("site_publisher")]) if len(k) >= 3}

    def own(name: str) -> bool:
        key = site_key(name)
        return bool(_DOMAIN.match(name.strip())) or any(key.startswith(k) or k.startswith(key) for k in keys)

    return own


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=BERLIN)


def date_match(expected: str | None, extracted: object) -> bool:
    """Same instant to the minute; naive values are Europe/Berlin. An expected day alone ("2020-01-20")
    matches any time of that day (as the extracted value writes it)."""
    want, got = _instant(expected), _instant(extracted)
    if want is None or got is None:
        return False
    if isinstance(expected, str) and len(expected.strip()) == 10:
        return want.date() == got.date()
    return int(want.timestamp()) // 60 == int(got.timestamp()) // 60


def read_page(page_dir: Path) -> str | bytes | None:
    """page.html (or page.html.gz) as bytes, None if missing."""
    plain, packed = page_dir / "page.html", page_dir / "page.html.gz"
    if plain.is_file():
        return plain.read_bytes()
    if packed.is_file():
        return gzip.decompress(packed.read_bytes())
    return None


def page_dirs(corpus_dir: Path) -> list[Path]:
    """Page directories (with an expected.json and a page) in name order."""
    return sorted(
        p.parent
        for p in corpus_dir.glob("*/expected.json")
        if (p.parent / "page.html").is_file() or (p.parent / "page.html.gz").is_file()
    )


def evaluate(
    corpus_dir: Path,
    records_out: TextIO | None = None,
    progress: Progress | None = None,
    selectors_for: Callable[[str], SiteSelectors | None] | None = None,
    extractor: Callable[[str | bytes, str, SiteSelectors | None], dict[str, Any]] = extract,
    only: set[str] | None = None,
) -> dict[str, float | int]:
    """Score extraction over every DIR/*/page.html[.gz] with its expected.json.

    body_f1: mean per-page F1 of lower-case token multisets (empty or failed extraction = 0), over the pages
    with an expected body; snippets: share of the ``body_with`` snippets found in the body and ``body_without``
    snippets left out of it (pages that give snippets instead of a body, ``snippet_pages``);
    title_exact / kicker_exact / authors_exact / published_exact: share of pages (having that expected key)
    whose whitespace-collapsed title, kicker, author set, or date to the minute (naive = Europe/Berlin; a day
    alone to the day) match; an expected record without a ``kicker`` key joins title and kicker the old way
    ("Kicker: Headline") when the headline alone differs;
    ms_per_page / cpu_ms_per_page: mean extraction wall / CPU time (this process) after one warm-up run on the
    first page; title_pages / authors_pages /
    published_pages: how many pages have that expected key (a share over 0 pages is reported as 0.0).
    records_out gets one JSON line per page: {"dir": ..., "record": <extracted dict>}. ``only``: the names of
    the page directories to score (all when None).
    """
    dirs = [d for d in page_dirs(Path(corpus_dir)) if only is None or d.name in only]
    f1s: list[float] = []
    snippets: list[bool] = []
    titles: list[bool] = []
    kickers: list[bool] = []
    authors: list[bool] = []
    dates: list[bool] = []
    times: list[float] = []
    cpu: list[float] = []
    for index, page_dir in enumerate(dirs):
        expected: dict[str, Any] = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
        html = read_page(page_dir)
        url = str(expected.get("url") or "")
        selectors = selectors_for(url) if selectors_for is not None else None
        if index == 0 and html is not None:
            extractor(html, url, selectors)  # warm-up: imports, caches
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            record = extractor(html, url, selectors) if html is not None else {}
        except Exception:
            record = {}
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        if "body_with" in expected or "body_without" in expected:
            snippets += snippet_checks(expected, record.get("body"))
        else:
            f1s.append(token_f1(expected.get("body"), record.get("body")))
        if "title" in expected and expected["title"] is not None:
            joined = None if "kicker" in expected else record.get("kicker")
            titles.append(title_match(expected["title"], record.get("title"), joined))
        if "kicker" in expected:
            kickers.append(kicker_match(expected["kicker"], record.get("kicker")))
        if expected.get("authors"):
            authors.append(authors_match(expected["authors"], record.get("authors"), own_names(url, record)))
        if expected.get("published"):
            dates.append(date_match(expected["published"], record.get("published")))
        if records_out is not None:
            rel = page_dir.relative_to(corpus_dir).as_posix()
            records_out.write(
                json.dumps({"dir": rel, "record": record}, ensure_ascii=False, default=str) + "\n"
            )
        if progress is not None:
            progress(index + 1, len(dirs), page_dir.name)

    def mean(values: list[float] | list[bool]) -> float:
        return round(sum(values) / len(values), 4) if values else 0.0

    return {
        "pages": len(dirs),
        "body_f1": mean(f1s),
        "snippets": mean(snippets),
        "title_exact": mean(titles),
        "kicker_exact": mean(kickers),
        "authors_exact": mean(authors),
        "published_exact": mean(dates),
        "ms_per_page": round(1000 * sum(times) / len(times), 2) if times else 0.0,
        "cpu_ms_per_page": round(1000 * sum(cpu) / len(cpu), 2) if cpu else 0.0,
        "body_pages": len(f1s),
        "snippet_pages": len(dirs) - len(f1s),
        "title_pages": len(titles),
        "kicker_pages": len(kickers),
        "authors_pages": len(authors),
        "published_pages": len(dates),
    }
