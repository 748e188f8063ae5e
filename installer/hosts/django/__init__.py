"""The Django host of the installer: ``HOST`` implements ``acp_installer.hosts.InstallerHost``.

Everything the installer does that only makes sense for Django lives in this package:
``detect`` (manage.py -> settings -> ROOT_URLCONF / INSTALLED_APPS), ``edits`` (libcst edits
of the settings and the root URLconf, with their inverses), ``urlconf_window`` (the mount
edit of a huge URLconf through a window), ``apps`` (the effective INSTALLED_APPS), ``labels``
(app label and table clashes) and ``templates/acp`` (the Django modules of the app it ships,
merged with the shared runtime in ``installer/templates/acp``). Each module is imported when
first used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# What --migrations-only ships: enough for INSTALLED_APPS to load the app and for
# ``manage.py migrate`` to create its tables, and nothing that serves a request.
DATA_LAYER = frozenset({"__init__.py", "apps.py", "models.py", "migrations/__init__.py"})

# The manifest host-section key naming the settings list install added the app to.
INSTALLED_APPS_LIST = "installed_apps_list"

if TYPE_CHECKING:
    from acp_installer.hostfile import Source
    from acp_installer.hosts.django.detect import DjangoProject

    from acp_lint.config import Config
    from acp_lint.sources import DiskTree


class DjangoInstaller:
    """``InstallerHost`` for Django projects."""

    name = "django"
    data_layer = DATA_LAYER
    extra_app_files: frozenset[str] = frozenset()
    migrate_command = "python manage.py migrate"

    def next_migrate_command(self, written: Sequence[str]) -> str:
        return self.migrate_command

    def migration_warnings(self, host: object, written: Sequence[str]) -> list[str]:
        return []

    def mentioned_in(self, config: Config, tree: DiskTree) -> bool:
        return False  # the default host: its detection's error says what is missing

    def detect(self, project_dir: Path) -> DjangoProject:
        from acp_installer.hosts.django.detect import detect

        return detect(project_dir)

    def check_app_name(self, host: DjangoProject, app: str, app_dir: str) -> None:
        from acp_installer.hosts.django import labels

        from acp_lint.sources import DiskTree

        files = [host.settings_file, host.registration_file]
        entries = labels.installed_entries(host.installed_apps, DiskTree(host.root), files)
        labels.check_clashes(DiskTree(host.root), host.locator, entries, app, app_dir)

    def plan_registration(
        self, host: DjangoProject, app: str
    ) -> tuple[str, Source | None, str | None, Mapping[str, str]]:
        from acp_installer.hosts.django.apps import plan_edit

        edit = plan_edit(host.root, host.source_dir, host.start_module, host.manage_py, app)
        # uninstall takes "acp" out of this list only
        record = {INSTALLED_APPS_LIST: edit.list_name} if edit.list_name is not None else {}
        return edit.file, edit.source, edit.text, record

    def add_registration(self, source: Source, app: str) -> str:
        from acp_installer.hosts.django.edits import add_installed_app

        return add_installed_app(source, app)

    def remove_registration(
        self, source: Source, app: str, recorded: Mapping[str, object]
    ) -> str | None:
        from acp_installer.hosts.django.apps import remove_installed_app

        listed = recorded.get(INSTALLED_APPS_LIST)
        return remove_installed_app(source, app, listed if isinstance(listed, str) else None)

    def has_registration(self, source: Source, app: str) -> bool:
        """``"<app>"`` is in a list that builds INSTALLED_APPS here (never merely in some
        list: ``ALLOWED_HOSTS = ["acp"]`` registers nothing), as uninstall would find it."""
        from acp_installer.hosts.django.apps import remove_installed_app

        return remove_installed_app(source, app) is not None

    def registered_by_hand(self, project_dir: Path, app: str) -> str | None:
        from acp_installer.errors import InstallerError
        from acp_installer.hosts.django.apps import registered_in

        try:
            host = self.detect(project_dir)
        except InstallerError:
            return None  # no settings to read: nothing known to break
        return registered_in(host.root, host.source_dir, host.start_module, host.manage_py, app)

    def add_mount(self, source: Source, base_path: str, app: str) -> tuple[str, Sequence[str]]:
        from acp_installer.hosts.django import urlconf_window

        tree = urlconf_window.parse(source)  # ast: a huge URLconf is edited in a window
        imports = urlconf_window.missing_django_urls_imports(source, tree)
        return urlconf_window.add_mount(source, base_path, app, tree), imports

    def remove_mount(self, source: Source, app: str, imports: Sequence[str]) -> str | None:
        from acp_installer.hosts.django.edits import remove_mount

        return remove_mount(source, app, imports)

    def mounted_route(self, source: Source, app: str) -> str | None:
        from acp_installer.hosts.django.edits import mounted_route

        return mounted_route(source, app)

    def route_for(self, base_path: str) -> str:
        from acp_installer.hosts.django.edits import route_for

        return route_for(base_path)

    def mount_line(self, base_path: str, app: str) -> str:
        return f'path("{self.route_for(base_path)}", include("{app}.urls"))'

    def migration_operations(self, text: str) -> list[tuple[int, str]]:
        from acp_lint.hosts.django.django_migrations import list_operations

        return [(operation.line, operation.name) for operation in list_operations(text)]

    def data_files(
        self, host: DjangoProject, app_dir: str, recorded: Mapping[str, object], seed: str
    ) -> tuple[list[tuple[str, bytes]], Mapping[str, str]]:
        return [], {}  # the migrations are files of the app template

    def is_own_migration(self, rel: str, recorded: Mapping[str, object]) -> bool:
        return False


HOST = DjangoInstaller()
