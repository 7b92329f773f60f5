"""Keep secrets out of Scrapy's log: its "Overridden settings" line shows every ``-s NAME=VALUE``.

:func:`install` adds a filter to the ``scrapy.crawler`` logger that masks, in that line, the values of settings
whose name says KEY, SECRET, TOKEN or PASSWORD and the passwords in URLs (``redis://:pw@host``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from pipelines.redact import MASK, redact_text

OVERRIDDEN = "Overridden settings"
# 'NAME': value in the pretty-printed dict Scrapy logs; value: a quoted string or anything up to , } or a newline
_SECRET_ITEM = re.compile(
    r"""(?P<key>'[A-Za-z0-9_]*(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL)[A-Za-z0-9_]*'\s*:\s*)"""
    r"""(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,}\n]+)""",
    re.IGNORECASE,
)


def redact_overridden(text: str) -> str:
    """The pretty-printed overridden settings with secret values and URL passwords masked."""
    return redact_text(_SECRET_ITEM.sub(lambda m: f"{m['key']}'{MASK}'", text))


class RedactSettings(logging.Filter):
    """Rewrites the arguments of Scrapy's "Overridden settings" record before it is formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith(OVERRIDDEN)):
            return True
        original = record.args.get("settings") if isinstance(record.args, Mapping) else None
        if isinstance(record.args, Mapping) and isinstance(original, str):
            record.args = {**record.args, "settings": redact_overridden(original)}
        elif record.args:
            record.args = {"settings": "(not shown)"} if isinstance(record.args, Mapping) else ()
            record.msg = f"{OVERRIDDEN}: (not shown)" if not isinstance(record.args, Mapping) else record.msg
        return True


def install() -> None:
    """Add the filter once to the logger that writes the overridden settings."""
    logger = logging.getLogger("scrapy.crawler")
    if not any(isinstance(f, RedactSettings) for f in logger.filters):
        logger.addFilter(RedactSettings())
