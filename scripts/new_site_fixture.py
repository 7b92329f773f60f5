"""Make a site's test fixture from one saved page: tests/fixtures/sites/<site>/<case>/page.html.gz + expected.json.

    .venv/bin/python scripts/new_site_fixture.py SITE PAGE.html --url URL [--case NAME]

expected.json is written from what the extractor gets today (with the site's selectors), marked
"review": "unreviewed". Read the saved page in a browser, correct title, body, authors and published where the
extraction is wrong, then set "review" to who reviewed it and when. tests/test_sites.py then holds the extractor
to the reviewed record. (Pages of the fundus-derived corpus go through scripts/make_fixtures.py instead.)
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import extract  # noqa: E402
from crawler.sites import site_classes  # noqa: E402

NAME = re.compile(r"^[a-z0-9_]+$")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", help="the site name (its file under crawler/spiders/de/)")
    parser.add_argument("page", type=Path, help="the saved page (.html or .html.gz)")
    parser.add_argument("--url", required=True, help="the URL the page was fetched from")
    parser.add_argument("--case", help="the case name (default: the site name)")
    args = parser.parse_args()
    classes = site_classes()
    if args.site not in classes:
        parser.error(f"unknown site {args.site!r}; add crawler/spiders/de/{args.site}.py first")
    case = args.case or args.site
    if not NAME.match(case):
        parser.error("the case name may hold only a-z, 0-9 and _")
    raw = args.page.read_bytes()
    html = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    record = extract(html, args.url, classes[args.site].selectors)
    out = ROOT / "tests" / "fixtures" / "sites" / args.site / case
    out.mkdir(parents=True, exist_ok=True)
    (out / "page.html.gz").write_bytes(gzip.compress(html, mtime=0))
    expected = {
        "url": args.url,
        "title": record["title"],
        "body": record["body"],
        "authors": record["authors"],
        "published": record["published"],
        "topics": record["keywords"],
        "language": record["language"],
        "publisher": classes[args.site].publisher,
        "source": f"saved page {args.page.name}, fetched from {args.url}",
        "review": "unreviewed",
    }
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {out}/page.html.gz and expected.json: review expected.json against the page now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
