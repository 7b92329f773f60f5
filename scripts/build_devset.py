"""(Re)build the second development set, tests/fixtures/devset/newspaper4k/, from newspaper4k's sdist on PyPI.

newspaper4k (MIT) ships, in its source distribution, saved news pages (tests/data/html/<case>.html) with the
text its tests expect (tests/data/txt/<case>.txt) and the metadata they expect (tests/data/metadata/<case>.json:
url, title, ...). This script takes the pages written in a language whose words are separated by spaces (the
scorer counts whitespace tokens), leaves out the three CNN pages of 2.5 MB and more and a duplicate page, and
writes each as DIR/<case>/page.html.gz with an expected.json that `newsarchive eval` scores: url, title and
body. Authors and dates are not scored here: the expected metadata holds newspaper4k's own guesses ("Print",
"on December" as authors; dates without their time of day).

Usage: python scripts/build_devset.py [--sdist newspaper4k-0.9.6.tar.gz] [--out DIR]
Without --sdist the sdist is fetched with `pip download` and checked against its known SHA-256.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "devset" / "newspaper4k"
VERSION = "0.9.6"
SHA256 = "a3f2f0e017dddb6f1019ee77aaa8980e13e6ecea0b949abc7167aae4770d2d0e"
CASES = (
    "article_with_br", "article_with_divs", "cleveland.com1", "cnn_article", "fox13now_001", "time_001",
    "video_article_02", "wired_001", "yna_co_kr", "spanish_article", "arabic_article",
)  # fmt: skip


def download(into: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         f"newspaper4k=={VERSION}", "-d", str(into)],
        check=True,
    )  # fmt: skip
    return next(into.glob(f"newspaper4k-{VERSION}.tar.gz"))


def check_sha256(archive: Path, expected: str, what: str) -> None:
    """Stop unless ``archive`` is the exact release the set is built from."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != expected:
        raise SystemExit(f"{archive} has SHA-256 {digest}, expected {expected} ({what})")


def tar_reader(tar: tarfile.TarFile, root: str, archive: Path) -> Callable[[str], bytes]:
    """``member(path)``: the bytes of ``root/path`` in ``tar`` (a missing one stops the build)."""

    def member(path: str) -> bytes:
        handle = tar.extractfile(f"{root}/{path}")
        if handle is None:
            raise SystemExit(f"{path} missing from {archive}")
        return handle.read()

    return member


def write_case(out: Path, case: str, page: bytes, expected: dict[str, object]) -> None:
    """One page of a development set: ``out/<case>/page.html.gz`` and its ``expected.json``."""
    target = out / case
    target.mkdir(parents=True, exist_ok=True)
    (target / "page.html.gz").write_bytes(gzip.compress(page, compresslevel=9, mtime=0))
    (target / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def build(sdist: Path, out: Path) -> int:
    check_sha256(sdist, SHA256, f"newspaper4k {VERSION}")
    with tarfile.open(sdist) as tar:
        member = tar_reader(tar, f"newspaper4k-{VERSION}/tests/data", sdist)

        for case in CASES:
            meta = json.loads(member(f"metadata/{case}.json"))
            text = member(f"txt/{case}.txt").decode("utf-8")
            body = "\n\n".join(p.strip() for p in text.split("\n") if p.strip())
            expected = {
                "url": meta["url"],
                "title": meta["title"],
                "body": body,
                "language": meta.get("language"),
            }
            write_case(out, case, member(f"html/{case}.html"), expected)
    return len(CASES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help=f"newspaper4k-{VERSION}.tar.gz (default: pip download)")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory (default: %(default)s)")
    args = parser.parse_args()
    if args.sdist is not None:
        count = build(args.sdist, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            count = build(download(Path(tmp)), args.out)
    print(f"build_devset: {count} pages in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
