"""(Re)build the development set tests/fixtures/devset/trafilatura/ from trafilatura 1.1.0's sdist on PyPI.

trafilatura 1.1.0 (GPL-3.0-or-later; later releases are Apache-2.0) ships, in its source distribution, the saved
pages its own tests read (tests/cache/<name>.html), mostly German news, magazine and blog articles. Its tests
say what the extracted text of each page must contain and must not contain (tests/realworld_tests.py:
``assert 'snippet' in result and 'other' not in result``) and, for some pages, the expected title, author and
date (tests/metadata_tests.py: ``assert metadata.title == '...'``). This script reads both test files as Python
syntax trees (nothing of them is run), keeps the pages that have at least one snippet, and writes each as
DIR/<name>/page.html.gz with an expected.json that `newsarchive eval` scores: url, body_with and body_without
(the snippets), and title, authors and published (a day) where the tests give them.

Usage: python scripts/build_devset_trafilatura.py [--sdist trafilatura-1.1.0.tar.gz] [--out DIR]
Without --sdist the sdist is fetched with `pip download` and checked against its known SHA-256.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from build_devset import check_sha256, tar_reader, write_case  # the same layout as the other sets

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "devset" / "trafilatura"
VERSION = "1.1.0"
SHA256 = "650678fe3b3219795ccc72d8d37d2a9dc8c3070529598fddc2809ccd27c55bc4"
# synthetic markup tests and pages whose snippets test trafilatura's own options, not an article
SKIP = frozenset({"exotic_tags.html", "exotic_tags_tei.html"})


def download(into: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         f"trafilatura=={VERSION}", "-d", str(into)],
        check=True,
    )  # fmt: skip
    return next(into.glob(f"trafilatura-{VERSION}.tar.gz"))


def _literal(node: ast.AST | None, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def _mock_pages(tree: ast.Module) -> dict[str, str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "MOCK_PAGES" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return {str(k): str(v) for k, v in value.items()}
    raise SystemExit("MOCK_PAGES not found")


def _loaded_url(node: ast.AST, names: dict[str, str]) -> str | None:
    """The URL of the ``load_mock_page(URL)`` call inside an assignment's value, if any."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "load_mock_page" and call.args:
            return _literal(call.args[0], names)
    return None


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a function in order, those inside ``if`` blocks included."""
    out: list[ast.stmt] = []
    for stmt in body:
        out.append(stmt)
        if isinstance(stmt, ast.If):
            out += _statements(stmt.body)
    return out


def snippets(source: str) -> tuple[dict[str, str], dict[str, dict[str, list[str]]]]:
    """MOCK_PAGES and, per URL, the snippets realworld_tests.py asserts in / not in the extracted text."""
    tree = ast.parse(source)
    pages = _mock_pages(tree)
    found: dict[str, dict[str, list[str]]] = {}
    for func in tree.body:
        if not isinstance(func, ast.FunctionDef) or func.name != "test_extract":
            continue
        url: str | None = None
        for stmt in _statements(func.body):
            if isinstance(stmt, ast.Assign):
                url = _loaded_url(stmt.value, {}) or url
            elif isinstance(stmt, ast.Assert) and url:
                for cmp in ast.walk(stmt.test):
                    if not isinstance(cmp, ast.Compare) or len(cmp.ops) != 1:
                        continue
                    right = cmp.comparators[0]
                    text = _literal(cmp.left, {})
                    if text is None or not (isinstance(right, ast.Name) and right.id == "result"):
                        continue
                    key = "body_with" if isinstance(cmp.ops[0], ast.In) else "body_without"
                    if isinstance(cmp.ops[0], ast.In | ast.NotIn):
                        found.setdefault(url, {"body_with": [], "body_without": []})[key].append(text)
    return pages, found


def metadata(source: str) -> dict[str, dict[str, str]]:
    """Per URL, the title, author and date metadata_tests.py asserts equal to a literal."""
    tree = ast.parse(source)
    out: dict[str, dict[str, str]] = {}
    for func in tree.body:
        if not isinstance(func, ast.FunctionDef) or func.name != "test_pages":
            continue
        names: dict[str, str] = {}
        url: str | None = None
        for stmt in _statements(func.body):
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                if stmt.targets[0].id == "url":
                    names["url"] = _literal(stmt.value, {}) or ""
                elif stmt.targets[0].id == "metadata":
                    url = _loaded_url(stmt.value, names)
            elif isinstance(stmt, ast.Assert) and url and isinstance(stmt.test, ast.Compare):
                cmp = stmt.test
                field = cmp.left
                value = _literal(cmp.comparators[0], names) if len(cmp.comparators) == 1 else None
                if (
                    isinstance(cmp.ops[0], ast.Eq)
                    and isinstance(field, ast.Attribute)
                    and field.attr in ("title", "author", "date")
                    and value
                ):
                    out.setdefault(url, {})[field.attr] = value
    return out


def build(sdist: Path, out: Path) -> int:
    check_sha256(sdist, SHA256, f"trafilatura {VERSION}")
    count = 0
    with tarfile.open(sdist) as tar:
        member = tar_reader(tar, f"trafilatura-{VERSION}/tests", sdist)
        pages, found = snippets(member("realworld_tests.py").decode("utf-8"))
        meta = metadata(member("metadata_tests.py").decode("utf-8"))
        for url, checks in sorted(found.items()):
            name = pages.get(url)
            if not name or name in SKIP or not checks["body_with"]:
                continue
            case = re.sub(r"[^0-9A-Za-z._-]+", "-", name.removesuffix(".html"))
            expected: dict[str, object] = {"url": url, **checks}
            given = meta.get(url, {})
            if "title" in given:
                expected["title"] = given["title"]
            if "author" in given:
                expected["authors"] = [a.strip() for a in given["author"].split(";") if a.strip()]
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", given.get("date", "")):
                expected["published"] = given["date"]
            write_case(out, case, member(f"cache/{name}"), expected)
            count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help=f"trafilatura-{VERSION}.tar.gz (default: pip download)")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory (default: %(default)s)")
    args = parser.parse_args()
    if args.sdist is not None:
        count = build(args.sdist, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            count = build(download(Path(tmp)), args.out)
    print(f"build_devset_trafilatura: {count} pages in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
