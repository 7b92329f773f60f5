"""Running ``newsarchive`` as a user would, in a subprocess, for the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# politeness off for the tests' own servers on 127.0.0.1 (every end-to-end test's crawl takes these)
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "AUTOTHROTTLE_MAX_DELAY=1"]


def clean_env() -> dict[str, str]:
    """This environment without ARCHIVE_URI / STATE_URI, so the commands use their defaults or the arguments."""
    return {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_URI", "STATE_URI")}


def cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``newsarchive ARGS`` in ``cwd``; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(),
        timeout=timeout,
    )
