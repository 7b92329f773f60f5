"""``newsarchive eval``: score extraction on a corpus of saved pages."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from crawler.runner import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "eval",
        help="score extraction on a corpus of saved pages",
        description="For every DIR/*/page.html with its expected.json, extract and score: body_f1 (pages "
        "with an expected body), snippets (pages with body_with/body_without snippets instead), title_exact, "
        "kicker_exact, authors_exact, published_exact, ms_per_page and cpu_ms_per_page, and how many pages "
        "each score is over (body_pages, snippet_pages, title_pages, kicker_pages, authors_pages, "
        "published_pages). An expected record without a kicker also matches 'Kicker: Headline'; one that "
        "lists the site's own name or domain as an author also matches the authors without it.",
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    p.add_argument("--records", metavar="FILE", help="write one JSON line per page with the extracted record")
    p.add_argument(
        "--no-selectors",
        action="store_true",
        help="use no site's selectors: the extraction a site given by its URL gets",
    )
    p.add_argument(
        "--scope",
        metavar="SCOPE",
        help="only the pages whose entry in DIR/index.json has this scope (e.g. national, regional)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.evaluate import evaluate
    from crawler.sites import site_classes, site_for_url

    corpus = Path(args.dir)
    if not corpus.is_dir():
        raise UsageError(f"not a directory: {corpus}")
    classes = site_classes()

    def selectors_for(url: str) -> Any:
        if args.no_selectors:
            return None
        site = site_for_url(url, classes)
        return site.selectors if site else None

    only: set[str] | None = None
    if args.scope:
        try:
            index = json.loads((corpus / "index.json").read_text(encoding="utf-8"))
            only = {str(p["dir"]) for p in index["pages"] if p.get("scope") == args.scope}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(
                f"--scope needs {corpus / 'index.json'} with pages and their scope: {exc}"
            ) from exc

    out = open(args.records, "w", encoding="utf-8") if args.records else None  # noqa: SIM115
    try:
        scores = evaluate(corpus, records_out=out, selectors_for=selectors_for, only=only)
    finally:
        if out:
            out.close()
    if not scores.get("pages"):
        raise UsageError(f"no pages in {corpus} (expected DIR/<page>/page.html with expected.json)")
    if args.json:
        print(json.dumps(scores))
    else:
        for key, value in scores.items():
            print(f"{key:<16} {value:.3f}" if isinstance(value, float) else f"{key:<16} {value}")
    return 0
