"""Generate the demo's offline mirror pages, shipped as package data, from the site fixtures.

For every tests/fixtures/sites/<site>/<case>/ this writes crawler/demo/pages/<site>/<case>/page.html.gz (the
fixture's gzipped page, byte for byte) and expected.json holding only the fields of the expected record the
mirror uses (url, title, dates, publisher, language, the first paragraph of the body). `pip install .` then
carries everything `newsarchive demo` needs; tests/test_demo_pages.py checks the copy matches its source.

Usage: python scripts/make_demo_pages.py [--check]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tests" / "fixtures" / "sites"
TARGET = REPO / "crawler" / "demo" / "pages"
FIELDS = ("url", "canonical_url", "title", "published", "crawl_date", "publisher", "language")


def page_files(source: Path = SOURCE) -> dict[str, bytes]:
    """Relative path -> content of every file of the packaged pages, generated from ``source``."""
    files: dict[str, bytes] = {}
    for expected_file in sorted(source.glob("*/*/expected.json")):
        case_dir = expected_file.parent
        page = case_dir / "page.html.gz"
        if not page.is_file():
            continue
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        meta = {k: expected[k] for k in FIELDS if expected.get(k) is not None}
        first = str(expected.get("body") or "").split("\n\n", 1)[0]
        if first:
            meta["body"] = first
        rel = f"{case_dir.parent.name}/{case_dir.name}"
        files[f"{rel}/page.html.gz"] = page.read_bytes()
        files[f"{rel}/expected.json"] = (
            json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        ).encode()
    return files


def packaged_files(target: Path = TARGET) -> dict[str, bytes]:
    """Relative path -> content of the pages now under ``target``."""
    return {
        p.relative_to(target).as_posix(): p.read_bytes() for p in sorted(target.rglob("*")) if p.is_file()
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the pages are stale")
    args = parser.parse_args()
    wanted = page_files()
    if args.check:
        stale = wanted != packaged_files()
        print("crawler/demo/pages is stale: run scripts/make_demo_pages.py" if stale else "up to date")
        return int(stale)
    shutil.rmtree(TARGET, ignore_errors=True)
    for rel, content in wanted.items():
        path = TARGET / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    print(f"{len(wanted) // 2} pages written under {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
