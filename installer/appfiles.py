"""The files of the app the installer ships, with their roles.

A host's app is two template folders merged: the framework-neutral runtime every host ships
(``installer/templates/acp``: errors, hub client, governance, heartbeat, throttle, ...) and the
host's own modules (``installer/hosts/<name>/templates/acp``: settings, views or router, key
storage, migrations). One module lives in one folder only, so the same runtime is one copy.

The app is static: the same bytes for every install. Roles follow what the lint engine's
scope reads from the manifest: ``handler`` for every Python module except migrations,
``migration`` for migration modules, anything else (``app-file``) is out of lint scope.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from acp_installer.hosts import template_root

from acp_lint.manifest import FileRole
from acp_lint.records import record

# The framework-neutral part of every host's app (package data, like the hosts' templates).
SHARED_TEMPLATE_ROOT = Path(__file__).resolve().parent / "templates" / "acp"
APP_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")


@record(frozen=True)
class AppFile:
    rel: str  # relative to the app directory, POSIX
    content: bytes
    role: str

    @property
    def is_migration(self) -> bool:
        return self.rel.startswith("migrations/")

    def in_data_layer(self, data_layer: frozenset[str]) -> bool:
        """Part of what ``--migrations-only`` writes (``data_layer``: the host's list)."""
        return self.rel in data_layer or self.role == FileRole.MIGRATION


def role_of(rel: str) -> str:
    path = PurePosixPath(rel)
    if path.suffix != ".py":
        return FileRole.APP_FILE
    if path.parts[0] == "migrations":
        return FileRole.APP_FILE if path.name == "__init__.py" else FileRole.MIGRATION
    return FileRole.HANDLER


def template_roots(host: str) -> tuple[Path, ...]:
    """The folders whose files together are the app ``host`` ships, shared one first."""
    return (SHARED_TEMPLATE_ROOT, template_root(host))


def template_paths(roots: tuple[Path, ...]) -> dict[str, Path]:
    """Where each file of the app comes from, by its path in the app (sorted as paths).

    A path in two folders is an error, not an override: each module has one copy. Caches and
    compiled files are not part of the app.
    """
    found: dict[str, Path] = {}
    for root in roots:
        files = [
            path
            for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
            if path.suffix not in (".pyc", ".pyo")
        ]
        if not files:
            raise RuntimeError(f"the app template is missing: {root}")
        for path in files:
            rel = path.relative_to(root).as_posix()
            if rel in found:
                raise RuntimeError(f"the app template has {rel} twice: {found[rel]} and {path}")
            found[rel] = path
    return {rel: found[rel] for rel in sorted(found, key=PurePosixPath)}


def app_files(host: str) -> list[AppFile]:
    """Every file of the app ``host`` ships (both template folders merged), sorted."""
    return [
        AppFile(rel, path.read_bytes(), role_of(rel))
        for rel, path in template_paths(template_roots(host)).items()
    ]
