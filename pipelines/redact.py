"""Credentials out of messages: passwords in URLs and secret-looking setting values are replaced by ``***``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: setting names whose values are secrets (``-s AWS_SECRET_ACCESS_KEY=...``, ``SCRAPYD_PASSWORD``, ...)
SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/\s:@]*):(?P<password>[^/\s@]*)@")
MASK = "***"
#: query parameters whose values are secrets (``redis://host/0?password=...``, ``?token=...``)
_QUERY_SECRET = re.compile(
    r"(?P<name>[?&;](?:[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api_?key|access_?key)"
    r"[A-Za-z0-9_.-]*)=)(?P<value>[^&;#\s'\"]*)",
    re.IGNORECASE,
)


def redact_url(url: str) -> str:
    """``redis://:pw@host:6379/0`` -> ``redis://:***@host:6379/0``; other URLs unchanged."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return redact_text(url)
    if password:
        host = parts.netloc.rsplit("@", 1)[1]
        url = urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}"))
    return _mask_query(url)


def _mask_query(text: str) -> str:
    return _QUERY_SECRET.sub(lambda m: f"{m['name']}{MASK}" if m["value"] else m[0], text)


def redact_text(text: str) -> str:
    """Every ``scheme://user:password@`` and ``?password=...`` (token, secret, key) in ``text`` masked."""
    return _mask_query(_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text))


def redact_value(name: str, value: Any) -> Any:
    """A setting's value fit for a log: masked when the name says it is a secret, passwords out of URLs."""
    if SECRET_NAME.search(name):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(name, v) for v in value)
    return value
