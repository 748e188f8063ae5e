"""The files of the app the installer ships (the host's ``templates/acp``), with their roles.

The app is static: the same bytes for every install. Roles follow what the lint engine's
scope reads from the manifest: ``handler`` for every Python module except migrations,
``migration`` for migration modules, anything else (``app-file``) is out of lint scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from acp_lint.manifest import FileRole

APP_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
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


def app_files(template_root: Path) -> list[AppFile]:
    """Every file of a host's template (``acp_installer.hosts.template_root``), sorted;
    caches and compiled files are not part of it."""
    files = []
    for path in sorted(template_root.rglob("*")):
        rel = path.relative_to(template_root).as_posix()
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        files.append(AppFile(rel, path.read_bytes(), role_of(rel)))
    if not files:
        raise RuntimeError(f"the app template is missing: {template_root}")
    return files
