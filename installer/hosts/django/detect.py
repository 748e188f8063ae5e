"""Find the host Django project statically (nothing of the host is imported or run).

``manage.py`` -> ``DJANGO_SETTINGS_MODULE`` -> settings (following ``from .base import *``)
-> ``ROOT_URLCONF`` and ``INSTALLED_APPS``, with the same reader the lint rules use, so the
installer and the linter can never disagree about which files make up the project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from acp_installer.errors import UsageError
from acp_installer.hostconfig import HostProject, project_config, project_root

from acp_lint.hosts.django.urls.settings_reader import find_manage_py, find_root_urlconf
from acp_lint.records import field, record
from acp_lint.sources import DiskTree


@record(frozen=True)
class DjangoProject(HostProject):
    """A Django host: ``start_module`` is the settings module, ``mount_module`` the root
    URLconf, ``registration_file`` the file whose ``INSTALLED_APPS`` list install edits."""

    manage_py: str = ""
    settings_file: str = ""
    installed_apps: Any = field(default=None, compare=False)  # SettingValue of INSTALLED_APPS
    locator: Any = field(default=None, compare=False)  # acp_lint ModuleLocator of the host


def detect(project_dir: Path) -> DjangoProject:
    """The Django project in ``project_dir``; a UsageError (exit 2) says what was looked at."""
    root = project_root(project_dir)
    config = project_config(root)
    tree = DiskTree(root)
    manage_files = find_manage_py(tree)
    if not manage_files:
        raise UsageError(
            f"no Django project in {root}: no manage.py there or in its direct subdirectories"
        )
    if len(manage_files) > 1:
        raise UsageError(
            f"several Django projects in {root} ({', '.join(manage_files)}); "
            "pass the directory of the one to install into"
        )
    found = find_root_urlconf(tree, config.urlconf, config.settings)
    if found.parse_errors:
        error = found.parse_errors[0]
        raise UsageError(f"{error.file}:{error.line}: {error.message}")
    if found.settings_module is None or found.settings_file is None:
        reason = found.problem.reason if found.problem else "settings module not found"
        raise UsageError(f"cannot find the Django settings of {manage_files[0]}: {reason}")
    if found.module is None or found.file is None:
        reason = found.problem.reason if found.problem else "ROOT_URLCONF not found"
        raise UsageError(f"cannot find the root URLconf ({found.settings_file}): {reason}")
    apps = found.settings.get("INSTALLED_APPS")  # None: class-based settings (checked later)
    manage = manage_files[0]
    return DjangoProject(
        root=root,
        config=config,
        source_dir=manage.rpartition("/")[0],
        start_module=found.settings_module,
        registration_file=apps.file if apps is not None else found.settings_file,
        mount_module=found.module,
        mount_file=found.file,
        manage_py=manage,
        settings_file=found.settings_file,
        installed_apps=apps,
        locator=found.locator,
    )
