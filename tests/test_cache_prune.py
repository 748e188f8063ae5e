"""The results cache stays bounded: what runs no longer use is removed, and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from clitools import run_cli

from acp_lint.cache_prune import INTERVAL, MAX_AGE, OWNER, STAMP, prune, prune_if_due

REPO = Path(__file__).resolve().parent.parent
NOW = time.time()
DAY = 24 * 3600
OLD = NOW - MAX_AGE - DAY


def _entry_name(number: int) -> str:
    return f"{number:064x}.json"


def _put(path: Path, when: float, accessed: float | None = None, text: str = "{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (accessed if accessed is not None else when, when))
    return path


def test_entries_unused_for_the_age_limit_go_and_everything_else_stays(tmp_path: Path) -> None:
    directory = tmp_path / "v1"
    shard = directory / "ab"
    fresh = _put(shard / _entry_name(1), NOW - DAY)
    stale = _put(shard / _entry_name(2), OLD)
    read_lately = _put(shard / _entry_name(3), OLD, accessed=NOW - DAY)  # written long ago
    orphan = _put(shard / f".{_entry_name(4)}.0a1b2c3d.tmp", NOW - 2 * DAY)
    writing = _put(shard / f".{_entry_name(5)}.0a1b2c3d.tmp", NOW - 60)
    stat_index = _put(directory / "stat-0123456789abcdef.json", OLD)
    replay_entry = _put(directory / "replay-0123abcd", OLD)
    not_ours = [
        _put(directory / "clock", OLD),
        _put(directory / STAMP, OLD),
        _put(directory / "notes.txt", OLD),
        _put(shard / "README", OLD),
        _put(shard / f"{1:063x}.json", OLD),  # one digit short: not an entry's name
        _put(directory / "zz" / _entry_name(6), OLD),  # not a shard's name
    ]
    (shard / _entry_name(7)).mkdir()  # a directory named like an entry

    assert prune(directory, NOW) == 4
    assert {stale, orphan, stat_index, replay_entry}.isdisjoint(directory.rglob("*"))
    for kept in (fresh, read_lately, writing, *not_ours, shard / _entry_name(7)):
        assert kept.exists(), kept


def test_past_the_entry_limit_the_least_recently_used_go(tmp_path: Path) -> None:
    directory = tmp_path / "v1"
    entries = [
        _put(directory / f"{number:02x}" / _entry_name(number), NOW - number * 60)
        for number in range(30)
    ]
    _put(directory / "replay-0123abcd", NOW - 100 * 60)  # the oldest of all
    assert prune(directory, NOW, max_entries=10) == 21
    assert [entry.exists() for entry in entries] == [True] * 10 + [False] * 20


def test_links_are_never_followed_and_are_removed_as_links(tmp_path: Path) -> None:
    """A repository can ship the cache with links in it: the files they point at, inside or
    outside the project, are never removed."""
    outside = tmp_path / "outside"
    target = _put(outside / _entry_name(1), OLD)
    directory = tmp_path / "project" / ".acp-lint-cache" / "v1"
    (directory / "cd").mkdir(parents=True)
    (directory / "ef").symlink_to(outside, target_is_directory=True)  # a shard that is a link
    link = directory / "cd" / _entry_name(2)
    link.symlink_to(target)
    os.utime(link, (OLD, OLD), follow_symlinks=False)
    assert prune(directory, NOW) == 1
    assert not os.path.lexists(link)
    assert target.exists() and (directory / "ef").is_symlink()
    # ``v1`` itself a link: nothing is removed through it
    linked = tmp_path / "other" / "v1"
    linked.parent.mkdir()
    linked.symlink_to(outside, target_is_directory=True)
    _put(outside / "ab" / _entry_name(3), OLD)
    assert prune(linked, NOW) == 0
    assert (outside / "ab" / _entry_name(3)).exists()


def test_pruning_is_done_at_most_once_an_interval(tmp_path: Path) -> None:
    directory = tmp_path / "v1"
    _put(directory / OWNER, NOW, text="me")
    _put(directory / "ab" / _entry_name(1), OLD)
    assert prune_if_due(directory, "me", NOW) == 1
    assert (directory / STAMP).stat().st_mtime == NOW
    _put(directory / "ab" / _entry_name(2), OLD)
    assert prune_if_due(directory, "me", NOW + INTERVAL - 60) is None  # not due: kept for now
    assert (directory / "ab" / _entry_name(2)).exists()
    assert prune_if_due(directory, "me", NOW + INTERVAL + 60) == 1
    # a stamp from the future (a clock set back) does not stop pruning for good
    _put(directory / "ab" / _entry_name(3), OLD)
    os.utime(directory / STAMP, (NOW + 100 * DAY, NOW + 100 * DAY))
    assert prune_if_due(directory, "me", NOW) == 1
    assert (directory / OWNER).read_text() == "me"


def test_only_a_cache_whose_owner_file_names_this_identity_is_pruned(tmp_path: Path) -> None:
    """The owner file holds the identity of the tag of the cache an acp-lint created; a cache
    without one, with another's, or with a link there, is not pruned."""
    directory = tmp_path / "v1"
    stale = _put(directory / "ab" / _entry_name(1), OLD)
    assert prune_if_due(directory, "me", NOW) is None  # no owner file
    _put(directory / OWNER, NOW, text="someone else")
    assert prune_if_due(directory, "me", NOW) is None
    (directory / OWNER).unlink()
    (directory / OWNER).symlink_to(_put(tmp_path / "elsewhere", NOW, text="me"))
    assert prune_if_due(directory, "me", NOW) is None
    assert stale.exists() and not (directory / STAMP).exists()


