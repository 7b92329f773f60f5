"""The installed package is whole: a wheel built from exactly the files deploy/Dockerfile copies, installed
(not editable) into a fresh virtualenv, runs demo, sites, crawl --mirror, read and scrapy crawl from an empty
directory. This tests the Docker image's contents where no Docker engine runs.

The fresh virtualenv reaches the dependencies through a .pth file naming this environment's site-packages
(installing them again would cost minutes); the package itself comes only from the wheel.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.demo import pages_dir
from crawler.demo.mirror import Mirror, SiteSpec, build_mirror
from crawler.demo.server import MirrorServer
from crawler.demo.unlisted import add_unlisted_site
from crawler.sites import load_registry, site_classes, site_name_for
from tests.clirun import FAST

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "deploy" / "Dockerfile"


def instructions(name: str) -> list[list[str]]:
    """The arguments of every ``name`` instruction of the Dockerfile (continued lines joined)."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if line.strip().upper().startswith(name + " "):
            found.append(shlex.split(line, comments=True)[1:])
    return found


def dockerfile_copies() -> list[str]:
    """The repository paths the Dockerfile's COPY lines bring into the image."""
    sources: list[str] = []
    for args in instructions("COPY"):
        paths = [w for w in args if not w.startswith("--")]
        sources.extend(paths[:-1])
    return sources


def dockerfile_env() -> dict[str, str]:
    """The ENV settings of the Dockerfile (``ENV A=1 B=2``)."""
    return dict(w.split("=", 1) for args in instructions("ENV") for w in args if "=" in w)


@dataclass
class Installed:
    bin: Path
    env: dict[str, str]

    def run(self, *args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=self.env, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("install")
    context = root / "context"
    context.mkdir()
    copies = dockerfile_copies()
    assert {"pyproject.toml", "crawler", "pipelines"} <= set(copies)
    for rel in copies:
        source = REPO / rel
        if source.is_dir():
            shutil.copytree(source, context / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, context / rel)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(root / "dist"),
         str(context)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = (root / "dist").glob("newsarchive-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI", "PYTHONPATH")}
    env.update(dockerfile_env())
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    yield Installed(venv / "bin", env)


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


def test_the_package_comes_from_the_wheel_with_its_data(installed: Installed, empty: Path) -> None:
    code = (
        "import crawler, pipelines, crawler.demo as d, crawler.places.gazetteer as g; print(crawler.__file__); "
        "print(len(list(d.pages_dir().glob('*/*/page.html.gz')))); print(g.municipality('03103000').name)"
    )
    proc = installed.run(str(installed.bin / "python"), "-c", code, cwd=empty)
    assert proc.returncode == 0, proc.stderr
    where, pages, town = proc.stdout.split()
    assert town == "Wolfsburg", "the gazetteer ships in the wheel"
    assert Path(where).is_relative_to(installed.bin.parent), "not the source checkout"
    assert int(pages) == len(list(pages_dir().glob("*/*/page.html.gz"))) >= len(site_classes())


def test_demo_sites_and_read_from_an_empty_directory(installed: Installed, empty: Path) -> None:
    demo = installed.run("newsarchive", "demo", "--no-progress", cwd=empty)
    assert demo.returncode == 0, demo.stdout + demo.stderr[-3000:]
    sites = installed.run("newsarchive", "sites", "--json", cwd=empty)
    assert sites.returncode == 0, sites.stderr
    assert {s["name"] for s in json.loads(sites.stdout)} == {e.name for e in load_registry()}
    read = installed.run("newsarchive", "read", "--archive", "demo-archive", cwd=empty)
    assert read.returncode == 0, read.stderr
    records = [json.loads(line) for line in read.stdout.splitlines()]
    unlisted = site_name_for(add_unlisted_site(Mirror()).front_page)
    assert {r["site"] for r in records} == {*site_classes(), unlisted}, "every site archived"
    assert "cursor: " in read.stderr


def test_crawl_with_mirror_and_scrapy_crawl(installed: Installed, empty: Path) -> None:
    classes = site_classes()
    mirror = build_mirror([SiteSpec.from_spider(classes[s]) for s in ("ndr", "mdr")], pages_dir())
    with MirrorServer(mirror) as server:
        proc = installed.run(
            "newsarchive", "crawl", "ndr", "--mirror", server.url, "--no-progress", *FAST, cwd=empty
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
        # plain Scrapy, as in the image: SCRAPY_SETTINGS_MODULE from the Dockerfile, no scrapy.cfg here
        scrapy = installed.run(
            str(installed.bin / "python"), "-m", "scrapy", "crawl", "mdr", "-s", f"MIRROR_URL={server.url}", *FAST,
            cwd=empty,
        )  # fmt: skip
        assert scrapy.returncode == 0, scrapy.stderr[-3000:]
    read = installed.run("newsarchive", "read", cwd=empty)
    assert read.returncode == 0, read.stderr
    assert {json.loads(line)["site"] for line in read.stdout.splitlines()} == {"ndr", "mdr"}
