"""The deploy recipes as written: the crontab's command line runs in a shell, DEPLOY.md's install steps work, and
the systemd units parse (and pass `systemd-analyze verify` where it is installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
VENV_BIN = "/opt/newsarchive/.venv/bin/newsarchive"
HOME = "/var/lib/newsarchive"


def crontab() -> tuple[dict[str, str], list[str]]:
    """The crontab's variables and the commands of its schedule lines."""
    env: dict[str, str] = {}
    commands: list[str] = []
    for line in (DEPLOY / "crontab").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, _, value = line.partition("=")
            env[name] = value
            continue
        fields = line.split(None, 5)
        assert len(fields) == 6, f"not a schedule line: {line}"
        assert "%" not in fields[5], "cron turns % into newlines"
        commands.append(fields[5])
    return env, commands


def test_the_crontab_line_runs_in_a_shell(tmp_path: Path) -> None:
    env, commands = crontab()
    assert commands and env.get("SHELL") == "/bin/sh"
    home = tmp_path / "home"
    home.mkdir()  # the service user's home exists (useradd --create-home); nothing else does
    stand_in = tmp_path / "newsarchive"
    stand_in.write_text('#!/bin/sh\necho "newsarchive $*"\necho "ARCHIVE_URI=$ARCHIVE_URI"\n')
    stand_in.chmod(0o755)
    for command in commands:
        assert VENV_BIN in command and HOME in command
        line = command.replace(VENV_BIN, str(stand_in)).replace(HOME, str(home))
        proc = subprocess.run(
            [env["SHELL"], "-c", line],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert proc.returncode == 0, proc.stderr
        logs = [p for p in home.rglob("*.log")]
        assert logs, "the line logs into a directory it creates"
        text = logs[0].read_text()
        assert "newsarchive crawl" in text and "--no-progress" in text
        assert f"ARCHIVE_URI={env['ARCHIVE_URI']}" in text


def install_steps() -> list[str]:
    """The systemd section's shell block of docs/DEPLOY.md."""
    text = (REPO / "docs" / "DEPLOY.md").read_text()
    section = text.split("## systemd timer", 1)[1]
    block = section.split("```", 2)[1]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_install_steps_create_etc_newsarchive(tmp_path: Path) -> None:
    steps = [s for s in install_steps() if s.startswith("install ")]
    assert any(s.endswith("/etc/newsarchive/env") for s in steps)
    for step in steps:  # under a temporary root, without changing owners (no newsarchive user here)
        line = re.sub(r" -[og] \S+", "", step).replace("/etc/", f"{tmp_path}/etc/")
        proc = subprocess.run(["/bin/sh", "-c", line], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, f"{step}: {proc.stderr}"
    env = tmp_path / "etc" / "newsarchive" / "env"
    assert env.is_file() and (env.stat().st_mode & 0o777) == 0o600


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file: section -> key -> values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: a setting before any section: {line}"
        key, sep, value = line.partition("=")
        assert sep and key.strip() and " " not in key.strip(), f"{path.name}: not KEY=VALUE: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_the_systemd_units_parse() -> None:
    service = unit(DEPLOY / "newsarchive@.service")
    assert set(service) == {"Unit", "Service"} or set(service) == {"Unit", "Service", "Install"}
    run = service["Service"]
    assert run["Type"] == ["oneshot"]
    assert run["ExecStart"][0].startswith(f"{VENV_BIN} crawl %i")
    assert "4" in run["SuccessExitStatus"][0].split()
    assert run["EnvironmentFile"] == ["-/etc/newsarchive/env"]
    assert HOME in run["ReadWritePaths"][0] and run["WorkingDirectory"] == [HOME]
    timer = unit(DEPLOY / "newsarchive@.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == ["timers.target"]


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the units are still parsed by the test above)")
    # an instance of each template, with an executable that exists here in place of the installed venv's
    for name in ("newsarchive@.service", "newsarchive@.timer"):
        text = (DEPLOY / name).read_text().replace(VENV_BIN, "/bin/true")
        (tmp_path / name.replace("@.", "@ndr.")).write_text(text)
    proc = subprocess.run(
        [
            analyze,
            "verify",
            str(tmp_path / "newsarchive@ndr.service"),
            str(tmp_path / "newsarchive@ndr.timer"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