def test_a_link_in_the_stamp_s_place_stops_pruning_and_is_not_written_through(
    tmp_path: Path,
) -> None:
    outside = _put(tmp_path / "outside.txt", OLD, text="untouched")
    directory = tmp_path / "v1"
    _put(directory / OWNER, NOW, text="me")
    (directory / STAMP).symlink_to(outside)
    stale = _put(directory / "ab" / _entry_name(1), OLD)
    assert prune_if_due(directory, "me", NOW) is None
    assert stale.exists()
    assert outside.read_text() == "untouched" and outside.stat().st_mtime == OLD


def _entries(cache: Path) -> set[str]:
    return {path.name for path in (cache / "v1").glob("*/*.json")}


def test_a_run_prunes_what_no_run_uses_and_reports_the_same(tmp_path: Path) -> None:
    """The real CLI: a file edited three times leaves entries for its old contents. Thirty
    days on, the next run that writes to the cache removes them; what it used stays (or is
    written again), and its findings are those of a run without a cache."""
    project = tmp_path / "demo"
    shutil.copytree(
        REPO / "fixtures" / "demo", project, ignore=shutil.ignore_patterns(".acp-lint-cache")
    )
    cache = project / ".acp-lint-cache"
    views = project / "acp" / "views.py"
    original = views.read_bytes()
    assert run_cli(cwd=project).returncode == 1
    first = _entries(cache)
    for number in range(3):
        views.write_bytes(original + f"\n# edit {number}\n".encode())
        assert run_cli(cwd=project).returncode == 1
    edited = _entries(cache)
    assert len(edited) > len(first)  # each content of views.py has its own entry
    for path in (cache / "v1").rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))
    views.write_bytes(original + b"\n# a last edit\n")
    last = run_cli("--output-format", "json", cwd=project)
    cold = run_cli("--output-format", "json", "--no-cache", cwd=project)
    assert last.stdout == cold.stdout and json.loads(last.stdout)
    remaining = _entries(cache)
    assert remaining and not (edited - first) & remaining  # the old contents' entries are gone
    assert len(remaining) <= len(first) + 1
    assert (cache / "v1" / STAMP).stat().st_mtime > NOW - 60
    again = run_cli("--output-format", "json", cwd=project)
    assert again.stdout == cold.stdout


def test_a_directory_that_cannot_be_listed_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pruning runs after the report: an unreadable directory (a permission this test, run
    as root, cannot take away, so ``scandir`` is made to fail) must not fail the run."""
    directory = tmp_path / "v1"
    stale = _put(directory / "ab" / _entry_name(1), OLD)
    real_scandir = os.scandir

    def refusing(path: object) -> object:
        if isinstance(path, int):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    assert prune(directory, NOW) == 0
    assert stale.exists()


def test_a_cache_that_came_with_the_repository_is_never_pruned(tmp_path: Path) -> None:
    """A repository can ship ``.acp-lint-cache`` (its files then tracked by git). Copied, as a
    clone does, it is not the copy's acp-lint's own: old as its entries are, none is deleted,
    and the findings are still those of a run without a cache."""
    project = tmp_path / "demo"
    shutil.copytree(
        REPO / "fixtures" / "demo", project, ignore=shutil.ignore_patterns(".acp-lint-cache")
    )
    assert run_cli(cwd=project).returncode == 1
    (project / "acp" / "views.py").write_text("# another content, another entry\n")
    assert run_cli(cwd=project).returncode in (0, 1)
    clone = tmp_path / "clone"
    shutil.copytree(project, clone)  # the cache comes along, as shipped files would
    shipped = {path for path in (clone / ".acp-lint-cache").rglob("*") if path.is_file()}
    for path in shipped:
        os.utime(path, (OLD, OLD))
    cold = run_cli("--output-format", "json", "--no-cache", cwd=clone)
    assert run_cli("--output-format", "json", cwd=clone).stdout == cold.stdout
    assert all(path.exists() for path in shipped)
    assert (clone / ".acp-lint-cache" / "v1" / STAMP).stat().st_mtime == OLD  # not pruned
