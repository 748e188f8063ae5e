"""``echelon uninstall``: manifest-driven; removes what install created, reverts its edits.

A created file is deleted only while it still has the hash echelon recorded (``--force``
deletes it anyway). A host file gets its backup back only when its current content is exactly
what the install made of that backup; otherwise the ACP edits are taken out with libcst and
every other change the user made stays.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from acp_installer import edits, paths
from acp_installer.apply import Write, apply_writes
from acp_installer.errors import Refused
from acp_installer.lock import project_lock
from acp_installer.manifest import MANIFEST, Entry, Manifest, sha256
from acp_installer.plan import ENV_BLOCK, FileChange, env_example_with_block


@dataclass
class UninstallPlan:
    root: Path
    manifest: Manifest
    files: list[FileChange] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changes(self) -> list[FileChange]:
        return [change for change in self.files if change.changed]


def _reinstalled(manifest: Manifest, rel: str, entry: Entry, original: bytes) -> bytes | None:
    """What the install makes of ``original`` (to tell whether only echelon touched it)."""
    try:
        source = edits.decode_host_file(rel, original)
        text = source.text
        if entry.role == "env-example":
            return env_example_with_block(original) or original
        if rel == manifest.settings:
            text = edits.add_installed_app(edits.Source(rel, text, source.bom), manifest.app)
        if rel == manifest.urlconf and manifest.mounted:
            text = edits.add_mount(
                edits.Source(rel, text, source.bom), manifest.base_path, manifest.app
            )
        return source.encode(text)
    except Refused:
        return None


def _reverted(manifest: Manifest, rel: str, entry: Entry, current: bytes) -> bytes | None:
    """``current`` without the ACP edits (libcst), or None when none of them is there."""
    source = edits.decode_host_file(rel, current)
    if entry.role == "env-example":
        newline = "\r\n" if "\r\n" in source.text else "\n"
        block = newline.join(ENV_BLOCK) + newline
        if block not in source.text:
            return None
        text = source.text.replace(newline + block, "", 1)
        if text == source.text:
            text = source.text.replace(block, "", 1)
        return source.encode(text)
    text, found = source.text, False
    if rel == manifest.urlconf:
        result = edits.remove_mount(
            edits.Source(rel, text, source.bom), manifest.app, manifest.imports_added
        )
        if result is not None:
            text, found = result, True
    if rel == manifest.settings:
        result = edits.remove_installed_app(edits.Source(rel, text, source.bom), manifest.app)
        if result is not None:
            text, found = result, True
    return source.encode(text) if found else None


def plan_uninstall(project_dir: Path, force: bool = False) -> UninstallPlan:
    root = project_dir.resolve()
    data = paths.read(root, MANIFEST)
    if data is None:
        raise Refused(f"nothing to uninstall: {MANIFEST} not found in {root}")
    manifest = Manifest.from_bytes(data)
    plan = UninstallPlan(root, manifest)
    remaining: dict[str, Entry] = {}
    handled_backups: set[str] = set()
    for rel, entry in sorted(manifest.files.items()):
        if entry.role == "backup":
            continue
        current = paths.read(root, rel)
        if current is None:
            continue
        if entry.created:
            if sha256(current) == entry.sha256 or force:
                plan.files.append(FileChange(rel, current, None, entry.role))
            else:
                plan.kept.append((rel, "changed since install"))
                remaining[rel] = entry
            continue
        backup = paths.read(root, entry.backup) if entry.backup else None
        after: bytes | None = None
        if (
            backup is not None
            and sha256(backup) == entry.original_sha256
            and _reinstalled(manifest, rel, entry, backup) == current
        ):
            after = backup
        else:
            after = _reverted(manifest, rel, entry, current)
        if after is None:
            after = current  # none of our edits is left in it
        plan.files.append(FileChange(rel, current, after, entry.role))
        if entry.backup:
            handled_backups.add(entry.backup)
    for rel, entry in sorted(manifest.files.items()):
        if entry.role == "backup":
            current = paths.read(root, rel)
            if current is not None and (rel in handled_backups or force):
                plan.files.append(FileChange(rel, current, None, "backup"))
            elif current is not None:
                remaining[rel] = entry
    if remaining:
        manifest_left = Manifest(**{**manifest.__dict__, "files": remaining})
        plan.files.append(FileChange(MANIFEST, data, manifest_left.to_bytes(), "manifest"))
    else:
        plan.files.append(FileChange(MANIFEST, data, None, "manifest"))
    return plan


def uninstall(
    project_dir: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    confirm: Callable[[UninstallPlan], bool] | None = None,
    fail_after: int | None = None,
) -> UninstallPlan:
    if dry_run:
        return plan_uninstall(project_dir, force)
    root = project_dir.resolve()
    with project_lock(root, cleanup_empty=True):
        plan = plan_uninstall(project_dir, force)
        if confirm is not None and not confirm(plan):
            raise Refused("not confirmed; nothing was removed")
        writes = [Write(change.rel, change.after) for change in plan.changes]
        apply_writes(root, writes, fail_after)
        _remove_empty_dirs(root, [c.rel for c in plan.changes if c.after is None])
    return plan


def _remove_empty_dirs(root: Path, deleted: list[str]) -> None:
    """Directories the deletions emptied (bytecode caches of the app included) go too."""
    directories = set()
    for rel in deleted:
        for parent in PurePosixPath(rel).parents:
            if str(parent) != ".":
                directories.add(str(parent))
    for rel in sorted(directories, key=lambda d: d.count("/"), reverse=True):
        directory = root / rel
        if not directory.is_dir() or directory.is_symlink():
            continue
        cache = directory / "__pycache__"
        if cache.is_dir() and not cache.is_symlink():
            shutil.rmtree(cache, ignore_errors=True)
        try:
            directory.rmdir()
        except OSError:
            pass
