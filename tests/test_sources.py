"""The disk tree and the in-memory overlay the installer lints its plan with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from acp_lint.sources import DiskTree, OverlayTree, normalise_rel


def test_overlay_adds_replaces_and_hides(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.py").write_text("disk")
    (tmp_path / "a" / "y.py").write_text("disk-y")
    tree = OverlayTree(
        DiskTree(tmp_path), {"a/x.py": b"planned", "a/y.py": None, "b/new/z.py": b"z"}
    )
    assert tree.read_bytes("a/x.py") == b"planned"
    assert tree.read_bytes("a/y.py") is None and not tree.is_file("a/y.py")
    assert tree.read_bytes("./b/new/z.py") == b"z"
    assert tree.list_dir("a") == ["x.py"]
    assert tree.list_dir("") == ["a", "b"]
    assert tree.is_dir("b") and tree.is_dir("b/new") and not tree.is_dir("c")
    assert not (tmp_path / "b").exists()


def test_normalise_rel() -> None:
    assert normalise_rel("./a//b/") == "a/b"
    assert normalise_rel(".") == ""


def test_without_proc_the_boundary_resolves_the_path_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where ``/proc/self/fd`` cannot be read (not Linux), ``realpath`` decides the same."""
    from acp_lint import sources

    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "inside.py").write_text("x = 1\n")
    (tmp_path / "secret.py").write_text("key = 'x'\n")
    os.symlink("inside.py", root / "app" / "alias.py")
    os.symlink("../../secret.py", root / "app" / "out.py")
    real_readlink = os.readlink

    def no_proc(path: str, *args: object, **kwargs: object) -> str:
        if str(path).startswith("/proc/"):
            raise OSError("no /proc here")
        return real_readlink(path, *args, **kwargs)

    for patched in (False, True):
        if patched:
            monkeypatch.setattr(sources.os, "readlink", no_proc)
        tree = sources.DiskTree(root)
        assert tree.read_bytes("app/alias.py") == b"x = 1\n"
        assert tree.read_bytes("app/out.py") is None
        assert "outside the repository" in (tree.read_problem("app/out.py") or "")


def test_a_sibling_whose_name_starts_like_the_project_is_outside(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (tmp_path / "repo-other").mkdir()
    (tmp_path / "repo-other" / "x.py").write_text("x = 1\n")
    (root / ".gitx").write_text("x = 2\n")  # a name that merely starts like .git
    os.symlink("../../repo-other/x.py", root / "app" / "other.py")
    os.symlink("../.gitx", root / "app" / "gitx.py")
    tree = DiskTree(root)
    assert tree.read_bytes("app/other.py") is None
    assert tree.read_bytes("app/gitx.py") == b"x = 2\n"


def test_routes_verify_reads_manage_py_as_a_project_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``routes --verify`` looks for django-configurations' class in ``manage.py``: a FIFO
    there blocked the run forever, and ``manage.py -> /dev/zero`` filled memory."""
    from acp_lint.hosts.django.verify import configuration_name

    monkeypatch.delenv("DJANGO_CONFIGURATION", raising=False)
    (tmp_path / "manage.py").write_text("os.environ.setdefault('DJANGO_CONFIGURATION', 'Dev')\n")
    assert configuration_name(tmp_path) == "Dev"
    (tmp_path / "manage.py").unlink()
    os.mkfifo(tmp_path / "manage.py")
    assert configuration_name(tmp_path) == ""
    (tmp_path / "manage.py").unlink()
    os.symlink("/dev/zero", tmp_path / "manage.py")
    assert configuration_name(tmp_path) == ""
