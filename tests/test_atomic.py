"""The one atomic writer (``acp_lint.atomic``) used by ``--fix``, the cache and the installer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from acp_lint.atomic import write_atomically


def test_replaces_the_content_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "views.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    write_atomically(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_mode & 0o7777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["views.py"]  # no temporary left


def test_a_given_mode_and_a_durable_write(tmp_path: Path) -> None:
    target = tmp_path / "journal.json"
    write_atomically(target, b"{}", mode=0o600, durable=True)
    assert target.read_bytes() == b"{}"
    assert target.stat().st_mode & 0o7777 == 0o600


def test_a_failed_rename_leaves_the_target_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "package"
    (target / "inner").mkdir(parents=True)  # a non-empty directory cannot be replaced
    with pytest.raises(OSError):
        write_atomically(target, b"data")
    assert target.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package"]


def test_a_stale_staging_link_is_replaced_not_written_through(tmp_path: Path) -> None:
    """The installer names its staging file so that recovery finds it; one left behind (or
    planted as a link) is removed first, and the write never follows it."""
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep me")
    project = tmp_path / "project"
    project.mkdir()
    target = project / "settings.py"
    staging = project / ".settings.py.echelon-tmp"
    os.symlink(outside, staging)
    write_atomically(target, b"X = 1\n", staging=staging, durable=True)
    assert target.read_bytes() == b"X = 1\n" and not target.is_symlink()
    assert outside.read_bytes() == b"keep me"
    assert not os.path.lexists(staging)
