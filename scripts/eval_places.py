"""Precision and recall of the place tagger's ``place`` on the labelled set in tests/fixtures/places/.

With ``--heldout`` it scores the cases written after the rules were fixed (tests/fixtures/places/heldout.jsonl),
which were never used to tune them, instead.

Usage: python scripts/eval_places.py [--corpus ../shared/corpus] [--heldout] [--json]
Without the corpus directory its pages are skipped (the written cases and the pages shipped in the repository
are always scored).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    from crawler.places.evaluate import score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--json", action="store_true", help="the scores as one JSON object")
    parser.add_argument("--heldout", action="store_true", help="score the held-out cases instead")
    args = parser.parse_args()
    corpus = args.corpus if args.corpus.is_dir() else None
    fixtures = REPO / "tests" / "fixtures" / "places"
    if args.heldout:
        result = score(fixtures, REPO, None, sentences="heldout.jsonl", pages=None)
    else:
        result = score(fixtures, REPO, corpus)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for key, value in result.items():
        if key != "errors":
            print(f"{key:<26} {value}")
    for error in result["errors"]:
        print(f"  {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
