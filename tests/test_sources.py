"""The disk tree and the in-memory overlay the installer lints its plan with."""

from __future__ import annotations

from pathlib import Path

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
