"""``echelon uninstall``: manifest-driven; removes what install created, reverts its edits.

A created file is deleted only while it still has the hash echelon recorded (``--force``
deletes it anyway). A host file gets its backup back only when its current content is exactly
what the install made of that backup; otherwise the ACP edits are taken out with libcst and
every other change the user made stays.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

from acp_installer import paths, trust
from acp_installer.apply import Write, apply_writes
from acp_installer.errors import Refused, UsageError
from acp_installer.hostconfig import bindings_rel, project_config
from acp_installer.hostfile import Source, decode_host_file
from acp_installer.hosts import load_host
from acp_installer.hostsource import MAX_BYTES, MAX_URLCONF_BYTES, check_host_source
from acp_installer.journal import Steps
from acp_installer.lock import project_lock
from acp_installer.manifest import load as load_manifest
from acp_installer.plan import ENV_BLOCK, FileChange, env_example_with_block

from acp_lint.manifest import APP_ROLES, MANIFEST, Entry, FileRole, Manifest, sha256
from acp_lint.records import field, record


@record
class UninstallPlan:
    root: Path
    manifest: Manifest
    files: list[FileChange] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    remove_dirs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[FileChange]:
        return [change for change in self.files if change.changed]


def _reinstalled(manifest: Manifest, rel: str, entry: Entry, original: bytes) -> bytes | None:
    """What the install makes of ``original`` (to tell whether only echelon touched it)."""
    try:
        source = decode_host_file(rel, original)
        text = source.text
        if entry.role != FileRole.ENV_EXAMPLE:
            limit = MAX_URLCONF_BYTES if rel == manifest.urlconf else MAX_BYTES
            check_host_source(rel, text, limit)
        if entry.role == FileRole.ENV_EXAMPLE:
            return env_example_with_block(original) or original
        host = load_host(manifest.framework)
        if rel == manifest.settings:
            text = host.add_registration(Source(rel, text, source.bom), manifest.app)
        if rel == manifest.urlconf and manifest.mounted:
            urls = Source(rel, text, source.bom)  # the edit install made: a window when huge
            text = host.add_mount(urls, manifest.base_path, manifest.app)[0]
        return source.encode(text)
    except Refused:
        return None


def _reverted(manifest: Manifest, rel: str, entry: Entry, current: bytes) -> bytes | None:
    """``current`` without the ACP edits (libcst), or None when none of them is there."""
    source = decode_host_file(rel, current)
    if entry.role != FileRole.ENV_EXAMPLE:
        check_host_source(rel, source.text)
    if entry.role == FileRole.ENV_EXAMPLE:
        newline = "\r\n" if "\r\n" in source.text else "\n"
        block = newline.join(ENV_BLOCK) + newline
        if block not in source.text:
            return None
        text = source.text.replace(newline + block, "", 1)
        if text == source.text:
            text = source.text.replace(block, "", 1)
        return source.encode(text)
    text, found = source.text, False
    host = load_host(manifest.framework)
    if rel == manifest.urlconf:
        result = host.remove_mount(
            Source(rel, text, source.bom), manifest.app, manifest.imports_added
        )
        if result is not None:
            text, found = result, True
    if rel == manifest.settings:
        result = host.remove_registration(
            Source(rel, text, source.bom), manifest.app, manifest.host
        )
        if result is not None:
            text, found = result, True
    return source.encode(text) if found else None


def _order(manifest: Manifest, change: FileChange) -> tuple[int, str]:
    """Host edits are reverted first (the URLconf before the settings: a mount of an app
    that is no longer installed fails to import), then files are deleted, the manifest last;
    a kill at any step leaves a host that imports."""
    if change.rel == manifest.urlconf and change.role == FileRole.HOST_EDIT:
        return 0, change.rel
    if change.rel == manifest.settings and change.role == FileRole.HOST_EDIT:
        return 1, change.rel
    rank = {FileRole.ENV_EXAMPLE: 2, FileRole.BACKUP: 4, FileRole.MANIFEST: 5}.get(change.role, 3)
    return rank, change.rel


def _removable_dirs(manifest: Manifest, deleted: list[str]) -> list[str]:
    """Directories the install created and this uninstall empties; nothing above them.
    Manifests written before ``dirs`` existed: the app directory tree and ``.acp/`` subtrees."""
    app_dir = trust.app_dir_of(manifest)
    made = set(manifest.dirs)
    if not made:
        for rel in deleted:
            for parent in PurePosixPath(rel).parents:
                text = str(parent)
                in_app = app_dir is not None and (text == app_dir or text.startswith(app_dir + "/"))
                if in_app or text.startswith(".acp/"):
                    made.add(text)
    emptied = {str(p) for rel in deleted for p in PurePosixPath(rel).parents}
    return sorted(made & emptied)


def _refuse_under_a_registration_by_hand(
    root: Path, manifest: Manifest, app_dir: str, deleted: list[str]
) -> None:
    """Install did not register the app (it was registered already, by hand): while that
    registration stands, deleting the app leaves a host that does not start."""
    if not any(rel.startswith(f"{app_dir}/") for rel in deleted):
        return
    where = load_host(manifest.framework).registered_by_hand(root, manifest.app)
    if where is not None:
        raise Refused(
            f'{where} registers "{manifest.app}", and echelon did not add it there (it was '
            f"there before the install), so deleting {app_dir}/ would leave a project that "
            f'does not start: take "{manifest.app}" out of it by hand, then run echelon '
            "uninstall again (--force deletes it anyway); nothing was removed",
            exit_code=2,
        )


def plan_uninstall(project_dir: Path, force: bool = False) -> UninstallPlan:
    if not project_dir.is_dir():
        raise UsageError(f"{project_dir}: no such directory")
    root = project_dir.resolve()
    if (root / ".acp").exists() and not (root / ".acp").is_dir():
        raise UsageError(f"{root / '.acp'} is not a directory; echelon keeps its state there")
    data = paths.read(root, MANIFEST)
    if data is None:
        raise Refused(f"nothing to uninstall: {MANIFEST} not found in {root}")
    manifest = load_manifest(data)
    trust.check_manifest(root, manifest, bindings_rel(project_config(root)))
    app_dir = trust.app_dir_of(manifest)
    verified_app = app_dir is not None and trust.is_acp_app_dir(root, app_dir, manifest)
    plan = UninstallPlan(root, manifest)
    remaining: dict[str, Entry] = {}
    handled_backups: set[str] = set()
    for rel, entry in sorted(manifest.files.items()):
        if entry.role == FileRole.BACKUP:
            continue
        current = paths.read(root, rel)
        if current is None:
            continue
        if entry.created:
            forced = force and (entry.role not in APP_ROLES or verified_app)
            if sha256(current) == entry.sha256 or forced:
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
        if entry.role == FileRole.BACKUP:
            current = paths.read(root, rel)
            if current is not None and (rel in handled_backups or force):
                plan.files.append(FileChange(rel, current, None, FileRole.BACKUP))
            elif current is not None:
                remaining[rel] = entry
    if remaining:
        kept_created = [rel for rel, entry in remaining.items() if entry.created]
        dirs_left = [
            d
            for d in manifest.dirs
            if any(PurePosixPath(d) in PurePosixPath(f).parents for f in kept_created)
        ]
        manifest_left = Manifest(**{**manifest.__dict__, "files": remaining, "dirs": dirs_left})
        plan.files.append(FileChange(MANIFEST, data, manifest_left.to_bytes(), FileRole.MANIFEST))
    else:
        plan.files.append(FileChange(MANIFEST, data, None, FileRole.MANIFEST))
    plan.files.sort(key=lambda change: _order(manifest, change))
    deleted = [change.rel for change in plan.changes if change.after is None]
    if not force and manifest.settings not in manifest.files and app_dir is not None:
        _refuse_under_a_registration_by_hand(root, manifest, app_dir, deleted)
    plan.remove_dirs = _removable_dirs(manifest, deleted)
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
    if not project_dir.is_dir():
        raise UsageError(f"{project_dir}: no such directory")
    root = project_dir.resolve()
    notes: list[str] = []
    with project_lock(root, cleanup_empty=True, notes=notes):
        plan = plan_uninstall(project_dir, force)
        plan.notes = notes
        if confirm is not None and not confirm(plan):
            raise Refused("not confirmed; nothing was removed")
        writes = [Write(change.rel, change.after) for change in plan.changes]
        apply_writes(
            root,
            writes,
            fail_after,
            operation="uninstall",
            remove_dirs=plan.remove_dirs,
            steps=Steps.from_env(),
        )
    return plan
