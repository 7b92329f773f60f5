"""Text from a site never drives the terminal: one escape function for everything the CLI prints and logs.

A title, author, URL or header may carry ESC, BEL, CSI (``\\x1b[``, ``\\x9b``) or OSC sequences that set the window
title, clear the screen or rewrite what was printed. :func:`escape` writes every control character (C0 but the
ones kept, DEL, C1) and the bidirectional overrides as a visible ``\\uXXXX``, the form a JSON string uses too, so
JSON output stays valid JSON. The CLI sends stdout and stderr through :class:`SafeStream` (crawler/cli.py), and
:func:`install_log_escaping` escapes the arguments of every log record (a log file included).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, TextIO

# C0 controls, DEL, C1 controls; bidi embeddings, overrides and isolates (they reorder what a terminal shows)
# (lone surrogates too: no terminal shows them, and a UTF-8 stream cannot even write them)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def escape(text: object, lines: bool = False) -> str:
    """``text`` with every character a terminal would obey written as ``\\uXXXX``; ``lines`` keeps newline and
    tab (for multi-line output), else they are escaped too."""
    value = text if isinstance(text, str) else str(text)
    return (_UNSAFE_BUT_LINES if lines else _UNSAFE).sub(_visible, value)


class SafeStream:
    """A text stream that escapes what is written to it (newline and tab kept); the rest is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(escape(text, lines=True))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _escape_arg(arg: object) -> object:
    if isinstance(arg, int | float | bool) or arg is None:
        return arg
    text = arg if isinstance(arg, str) else str(arg)
    return escape(text, lines=True) if _UNSAFE_BUT_LINES.search(text) else arg


_previous_factory = logging.getLogRecordFactory()


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    if isinstance(record.args, Mapping):
        record.args = {k: _escape_arg(v) for k, v in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_escape_arg(a) for a in record.args)
    if not record.args and isinstance(record.msg, str) and _UNSAFE_BUT_LINES.search(record.msg):
        record.msg = escape(record.msg, lines=True)
    return record


def install_log_escaping() -> None:
    """Escape the arguments of every log record from now on (whatever handler writes it)."""
    if logging.getLogRecordFactory() is not _record_factory:
        logging.setLogRecordFactory(_record_factory)
