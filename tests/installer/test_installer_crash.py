"""SIGKILL at every step of install and uninstall, then: the host imports (`manage.py check`
passes), nothing outside the project or in `.git/` changed, and a plain re-run converges on
the tree of an uninterrupted run (no lock, journal or `*.echelon-tmp` left).

The kill is real: `ACP_INSTALL_KILL_AT=N` makes the echelon process `os.kill` itself with
SIGKILL before step N. The runs are forked children of the test process (a real process each,
already holding the imports, so a run costs milliseconds instead of an interpreter start),
and `manage.py check` runs the project's own `manage.py` in a forked child too. One test
drives the same hook through the real `python -m acp_installer.cli` subprocess. The lint gate
is memoised per (disk tree, plan) and computed once in the parent: every forked run plans the
same tree, so its verdict is the same, and the matrix stays fast.
"""

from __future__ import annotations

import os
import runpy
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from acp_installer import install as install_module
from acp_installer.cli import main
from acp_installer.gate import run_gate
from acp_installer.journal import KILL_AT_ENV
from acp_installer.plan import InstallOptions, build_plan
from installer_helpers import echelon, tree_hash

KERNEL = "k-crash"

# Imported once here, so that every forked `manage.py check` starts with them loaded.
import django.core.checks  # noqa: E402, F401
import django.core.management  # noqa: E402, F401
import django.db.models  # noqa: E402, F401
import django.urls  # noqa: E402, F401


def _fork(fn: Callable[[], int], log: Path) -> int:
    """Run ``fn`` in a forked child; its exit code, or -signal when it was killed."""
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 70
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            code = fn()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
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


def _manage_check(project: Path, log: Path) -> int:
    """The project's own ``manage.py check`` (it imports the settings, every installed app
    and the root URLconf), in a fresh forked child that writes no bytecode."""

    def run() -> int:
        sys.dont_write_bytecode = True
        os.chdir(project)
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        sys.path.insert(0, str(project))
        sys.argv = ["manage.py", "check"]
        runpy.run_path("manage.py", run_name="__main__")
        return 0

    return _fork(run, log)


@pytest.fixture
def memo_gate(monkeypatch: pytest.MonkeyPatch):
    cache: dict[tuple, object] = {}

    def gate(plan, verify: bool = True, python: str | None = None):
        key = (
            tuple(sorted(tree_hash(plan.host.root, ignore=(".acp", ".git")).items())),
            tuple(sorted(plan.overlay().items())),
            verify,
            python,
        )
        if key not in cache:
            cache[key] = run_gate(plan, verify, python)
        return cache[key]

    monkeypatch.setattr(install_module, "run_gate", gate)


@pytest.fixture
def world(project: Path, tmp_path: Path) -> dict[str, Path]:
    """outer/proj (a git work tree) next to a file of someone else's."""
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "neighbour.txt").write_text("not the project's\n")
    base = outer / "base"
    shutil.copytree(project, base, symlinks=True)
    subprocess.run(["git", "init", "-q", str(base)], check=True, timeout=60)
    return {"outer": outer, "base": base, "proj": outer / "proj", "logs": tmp_path}


def _fresh(world: dict[str, Path], source: Path) -> Path:
    proj = world["proj"]
    if proj.exists():
        shutil.rmtree(proj)
    shutil.copytree(source, proj, symlinks=True)
    return proj


def _outside(world: dict[str, Path]) -> dict[str, str]:
    return tree_hash(world["outer"], ignore=("proj", "base", "installed"))


def _matrix(world: dict[str, Path], start: Path, argv: list[str], expected: dict) -> int:
    """Kill ``echelon argv`` at step 0, 1, ... until a run completes; check every kill."""
    outside = _outside(world)
    git = tree_hash(start / ".git")
    log = world["logs"] / "children.log"
    for step in range(200):
        proj = _fresh(world, start)
        status = _echelon(proj, log, *argv, kill_at=step)
        if status == 0:
            assert tree_hash(proj) == expected, f"the run that was not killed (step {step})"
            return step
        assert status == -signal.SIGKILL, f"step {step}: exit {status}\n{log.read_text()}"
        assert _manage_check(proj, log) == 0, f"host broken after a kill at step {step}"
        assert _outside(world) == outside and tree_hash(proj / ".git") == git
        assert _echelon(proj, log, *argv) == 0, f"re-run after step {step}:\n{log.read_text()}"
        assert tree_hash(proj) == expected, f"the re-run after step {step} did not converge"
        assert not list(proj.rglob("*.echelon-tmp"))
    raise AssertionError("the run never completed")


def test_sigkill_at_every_step_of_install_and_uninstall(world, memo_gate) -> None:
    log = world["logs"] / "children.log"
    # The gate's verdict, computed once here (forked children cannot fill the parent's memo).
    assert install_module.run_gate(
        build_plan(InstallOptions(world["base"], kernel_id=KERNEL))
    ).clean
    original = tree_hash(world["base"])
    installed_dir = world["outer"] / "installed"
    shutil.copytree(world["base"], installed_dir, symlinks=True)
    assert _echelon(installed_dir, log, "install", "--kernel-id", KERNEL) == 0, log.read_text()
    installed = tree_hash(installed_dir)
    assert _manage_check(installed_dir, log) == 0

    steps = _matrix(world, world["base"], ["install", "--kernel-id", KERNEL], installed)
    assert steps > 30  # journal, directories, staging, ~29 renames, cleanup

    steps = _matrix(world, installed_dir, ["uninstall"], original)
    assert steps > 30


def test_the_kill_hook_works_through_the_cli(project: Path) -> None:
    """The same hook, in the real entry point: a kill half-way, then a plain re-run."""
    before = tree_hash(project)
    killed = echelon("install", "--kernel-id", KERNEL, ".", cwd=project, env={KILL_AT_ENV: "20"})
    assert killed.returncode == -signal.SIGKILL
    assert (project / ".acp" / "journal" / "journal.json").is_file()
    assert list(project.rglob("*.echelon-tmp"))  # staged files of the killed run
    doctor = echelon("doctor", ".", cwd=project)
    assert doctor.returncode == 1 and "an interrupted run left .acp/journal" in doctor.stdout
    rerun = echelon("install", "--kernel-id", KERNEL, ".", cwd=project)
    assert rerun.returncode == 0, rerun.stderr
    assert "took over the stale lock" in rerun.stderr
    assert "rolled back an interrupted echelon install" in rerun.stderr
    assert not list(project.rglob("*.echelon-tmp"))
    assert not (project / ".acp" / "journal").exists()
    assert not (project / ".acp" / "install.lock").exists()
    removed = echelon("uninstall", ".", cwd=project)
    assert removed.returncode == 0, removed.stderr
    assert tree_hash(project) == before


def test_sigterm_half_way_rolls_back_and_leaves_no_lock(project: Path) -> None:
    """A CI job's timeout sends SIGTERM: the run unwinds like Ctrl-C (exit 143), the write
    transaction is rolled back and the lock removed, so the tree is as it was."""
    before = tree_hash(project)
    env = {KILL_AT_ENV: "20", "ACP_INSTALL_KILL_SIGNAL": "TERM"}
    done = echelon("install", "--kernel-id", KERNEL, ".", cwd=project, env=env)
    assert done.returncode == 143, done.stderr
    assert done.stderr == "echelon: terminated\n"
    assert tree_hash(project) == before
