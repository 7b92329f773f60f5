"""lxml (the extraction's parser) against a lexbor-based DOM (selectolax) on the evaluation pages: CPU and trees.

A measurement only: the extraction keeps lxml. For each page of the corpora (default: the German corpus and the
two development sets, as scripts/extract_cost.py) it times, in CPU milliseconds a page (the best of --repeat
passes):

* ``parse``: parse the page and free the tree (lxml through crawler.extract.dom.parse, with the extraction's
  parser options; selectolax's ``LexborHTMLParser``);
* ``parse_text``: the same plus the text of every ``<p>`` and every ``<a>`` (what the body and link-density
  measures read);

and compares the trees: pages whose ``<p>`` count differs, and the word-level F1 of all ``<p>`` text of one parser
against the other's (1.0: the same words). selectolax is not a dependency: ``.venv/bin/pip install selectolax``
first.

Usage: python scripts/parser_cost.py [CORPUS_DIR ...] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from extract_cost import DEFAULTS, best  # the same corpora and the same timing as the extraction's cost

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def f1(a: str, b: str) -> float:
    x, y = Counter(a.split()), Counter(b.split())
    if not x and not y:
        return 1.0
    common = sum((x & y).values())
    if not common:
        return 0.0
    precision, recall = common / sum(x.values()), common / sum(y.values())
    return 2 * precision * recall / (precision + recall)


def main() -> int:
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        raise SystemExit("selectolax is not installed: .venv/bin/pip install selectolax") from None
    from crawler.evaluate import page_dirs, read_page
    from crawler.extract.dom import parse, to_utf8

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, help="corpus directories (default: the eval sets)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the pages (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    pages: list[bytes] = []
    for corpus in args.corpus or [c for c in DEFAULTS if c.is_dir()]:
        for page_dir in page_dirs(corpus):
            html = read_page(page_dir)
            if html is not None:
                pages.append(to_utf8(html))
    if not pages:
        parser.error("no pages")

    def lxml_parse() -> None:
        for page in pages:
            root = parse(page)
            del root

    def lexbor_parse() -> None:
        for page in pages:
            tree = LexborHTMLParser(page)
            del tree

    def lxml_text() -> list[str]:
        out = []
        for page in pages:
            root = parse(page)
            if root is None:
                out.append("")
                continue
            paragraphs = [p.text_content() for p in root.iter("p")]
            [a.text_content() for a in root.iter("a")]
            out.append("\n".join(paragraphs))
        return out

    def lexbor_text() -> list[str]:
        out = []
        for page in pages:
            tree = LexborHTMLParser(page)
            paragraphs = [p.text(deep=True) for p in tree.css("p")]
            [a.text(deep=True) for a in tree.css("a")]
            out.append("\n".join(paragraphs))
        return out

    for run in (lxml_parse, lexbor_parse, lxml_text, lexbor_text):  # warm-up
        run()
    result: dict[str, object] = {"pages": len(pages)}
    for name, run in (
        ("lxml_parse", lxml_parse),
        ("lexbor_parse", lexbor_parse),
        ("lxml_parse_text", lxml_text),
        ("lexbor_parse_text", lexbor_text),
    ):
        result[f"{name}_ms"] = best(args.repeat, len(pages), run, digits=3)
    ours, theirs = lxml_text(), lexbor_text()
    counts = [
        (
            sum(1 for _ in r.iter("p")) if (r := parse(page)) is not None else 0,
            len(LexborHTMLParser(page).css("p")),
        )
        for page in pages
    ]
    result["pages_with_other_p_count"] = sum(1 for a, b in counts if a != b)
    result["p_total_lxml_lexbor"] = [sum(a for a, _ in counts), sum(b for _, b in counts)]
    scores = [f1(a, b) for a, b in zip(ours, theirs, strict=True)]
    result["p_text_f1_mean"] = round(sum(scores) / len(scores), 4)
    result["p_text_f1_min"] = round(min(scores), 4)
    result["pages_p_text_f1_below_0.99"] = sum(1 for s in scores if s < 0.99)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
