"""Copy the saved pages of registry titles on a platform base (crawler/spiders/platforms.py) into the tests.

For every registry entry with a ``platform`` whose name is a directory of the German evaluation corpus (fundus
test data, see tests/fixtures/sites/README.md), this writes tests/fixtures/platforms/<site>/<case>/page.html.gz
and expected.json, as scripts/make_fixtures.py does for the registered site files.

Usage: python scripts/make_platform_fixtures.py [CORPUS_DE] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_fixtures import DEFAULT_CORPUS, REPO, site_of, write_case

from crawler.sites import load_registry, site_classes

DEFAULT_OUT = REPO / "tests" / "fixtures" / "platforms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    files = set(site_classes())
    titles = {e.name for e in load_registry() if e.platform and e.name not in files}
    cases = sorted(p.name for p in args.corpus.iterdir() if p.is_dir() and site_of(p.name) in titles)
    if not cases:
        print(f"no saved page of a platform title in {args.corpus}", file=sys.stderr)
        return 2
    for case in cases:
        write_case(args.corpus, args.out, case)
        print(f"{site_of(case)}/{case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
