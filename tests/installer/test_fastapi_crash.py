"""SIGKILL during ``echelon install`` / ``uninstall`` on a FastAPI host, at a few steps: the
app still imports (a fresh interpreter imports ``app.main``), nothing outside the project
changed, and a plain re-run converges on the tree of an uninterrupted run.

The kill is real (``ACP_INSTALL_KILL_AT=N``: the process SIGKILLs itself before step N), in
forked children as in ``test_installer_crash.py``; the gate's verdict is computed once in the
parent and shared (every run plans the same tree). A handful of steps spread over the whole
run (journal, staging, the renames of the package, the app-module edit, the manifest) keeps
it to seconds; the Django matrix kills at every step.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from acp_installer import install as install_module
from acp_installer.cli import main
from acp_installer.gate import run_gate
from acp_installer.journal import KILL_AT_ENV
from acp_installer.plan import InstallOptions, build_plan
from fastapi_host import build_fastapi_host, in_host
from installer_helpers import tree_hash

KERNEL = "k-fa-crash"
IGNORED = ("__pycache__",)


def _fork(fn: Callable[[], int], log: Path) -> int:
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            code = fn()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException as error:  # noqa: BLE001 - reported through the exit code
            os.write(2, f"{type(error).__name__}: {error}\n".encode())
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _echelon(project: Path, log: Path, *argv: str, kill_at: int | None = None) -> int:
    def run() -> int:
        os.environ.pop(KILL_AT_ENV, None)
        if kill_at is not None:
            os.environ[KILL_AT_ENV] = str(kill_at)
        os.chdir(project)
        return main([*argv, "."])

    return _fork(run, log)


def _imports(project: Path) -> bool:
    done = in_host(project, "import app.main")
    return done.returncode == 0


@pytest.fixture
def memo_gate(monkeypatch: pytest.MonkeyPatch):
    cache: dict[tuple, object] = {}

    def gate(plan, verify: bool = True, python: str | None = None):
        key = (
            tuple(sorted(tree_hash(plan.host.root, ignore=(".acp", ".git")).items())),
            tuple(sorted(plan.overlay().items())),
        )
        if key not in cache:
            cache[key] = run_gate(plan, verify, python)
        return cache[key]

    monkeypatch.setattr(install_module, "run_gate", gate)


def _kills(outer: Path, start: Path, argv: list[str], expected: dict, steps: list[int]) -> None:
    log = outer.parent / "children.log"
    neighbour = tree_hash(outer, ignore=("proj", "base", "installed"))
    proj = outer / "proj"
    for step in steps:
        if proj.exists():
            shutil.rmtree(proj)
        shutil.copytree(start, proj, symlinks=True)
        status = _echelon(proj, log, *argv, kill_at=step)
        assert status == -signal.SIGKILL, f"step {step}: exit {status}\n{log.read_text()}"
        assert _imports(proj), f"the app does not import after a kill at step {step}"
        assert tree_hash(outer, ignore=("proj", "base", "installed")) == neighbour
        assert _echelon(proj, log, *argv) == 0, f"re-run after step {step}:\n{log.read_text()}"
        assert tree_hash(proj, ignore=IGNORED) == expected, f"no convergence after step {step}"
        assert not list(proj.rglob("*.echelon-tmp"))


def test_sigkill_during_install_and_uninstall_of_a_fastapi_host(tmp_path: Path, memo_gate) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "neighbour.txt").write_text("not the project's\n")
    base = build_fastapi_host(outer / "base")
    log = tmp_path / "children.log"
    options = InstallOptions(base, kernel_id=KERNEL)
    assert install_module.run_gate(build_plan(options)).clean  # memoised for the children
    original = tree_hash(base, ignore=IGNORED)
    installed_dir = outer / "installed"
    shutil.copytree(base, installed_dir, symlinks=True)
    assert _echelon(installed_dir, log, "install", "--kernel-id", KERNEL) == 0, log.read_text()
    installed = tree_hash(installed_dir, ignore=IGNORED)
    assert _imports(installed_dir)

    # ~30 steps: journal (2), directories, staging, the renames (the app-module edit is
    # among the last), the manifest, cleanup.
    _kills(outer, base, ["install", "--kernel-id", KERNEL], installed, [0, 2, 5, 15, 24, 28])
    _kills(outer, installed_dir, ["uninstall"], original, [0, 3, 10, 20, 27])
