"""The crash tests' commit hook (ARCHIVE_COMMIT_HOOK = "tests.crashhook.crash_at"): with NEWSARCHIVE_CRASH_AT set
to "<point>:<n>", the process kills itself with SIGKILL at the n-th (1-based) pass of that point of the archive
pipeline's commit protocol (see ArchivePipeline.commit_hook)."""

from __future__ import annotations

import os
import signal

ENV = "NEWSARCHIVE_CRASH_AT"
HOOK = "tests.crashhook.crash_at"
_passes: dict[str, int] = {}


def crash_at(point: str) -> None:
    _passes[point] = _passes.get(point, 0) + 1
    if os.environ.get(ENV) == f"{point}:{_passes[point]}":
        os.kill(os.getpid(), signal.SIGKILL)
