"""``acp_lint.listing``: the ``git ls-files`` child, spawned without ``subprocess`` on Linux,
reaped when it exits, stopped when unused; the ``subprocess`` path elsewhere gives the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_discovery import git_repo

from acp_lint import listing
from acp_lint.listing import Listing, discard_prefetched, prefetch, take

EXPECTED = {b".gitignore", b"notes.txt", b"pkg/tracked.py", b"pkg/untracked.py"}


def _names(output: bytes | None) -> set[bytes]:
    """The names of ``git ls-files -v`` output, without their tags."""
    assert output is not None
    entries = [entry for entry in output.split(b"\0") if entry]
    assert all(entry[1:2] == b" " for entry in entries), entries
    return {entry[2:] for entry in entries}


def test_the_listing_is_git_s_own(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    by_git = subprocess.run(
        list(listing.GIT_LS_FILES), cwd=root, capture_output=True, check=True
    ).stdout
    assert _names(take(str(root))) == _names(by_git) == EXPECTED


def test_the_spawned_child_is_reaped_when_it_exits_without_polling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Popen.wait(timeout)`` sleeps in doubling steps; the pidfd wait never sleeps."""
    root = git_repo(tmp_path / "repo")

    def no_polling(seconds: float) -> None:
        raise AssertionError(f"polled with time.sleep({seconds})")

    monkeypatch.setattr(time, "sleep", no_polling)
    started = Listing(str(root))
    pid = started.pid
    assert pid is not None and started.process is None  # no subprocess on Linux
    assert _names(started.collect()) == EXPECTED
    assert started.finished and started.file is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left behind


def test_without_posix_spawn_subprocess_lists_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = git_repo(tmp_path / "repo")
    monkeypatch.setattr(listing, "_spawn_available", lambda: False)
    started = Listing(str(root))
    assert started.process is not None and started.pid is None
    assert _names(started.collect()) == EXPECTED


def test_outside_a_work_tree_or_without_git_there_is_no_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    assert take(str(outside)) is None  # git fails: not a repository
    root = git_repo(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert take(str(root)) is None  # no git at all


def test_a_child_still_running_at_the_timeout_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    pid = os.posix_spawnp(
        sys.executable, [sys.executable, "-c", "import time; time.sleep(30)"], os.environ
    )
    with pytest.raises(listing.Timeout):
        listing._wait(pid, 0.2)
    os.kill(pid, 9)
    assert os.waitpid(pid, 0)[0] == pid


def _with_a_fifo_gitignore(root: Path) -> Path:
    """An unpacked tree (a checkout cannot hold one) with a FIFO where git reads an ignore
    file: git would wait for a writer forever."""
    git_repo(root)
    os.mkfifo(root / "pkg" / ".gitignore")
    return root


def test_a_git_blocked_on_a_fifo_is_stopped_within_seconds(tmp_path: Path) -> None:
    root = _with_a_fifo_gitignore(tmp_path / "repo")
    started = Listing(str(root))
    began = time.monotonic()
    assert started.collect() is None
    assert time.monotonic() - began < 10 * listing.STALL_CHECK  # not GIT_TIMEOUT (60 s)
    assert started.problem == listing.STALLED
    assert started.finished and started.file is None  # killed and reaped
    problems: list[str] = []
    assert take(str(root), problems) is None and problems == [listing.STALLED]


def test_a_plain_slow_child_is_not_taken_for_a_stalled_one() -> None:
    pid = os.posix_spawnp(
        sys.executable, [sys.executable, "-c", "import time; time.sleep(30)"], os.environ
    )
    with pytest.raises(listing.Timeout) as raised:
        listing._wait(pid, 1.5)
    assert type(raised.value) is listing.Timeout  # it sleeps; it is not opening a FIFO
    os.kill(pid, 9)
    assert os.waitpid(pid, 0)[0] == pid


def test_a_check_on_a_tree_whose_git_blocks_warns_and_still_reports(tmp_path: Path) -> None:
    """The whole CLI: the run falls back to the walk (so the untracked and even the ignored
    module are checked), says why on stderr, and JSON on stdout stays JSON."""
    root = _with_a_fifo_gitignore(tmp_path / "repo")
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "acp_lint", "--output-format", "json", "--show-files", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=50,  # below GIT_TIMEOUT: a run that waited for git fails here
    )
    assert done.returncode == 0, done.stderr
    listed = {line.split("\t", 1)[0] for line in done.stdout.splitlines()}
    assert {"pkg/tracked.py", "pkg/untracked.py", "pkg/ignored.py"} <= listed
    checked = subprocess.run(
        [sys.executable, "-m", "acp_lint", "--output-format", "json", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert checked.returncode == 0 and json.loads(checked.stdout) == []
    assert f"warning: {listing.STALLED}" in checked.stderr.splitlines()
    assert time.monotonic() - began < 40


def test_a_tree_whose_git_config_is_a_fifo_is_checked_and_never_recorded(
    tmp_path: Path,
) -> None:
    """Recording a run for a replay asks git for its config files: a tree whose git hung is
    not recorded, so no run waits on git after its report either (three runs: the cache is
    made by the first, and a second would record)."""
    root = git_repo(tmp_path / "repo")
    (root / ".git" / "config").unlink()
    os.mkfifo(root / ".git" / "config")
    for _ in range(3):
        began = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "acp_lint", "."],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=25,  # below replay_store's git timeout
        )
        assert done.returncode == 0, done.stderr
        assert f"warning: {listing.STALLED}" in done.stderr.splitlines()
        assert time.monotonic() - began < 15
    assert (root / ".acp-lint-cache").is_dir()
    assert not list((root / ".acp-lint-cache" / "v1").glob("replay-*"))


