"""``acp_lint.discovery``: what a run lists, and listing early (``prefetch``) changes nothing
but when git runs. Real git repositories, real CLI processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from acp_lint import discovery
from acp_lint.discovery import (
    DEFAULT_EXCLUDES,
    discard_prefetched,
    discover,
    exited_within,
    prefetch,
)


def _repo(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "tracked.py").write_text("x = 1\n")
    (root / "pkg" / "ignored.py").write_text("x = 2\n")
    (root / "notes.txt").write_text("not a candidate\n")
    (root / ".gitignore").write_text("pkg/ignored.py\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "pkg/tracked.py", ".gitignore"], cwd=root, check=True)
    (root / "pkg" / "untracked.py").write_text("x = 3\n")
    return root


def test_a_prefetched_listing_is_the_listing(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    plain = discover(root, DEFAULT_EXCLUDES)
    assert plain == ["pkg/tracked.py", "pkg/untracked.py"]  # ignored and .txt files are not
    prefetch(root)
    assert str(root) in discovery._started
    assert discover(root, DEFAULT_EXCLUDES) == plain
    assert not discovery._started  # collected, not started twice


def test_outside_git_a_prefetch_falls_back_to_the_walk(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / "a").mkdir(parents=True)
    (root / "a" / "m.py").write_text("")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "x.py").write_text("")
    prefetch(root)
    assert discover(root, DEFAULT_EXCLUDES) == ["a/m.py"]


def test_an_uncollected_prefetch_is_stopped_and_reaped(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    prefetch(root)
    listing = discovery._started[str(root)]
    discard_prefetched()
    assert not discovery._started
    assert listing.process.returncode is not None  # waited for: no zombie left behind
    assert listing.file is None  # its in-memory file is closed


def test_a_directory_run_starts_git_before_importing_the_engine(tmp_path: Path) -> None:
    """The point of prefetching: in a real CLI process git is already running while the
    engine is imported; a run on named files never starts it early."""
    root = _repo(tmp_path / "repo")
    script = (
        "import sys\n"
        "from acp_lint import discovery\n"
        "real = discovery._Listing.__init__\n"
        "def start(self, root):\n"
        "    print('engine imported' if 'acp_lint.engine' in sys.modules else 'engine not yet')\n"
        "    real(self, root)\n"
        "discovery._Listing.__init__ = start\n"
        "from acp_lint.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    for args, expected in ((["."], "engine not yet"), (["pkg/tracked.py"], None)):
        done = subprocess.run(
            [sys.executable, "-c", script, "--no-cache", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        first = done.stdout.splitlines()[0]
        if expected is None:
            assert first != "engine not yet"  # not started before the engine, if at all
        else:
            assert first == expected


def _sleeper(seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})"])


def test_the_wait_for_git_is_woken_by_the_exit_not_by_polling(monkeypatch) -> None:
    """``Popen.wait(timeout)`` sleeps in doubling steps; the pidfd wait never sleeps."""
    process = _sleeper(0.2)

    def no_polling(seconds: float) -> None:
        raise AssertionError(f"polled with time.sleep({seconds})")

    monkeypatch.setattr(time, "sleep", no_polling)
    exited_within(process, 30)
    assert process.returncode == 0  # reaped: no zombie


def test_a_process_still_running_at_the_timeout_raises_and_is_left_running() -> None:
    process = _sleeper(30)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            exited_within(process, 0.2)
        assert process.poll() is None
    finally:
        process.kill()
        process.wait()


def test_without_a_pidfd_the_wait_falls_back_to_popen_wait(monkeypatch) -> None:
    def refused(pid: int) -> int:
        raise OSError("pidfd_open refused")

    monkeypatch.setattr(os, "pidfd_open", refused, raising=False)
    process = _sleeper(0.05)
    exited_within(process, 30)
    assert process.returncode == 0
    slow = _sleeper(30)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            exited_within(slow, 0.2)
    finally:
        slow.kill()
        slow.wait()
