"""Find the FastAPI application of a host project statically (nothing of the host is run).

The application is the configured one (``app = "pkg.module:app"``) or the only module-level
``X = FastAPI(...)`` of the project, read by the linter's own finder
(``acp_lint.hosts.fastapi.find_app``), so the installer and the linter agree on the app. The
``acp/`` package goes into the app's import base (the directory above its topmost package:
``""`` or ``src``), where ``import acp`` finds it beside the app's package. Alembic's versions
directory comes from ``alembic.ini`` / ``[tool.alembic]`` (``script_location``), as the
Alembic checker reads it.
"""

from __future__ import annotations

import os
from pathlib import Path

from acp_installer.errors import UsageError
from acp_installer.hostconfig import HostProject, project_config, project_root

from acp_lint.hosts.fastapi import AppError, find_app
from acp_lint.hosts.fastapi.alembic_migrations import versions_directories
from acp_lint.hosts.fastapi.source import module_name_for
from acp_lint.records import record
from acp_lint.sources import DiskTree


@record(frozen=True)
class FastApiProject(HostProject):
    """A FastAPI host: ``mount_file`` (= ``registration_file``) is the module creating the app;
    ``start_module`` is the app's import string."""

    attribute: str = "app"  # the module-level name the app is bound to
    versions_dir: str | None = None  # Alembic's versions directory, project-relative


def detect(project_dir: Path) -> FastApiProject:
    """The FastAPI project in ``project_dir``; a UsageError (exit 2) says what was looked at."""
    root = project_root(project_dir)
    config = project_config(root)
    tree = DiskTree(root)
    configured = getattr(config, "app", None)
    found = find_app(tree, configured if isinstance(configured, str) else None)
    if found is None:
        raise UsageError(
            f"no FastAPI application in {root}: no module-level `app = FastAPI(...)` found "
            '(an app created only inside a function cannot be edited; set app = "pkg.module:app" '
            "in [tool.acp-lint] to the module that creates it)"
        )
    if isinstance(found, AppError):
        raise UsageError(found.message)
    rel = found.position.file
    _contained(root, rel)
    dotted, base, _ = module_name_for(tree, rel)
    return FastApiProject(
        root=root,
        config=config,
        source_dir=base,
        start_module=found.import_string,
        registration_file=rel,
        mount_module=dotted,
        mount_file=rel,
        attribute=found.attribute,
        versions_dir=_versions_dir(root),
    )


def _contained(root: Path, rel: str) -> None:
    """The app module is a regular file inside the project (no link on its way)."""
    real = Path(os.path.realpath(root / rel))
    try:
        real.relative_to(root)
    except ValueError:
        raise UsageError(
            f"the FastAPI app module {rel} resolves outside the project ({real}); "
            "echelon edits only files inside it"
        ) from None


def _versions_dir(root: Path) -> str | None:
    """The one Alembic versions directory inside the project, or None without Alembic."""
    found = versions_directories(root)
    if not found:
        return None
    inside = []
    for path in found:
        real = Path(os.path.realpath(path))
        try:
            rel = real.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(
                f"Alembic's versions directory {path} is outside the project; echelon writes "
                "its revision only inside it"
            ) from None
        if ".git" in rel.split("/"):
            raise UsageError(f"Alembic's versions directory {rel} is inside .git/; refusing")
        inside.append(rel)
    if len(inside) > 1:
        raise UsageError(
            f"Alembic reads several versions directories ({', '.join(inside)}); echelon does "
            "not choose one: add the ACP revision by hand"
        )
    return inside[0]
