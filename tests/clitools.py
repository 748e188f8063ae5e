"""Run the real CLI in a subprocess (the way users and pre-commit run it)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "acp_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def run_cli_in_process(args: list[str], cwd: Path) -> tuple[int, str, set[str]]:
    """The CLI's ``main`` in a fresh interpreter: exit code, stdout, and every module the run
    imported (``sys.modules`` at its end: what a check really loaded)."""
    script = (
        "import sys\n"
        "from acp_lint.cli import main\n"
        f"code = main({args!r})\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)) + '\\n')\n"
        "raise SystemExit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode in (0, 1), done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return done.returncode, done.stdout, set(line.split()[1:])


def run_json(*args: str, cwd: Path) -> tuple[int, list[dict]]:
    completed = run_cli(*args, "--output-format", "json", cwd=cwd)
    return completed.returncode, json.loads(completed.stdout)


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def git_shim(directory: Path, grep_fails: bool = False) -> tuple[Path, Path]:
    """A ``git`` in ``directory`` (created; put it first on PATH) that logs its arguments to
    the returned log and runs the real git; with ``grep_fails``, ``git grep`` exits 128."""
    real = shutil.which("git")
    assert real is not None
    directory.mkdir()
    log = directory / "git.log"
    fail = 'case "$*" in *" grep "*) exit 128;; esac\n' if grep_fails else ""
    shim = directory / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n{fail}exec "{real}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return directory, log


def note_forks(monkeypatch: pytest.MonkeyPatch, children: list[int]) -> None:
    """``os.fork`` for the rest of the test appends each child's pid to ``children`` (in the
    parent), so that a test asks about its own children alone: another test of the same xdist
    worker may leave one, which ``waitpid(-1)`` would find and reap."""
    real_fork = os.fork

    def noting_fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", noting_fork)
