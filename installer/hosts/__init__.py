"""The installer's host seam: what ``echelon`` does differently for each web framework.

The plan, apply, uninstall, doctor and gate are framework-neutral; they ask an
``InstallerHost`` to find the project, to register and mount the ACP app in the host's own
files (and to take both out again), and where the app template lives. They never import a host
package: ``tests/test_host_seam.py`` fails when anything outside ``installer/hosts/<name>/``
(or ``acp_lint/hosts/<name>/``) imports ``acp_installer.hosts.<name>``.

Adding a host (say FastAPI) is a package ``installer/hosts/fastapi/`` with ``HOST`` (an
``InstallerHost``) and ``templates/acp/``, one line in ``HOSTS`` below, and its choice in
``host_for``; the linter's side is the same three steps in ``acp_lint.hosts``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from acp_installer.hostfile import Source

    from acp_lint.config import Config

# Host name -> the module that defines its ``HOST``. Imported only when the host is used.
HOSTS: dict[str, str] = {
    "django": "acp_installer.hosts.django",
}

DEFAULT_HOST = "django"


def template_root(name: str = DEFAULT_HOST) -> Path:
    """The app template a host ships (``installer/hosts/<name>/templates/acp``); package data,
    found without importing the host."""
    return Path(__file__).resolve().parent / name / "templates" / "acp"


@runtime_checkable
class InstallerHost(Protocol):
    """Everything framework-specific the installer does to a host project."""

    name: str

    def detect(self, project_dir: Path) -> Any:
        """The project in ``project_dir`` (a ``HostProject``: where its settings, URL
        configuration and app registry live); UsageError (exit 2) says what was looked at."""
        ...

    def check_app_name(self, host: Any, app: str, app_dir: str) -> None:
        """Refuse (UsageError) an app name or table names that clash with the host's apps."""
        ...

    def plan_registration(
        self, host: Any, app: str
    ) -> tuple[str, Source | None, str | None, Mapping[str, str]]:
        """``(file, source, new text, record)`` registering the app with the framework
        (Django: INSTALLED_APPS); ``new text`` None when it is registered already; ``record``
        goes into the manifest's host section for uninstall (Django: which list it went to)."""
        ...

    def add_registration(self, source: Source, app: str) -> str:
        """``source`` with the app registered (uninstall's check of what install made)."""
        ...

    def remove_registration(
        self, source: Source, app: str, recorded: Mapping[str, object]
    ) -> str | None:
        """``source`` without the app's registration (``recorded``: the manifest's host
        section), or None when it is not there."""
        ...

    def has_registration(self, source: Source, app: str) -> bool: ...

    def add_mount(self, source: Source, base_path: str, app: str) -> tuple[str, Sequence[str]]:
        """``(new text, names it imports)`` mounting the app's routes at ``base_path``."""
        ...

    def remove_mount(self, source: Source, app: str, imports: Sequence[str]) -> str | None:
        """``source`` without the mount (and the ``imports`` install added), or None."""
        ...

    def mounted_route(self, source: Source, app: str) -> str | None:
        """The route literal the app is mounted at in ``source``, or None."""
        ...

    def route_for(self, base_path: str) -> str:
        """The route literal install writes for ``base_path``."""
        ...

    def mount_line(self, base_path: str, app: str) -> str:
        """The mount as a line of code, for messages."""
        ...

    def migration_operations(self, text: str) -> list[tuple[int, str]]:
        """``(line, operation)`` of a migration module the app ships, for ``--dry-run``."""
        ...


_LOADED: dict[str, InstallerHost] = {}


def load_host(name: str) -> InstallerHost:
    """The installer host called ``name``; its package is imported on first use."""
    host = _LOADED.get(name)
    if host is None:
        if name not in HOSTS:
            raise KeyError(f"unknown host {name!r}; known: {', '.join(sorted(HOSTS))}")
        host = importlib.import_module(HOSTS[name]).HOST
        _LOADED[name] = host
    return host


def host_for(config: Config | Path | None = None) -> InstallerHost:
    """The installer host of a project. Today every project is a Django project; a second
    host adds its choice here (a config key, else each host's detection in a fixed order)."""
    return load_host(DEFAULT_HOST)
