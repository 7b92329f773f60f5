"""Deploy the project to a Scrapyd server: build an egg in memory and upload it (no build files in the tree).

The egg holds the crawler/ and pipelines/ packages and an entry point naming the settings module, which is all
Scrapyd needs; the target comes from scrapy.cfg's ``[deploy]`` section unless given.
"""

from __future__ import annotations

import base64
import configparser
import io
import json
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from crawler import __version__
from pipelines.redact import redact_text, redact_url

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crawler", "pipelines")


class DeployError(Exception):
    """The egg could not be built or Scrapyd refused it; one line for the user."""


def deploy_target(cfg: Path = ROOT / "scrapy.cfg") -> tuple[str, str]:
    """(url, project) from scrapy.cfg's [deploy] section."""
    parser = configparser.ConfigParser()
    parser.read(cfg)
    if not parser.has_section("deploy"):
        raise DeployError(f"no [deploy] section in {cfg}")
    return parser.get("deploy", "url"), parser.get("deploy", "project", fallback="newsarchive")


def build_egg(root: Path = ROOT, project: str = "newsarchive", version: str = __version__) -> bytes:
    """A zipped egg of the project's packages (sources only, no caches), in memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as egg:
        for package in PACKAGES:
            for path in sorted((root / package).rglob("*")):
                if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
                    continue
                egg.write(path, path.relative_to(root).as_posix())
        egg.writestr("EGG-INFO/PKG-INFO", f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n")
        egg.writestr("EGG-INFO/entry_points.txt", "[scrapy]\nsettings = crawler.settings\n")
        egg.writestr("EGG-INFO/top_level.txt", "\n".join(PACKAGES) + "\n")
        egg.writestr("EGG-INFO/zip-safe", "")
    return buf.getvalue()


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """``http://user:pw@host:6800`` -> (``http://host:6800``, an HTTP basic Authorization header)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, {}
    token = base64.b64encode(f"{unquote(parts.username or '')}:{unquote(parts.password or '')}".encode())
    bare = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return bare, {"Authorization": f"Basic {token.decode('ascii')}"}


def scrapyd_call(
    url: str, endpoint: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None
) -> dict[str, object]:
    """POST to a Scrapyd JSON endpoint; raise DeployError unless it answers status "ok".

    Credentials in the URL (``http://user:password@host:6800``) go as HTTP basic auth, never into a message.
    """
    body, ctype = _multipart(fields, files or {})
    try:
        bare, auth = split_credentials(url)
    except ValueError as exc:
        raise DeployError(f"not a Scrapyd URL: {redact_url(url)}") from exc
    request = urllib.request.Request(
        bare.rstrip("/") + "/" + endpoint, data=body, headers={"Content-Type": ctype, **auth}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer: dict[str, object] = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeployError(f"cannot reach Scrapyd at {redact_url(url)}: {redact_text(str(exc))}") from exc
    if answer.get("status") != "ok":
        raise DeployError(f"Scrapyd refused {endpoint}: {redact_text(str(answer.get('message', answer)))}")
    return answer


def deploy(url: str, project: str, version: str | None = None) -> dict[str, object]:
    """Upload the project's egg as a new version (default: the package version plus a timestamp)."""
    version = version or f"{__version__}-{int(time.time())}"
    egg = build_egg(project=project, version=version)
    return scrapyd_call(
        url, "addversion.json", {"project": project, "version": version}, {"egg": ("project.egg", egg)}
    )
