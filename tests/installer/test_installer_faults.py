"""Fault injection: the write step fails after N files, for every N; the tree must be
byte-identical afterwards and no lock, temporary file or directory may be left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from acp_installer.apply import ApplyError, Write, apply_writes
from acp_installer.install import install
from acp_installer.plan import InstallOptions, build_plan
from acp_installer.uninstall import plan_uninstall, uninstall
from installer_helpers import echelon, tree_hash


def test_apply_rolls_back_after_every_number_of_files(project: Path) -> None:
    """The apply step of a real install plan, failing after 0, 1, ..., total files."""
    plan = build_plan(InstallOptions(project, kernel_id="k-faults"))
    writes = [Write(change.rel, change.after) for change in plan.changes]
    assert len(writes) > 20
    before = tree_hash(project)
    for fail_after in range(len(writes) + 1):
        with pytest.raises(ApplyError, match="rolled back"):
            apply_writes(project, writes, fail_after)
        assert tree_hash(project) == before, f"not restored after {fail_after} file(s)"
    apply_writes(project, writes)
    assert tree_hash(project) != before


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_install_rolls_back_and_releases_the_lock(project: Path, where: str) -> None:
    options = InstallOptions(project, kernel_id="k-faults")
    total = len(build_plan(options).changes)
    fail_after = {"first": 0, "middle": total // 2, "last": total}[where]
    before = tree_hash(project)
    with pytest.raises(ApplyError, match="rolled back"):
        install(options, fail_after=fail_after)
    assert tree_hash(project) == before
    assert not (project / ".acp").exists()
    assert install(options).status == "installed"


def test_update_rolls_back_to_the_previous_install(project: Path) -> None:
    install(InstallOptions(project, kernel_id="k-faults"))
    installed = tree_hash(project)
    moved = InstallOptions(project, base_path="/acp")
    total = len(build_plan(moved).changes)
    assert total == 3  # urls.py, bindings, manifest
    for fail_after in range(total + 1):
        with pytest.raises(ApplyError):
            install(moved, fail_after=fail_after)
        assert tree_hash(project) == installed
    assert install(moved).status == "installed"
    assert (project / "controlplane.bindings.json").read_text().count("/acp/manage") == 1


def test_uninstall_rolls_back_after_every_number_of_files(project: Path) -> None:
    install(InstallOptions(project, kernel_id="k-faults"))
    installed = tree_hash(project)
    total = len(plan_uninstall(project).changes)
    assert total > 20
    for fail_after in range(total + 1):
        with pytest.raises(ApplyError):
            uninstall(project, fail_after=fail_after)
        assert tree_hash(project) == installed, f"not restored after {fail_after} file(s)"
    uninstall(project)
    assert not (project / "acp").exists() and not (project / ".acp").exists()


def test_the_environment_hook_works_through_the_cli(project: Path) -> None:
    before = tree_hash(project)
    result = echelon("install", ".", cwd=project, env={"ACP_INSTALL_FAIL_AFTER": "7"})
    assert result.returncode == 1
    assert "injected failure after 7 file(s)" in result.stderr
    assert "rolled back" in result.stderr
    assert tree_hash(project) == before
    assert not (project / ".acp").exists()