def test_an_uncollected_prefetch_is_stopped_and_reaped(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    prefetch(str(root))
    started = list(listing._started.values())
    assert len(started) == 2  # the listing, and git grep for the needles (no manifest)
    discard_prefetched()
    assert not listing._started
    for child in started:
        assert child.finished  # waited for: no zombie left behind
        assert child.file is None  # its in-memory file is closed


def test_a_prefetch_is_found_under_any_spelling_of_its_root(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    (tmp_path / "link").symlink_to(root)
    prefetch(str(tmp_path / "link") + "/")
    assert _names(take(str(root))) == EXPECTED
    assert listing.take_needles(str(root)) == frozenset()  # no needle found: exit 1, an answer
    assert not listing._started


def test_a_child_reaped_by_someone_else_gives_no_listing(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    started = Listing(str(root))
    assert started.pid is not None
    os.waitpid(started.pid, 0)  # e.g. a SIGCHLD handler of an embedding program
    assert started.collect() is None  # the walk is used instead, as when git fails
    assert started.finished and started.file is None


def _with_fsmonitor(root: Path, marker: Path) -> Path:
    """A work tree whose own ``.git/config`` names a program for git to run (``core.fsmonitor``,
    run whenever git reads the index): what a downloaded tree with its ``.git`` can carry."""
    git_repo(root)
    command = f"touch {marker}; printf ''"
    subprocess.run(["git", "config", "core.fsmonitor", command], cwd=root, check=True)
    return root


def test_a_repository_s_fsmonitor_program_is_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    root = _with_fsmonitor(tmp_path / "repo", marker)
    plain = ("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    subprocess.run(plain, cwd=root, capture_output=True, check=True)
    assert marker.exists()  # plain git runs it: the repository is a real threat
    marker.unlink()
    assert _names(Listing(str(root)).collect()) == EXPECTED
    monkeypatch.setattr(listing, "_spawn_available", lambda: False)
    assert _names(Listing(str(root)).collect()) == EXPECTED
    assert not marker.exists()


def test_a_check_never_runs_the_repository_s_fsmonitor(tmp_path: Path) -> None:
    """The whole CLI, as a user runs it on a downloaded tree: ``acp-lint .`` twice (the second
    may be a replay, which runs no git listing at all). (``echelon install``: see
    ``tests/installer/test_installer_hostile.py``.)"""
    marker = tmp_path / "ran"
    root = _with_fsmonitor(tmp_path / "repo", marker)
    for _ in range(2):
        checked = subprocess.run(
            [sys.executable, "-m", "acp_lint", "."], cwd=root, capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
    assert not marker.exists()
