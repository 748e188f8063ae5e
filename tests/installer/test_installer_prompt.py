"""The production confirmation typed on a real (pseudo-)terminal: `y` installs, anything else
refuses and writes nothing."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest
from installer_helpers import tree_hash


def _run_on_a_terminal(args: list[str], cwd: Path, answer: bytes) -> tuple[int, str]:
    """Run ``echelon`` with a pty as its stdin, type ``answer`` at the prompt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACP_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin/stdout/stderr are the pty
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "acp_installer.cli", *args], env)
    output = b""
    answered = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"[y/N]" in output:
            os.write(fd, answer)
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


ARGS = ["install", "--env", "production", "--kernel-id", "shop-prod", "."]


def test_typed_y_installs(project: Path) -> None:
    code, output = _run_on_a_terminal(ARGS, project, b"y\n")
    assert "[y/N]" in output
    assert code == 0, output
    assert (project / "controlplane.bindings.json").is_file()
    assert (project / "acp" / "views.py").is_file()


@pytest.mark.parametrize("answer", [b"n\n", b"\n", b"yes please\n"])
def test_anything_else_refuses_and_writes_nothing(project: Path, answer: bytes) -> None:
    before = tree_hash(project)
    code, output = _run_on_a_terminal(ARGS, project, answer)
    assert "[y/N]" in output
    assert code != 0, output
    assert tree_hash(project) == before
