"""The ``newsarchive`` command; each sub-command lives in crawler/commands/<name>.py."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from crawler.commands import COMMANDS
from crawler.runner import EXIT_USAGE, UsageError
from crawler.shutdown import EXIT_INTERRUPTED, exit_now
from crawler.termsafe import SafeStream, install_log_escaping

DESCRIPTION = """\
newsarchive: crawl regional news sites into an append-only archive (local path or s3://), exactly once.

Without --archive/--state (or ARCHIVE_URI/STATE_URI) the archive is ./archive and the seen-store
./archive.state.sqlite. Exit codes: 0 clean run, 1 the archive could not be written (or a page failed in a
pipeline), 2 bad usage or an unusable archive/state location or distributed Redis, 3 a site failed entirely
(none of its entry points could be read), 5 a site's extraction health drifted (docs/HEALTH.md), 4 a site is
being crawled by another run (its lock is held), 6 the run was interrupted (SIGINT/SIGTERM; a second one stops at once); when several
apply: 1, 6, 3, 5, 4."""


class Parser(argparse.ArgumentParser):
    """Bad usage is one line on stderr and exit 2 (argparse would print the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="newsarchive", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"crawler.commands.{name}").register(sub)
    return parser


def _interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    # SIGTERM like Ctrl-C, also before a crawl installs its own handling (crawler/shutdown.py): exit 6, no traceback
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, _interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _main(argv)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # whatever a command prints or logs from a site goes through one escape function (crawler/termsafe.py)
    install_log_escaping()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(stdout), SafeStream(stderr)  # type: ignore[assignment]
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # inside the try: a reader that went away shows here, not at exit
        return code
    except UsageError as exc:
        print(f"newsarchive: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader of our output went away (`| head`): not an error, and no traceback at exit either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        # interrupted outside a crawl's own handling (before it started, or after it stopped): no thread of a
        # half-finished command may keep the process alive
        print("newsarchive: interrupted", file=sys.stderr)
        exit_now(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED  # pragma: no cover - exit_now does not return
    finally:
        sys.stdout, sys.stderr = stdout, stderr


if __name__ == "__main__":
    sys.exit(main())
