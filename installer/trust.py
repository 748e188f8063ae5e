"""What a manifest may name: only the paths an install could have written.

``.acp/manifest.json`` comes from the repository, and a repository is untrusted input (a
clone, a pull request). Before it drives any update or deletion, every path in it must be
one echelon writes: inside the project (after links), outside ``.git/``, and of the kind its
role says - an app file is a file of the shipped app template in one ``[dir/]<app>/``
directory that holds no host settings or URLconf, the bindings file is the configured one,
a backup is the backup of an edited file, an edited file is the settings or URLconf module.
Anything else stops the run with exit 2 before a byte changes.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from acp_installer import paths
from acp_installer.appfiles import APP_NAME_RE, template_paths, template_roots
from acp_installer.errors import UsageError
from acp_installer.hosts import load_host

from acp_lint.manifest import (
    APP_ROLES,
    DEFAULT_FRAMEWORK,
    MANIFEST,
    FileRole,
    Manifest,
    backup_path,
)

ENV_EXAMPLE = ".env.example"
# The host kinds this echelon installs (a manifest of another kind is not ours to change).
FRAMEWORKS = frozenset({DEFAULT_FRAMEWORK, "fastapi"})
# The shipped apps.py says this; --force only deletes changed files of a directory that does.
ACP_APP_MARKER = b'verbose_name = "Agentic Control Plane"'


def _bad(rel: str, why: str) -> UsageError:
    return UsageError(f"{MANIFEST} lists {rel!r} {why}; echelon never writes there, refusing")


def app_dir_of(manifest: Manifest) -> str | None:
    """The directory of the installed app (``acp`` or ``src/acp``), from its files."""
    for rel, entry in sorted(manifest.files.items()):
        if entry.created and entry.role in APP_ROLES:
            parts = rel.split("/")
            if manifest.app in parts[:2]:
                return "/".join(parts[: parts.index(manifest.app) + 1])
    return None


def check_manifest(root: Path, manifest: Manifest, bindings_rel: str) -> None:
    """Raise UsageError (exit 2) unless every path of ``manifest`` is one install writes."""
    if manifest.framework not in FRAMEWORKS:
        raise UsageError(
            f"{MANIFEST}: framework {manifest.framework!r} is not one echelon installs "
            f"({', '.join(sorted(FRAMEWORKS))}); refusing"
        )
    if not APP_NAME_RE.fullmatch(manifest.app):
        raise UsageError(f"{MANIFEST}: {manifest.app!r} is not an app name echelon writes")
    for rel in (manifest.settings, manifest.urlconf):
        paths.contained(root, rel, MANIFEST)
        if not rel.endswith(".py"):
            raise _bad(rel, "as a settings or URLconf module")
    host = load_host(manifest.framework)
    template = set(template_paths(template_roots(manifest.framework)))
    template |= host.extra_app_files
    app_dir = app_dir_of(manifest)
    if app_dir is not None:
        for host_module in (manifest.settings, manifest.urlconf):
            if host_module.startswith(app_dir + "/"):
                raise _bad(app_dir, "as the ACP app, but the host settings or URLconf is in it")
    edited = {rel: entry for rel, entry in manifest.files.items() if not entry.created}
    backups = {entry.backup for entry in edited.values() if entry.backup is not None}
    for rel, entry in sorted(manifest.files.items()):
        paths.contained(root, rel, MANIFEST)
        if rel in (MANIFEST, ".acp/install.lock") or rel.startswith(".acp/journal/"):
            raise _bad(rel, "as a file of the install")
        if entry.role == FileRole.MIGRATION and host.is_own_migration(rel, manifest.host):
            if not entry.created:
                raise _bad(rel, "as a migration echelon wrote, but not as created")
            continue  # the host's revision file (FastAPI: Alembic's versions directory)
        if entry.role in APP_ROLES:
            inside = app_dir is not None and rel.startswith(app_dir + "/")
            if not entry.created or not inside or rel[len(app_dir) + 1 :] not in template:
                raise _bad(rel, f"as a file of the {manifest.app!r} app template")
        elif entry.role == FileRole.BINDINGS:
            if rel != bindings_rel or not entry.created:
                raise _bad(rel, f"as the bindings file (the configured one is {bindings_rel})")
        elif entry.role == FileRole.BACKUP:
            if rel not in backups or not entry.created:
                raise _bad(rel, "as a backup, but no edited file has it as its backup")
        elif entry.role in (FileRole.HOST_EDIT, FileRole.ENV_EXAMPLE):
            allowed = {ENV_EXAMPLE}
            if entry.role == FileRole.HOST_EDIT:
                allowed = {manifest.settings, manifest.urlconf}
            if rel not in allowed:
                raise _bad(rel, f"as a {entry.role} file")
            if entry.role == FileRole.HOST_EDIT and entry.created:
                # an install edits the host's settings and URLconf, it never creates them: a
                # "created" one would be deleted by uninstall
                raise _bad(rel, "as a host module echelon created")
            if not entry.created and entry.backup not in (None, backup_path(rel)):
                raise _bad(str(entry.backup), f"as the backup of {rel}")
        else:
            raise _bad(rel, f"with the unknown role {entry.role!r}")
    created = [rel for rel, entry in manifest.files.items() if entry.created]
    for rel in manifest.dirs:
        paths.contained(root, rel, MANIFEST)
        if not any(PurePosixPath(rel) in PurePosixPath(file).parents for file in created):
            raise _bad(rel + "/", "as a directory the install created, but no file of it is there")


def is_acp_app_dir(root: Path, app_dir: str, manifest: Manifest) -> bool:
    """The directory really holds the ACP app: its ``apps.py`` is the shipped one, or (after
    an uninstall that kept changed files) every file left in it is listed in the manifest."""
    data = paths.read(root, f"{app_dir}/apps.py")
    if data is not None:
        return ACP_APP_MARKER in data
    base = root / app_dir
    for path in base.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        if path.relative_to(root).as_posix() not in manifest.files:
            return False
    return True
