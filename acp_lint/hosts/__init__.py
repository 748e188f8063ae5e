"""The host seam: what the linter needs to know about the web framework of a project.

Framework-neutral code (``acp_lint.routes``, the rules, the engine, the CLI, the installer's
gate and doctor) asks a ``Host`` for everything framework-specific and never imports a host
package itself: ``tests/test_host_seam.py`` fails when anything outside
``acp_lint/hosts/<name>/`` (or the installer's ``installer/hosts/<name>/``) imports
``acp_lint.hosts.<name>``. A host package is imported lazily, by name, only when it is used.

Adding a host (say FastAPI) is:

1. a package ``acp_lint/hosts/fastapi/`` whose ``HOST`` attribute implements ``Host``;
2. one line in ``HOSTS`` below (``"fastapi": "acp_lint.hosts.fastapi"``);
3. a rule in ``host_for`` that picks it for a project (its ``detect``, or the config);

plus, for the installer, the same three steps in ``acp_installer.hosts``, and the new packages
in pyproject.toml's ``packages``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from acp_lint.config import Config
    from acp_lint.project import Project
    from acp_lint.routes.model import LiteralRef, PatternPart, RouteTable
    from acp_lint.sources import SourceTree
    from acp_lint.sql.findings import SqlFinding

# Host name -> the module that defines its ``HOST``. Imported only when the host is used.
HOSTS: dict[str, str] = {
    "django": "acp_lint.hosts.django",
}

DEFAULT_HOST = "django"


@dataclass(frozen=True)
class GuardResponse:
    """The early return ACP101's fix inserts into a handler when ``ACP_ENABLED`` is off.

    ``code`` is the statement as written (four-space indents, re-indented to the module's),
    ``imports`` the ``(module, name)`` pairs it needs (``name`` None for ``import module``),
    ``response`` the local name of the response class and ``qualified`` its import path.
    """

    code: str
    imports: tuple[tuple[str, str | None], ...]
    response: str
    qualified: str


@dataclass(frozen=True)
class StartupHook:
    """A method the framework calls once at start-up (Django: ``AppConfig.ready``): the name
    of the method and the last component of a base class that marks its class."""

    method: str
    base: str


class Verified(Protocol):
    """One view the framework dispatched a probed path to."""

    path: str
    view: str
    module: str
    route: str


class Verification(Protocol):
    """What the framework itself said about the endpoint path (``Host.verify``).

    ``status``: free, served, unavailable (the framework is not importable) or error."""

    status: str
    settings: str
    python: str
    endpoint_path: str
    matches: tuple[Verified, ...]
    acp: tuple[Verified, ...]
    error: str
    free_base_paths: tuple[str, ...]

    @property
    def conclusive(self) -> bool: ...

    def summary(self) -> str:
        """One line for the user: what was verified and how, or how to verify."""
        ...


@runtime_checkable
class Host(Protocol):
    """Everything framework-specific the linter asks of a project's web framework."""

    name: str
    # ACP101's canonical guard (its response type and imports)
    guard: GuardResponse
    # methods that run once at start-up (ACP103's heartbeat-at-start-up check)
    startup_hooks: tuple[StartupHook, ...]

    def detect(self, tree: SourceTree) -> bool:
        """Whether the project at ``tree`` uses this framework (a cheap look, no parsing)."""
        ...

    def route_table(self, tree: SourceTree, config: Config) -> RouteTable:
        """The project's routes in the framework's dispatch order (the neutral model)."""
        ...

    def literal_part(self, text: str, is_endpoint: bool, literal: LiteralRef | None) -> PatternPart:
        """The pattern part a route literal reading ``text`` would create (ACP202's fix
        checks the table as it would be after rewriting a literal)."""
        ...

    def handler_module(
        self, table: RouteTable, tree: SourceTree, endpoint: str
    ) -> tuple[str, str] | None:
        """Scope hint: the file that defines the view serving ``endpoint`` and the folder
        of its app, or None."""
        ...

    def is_migration(self, path: str) -> bool:
        """Whether the project file ``path`` (relative, posix) is a migration module."""
        ...

    def migration_label(self, file: Path) -> str | None:
        """What a migration's checking depends on outside its own text (Django: the app
        label of its app, for CreateModel's default table); part of the results cache key."""
        ...

    def check_migration(self, source: str, dialect: str, label: str | None) -> Sequence[SqlFinding]:
        """ACP301-303 findings of a migration module's source (raises SyntaxError/ValueError
        when it is not valid Python)."""
        ...

    def entry_point(self, tree: SourceTree, config: Config) -> tuple[str, str]:
        """``(settings, folder)`` the framework starts from (Django: the settings module and
        the folder of ``manage.py``, relative to the root); each "" when unknown."""
        ...

    def verify(
        self,
        root: Path,
        source_dir: Path,
        settings: str,
        endpoint: str,
        python: str | None,
        acp_app: str,
        candidates: tuple[str, ...] = (),
    ) -> Verification:
        """Ask the project's own framework, in a subprocess of its interpreter (``python``,
        else the one found under ``root``), which views serve ``endpoint``; each candidate
        base path is probed too. Only called when the static table is inconclusive."""
        ...


_LOADED: dict[str, Host] = {}


def load_host(name: str) -> Host:
    """The host called ``name``; its package is imported on first use."""
    host = _LOADED.get(name)
    if host is None:
        if name not in HOSTS:
            raise KeyError(f"unknown host {name!r}; known: {', '.join(sorted(HOSTS))}")
        host = importlib.import_module(HOSTS[name]).HOST
        _LOADED[name] = host
    return host


def host_for(project: Project | Config | None = None) -> Host:
    """The host of ``project``. Today every project is a Django project; a second host adds
    its choice here (a config key, else each host's ``detect`` in a fixed order)."""
    return load_host(DEFAULT_HOST)


def migration_label(file: Path) -> str | None:
    """The default host's ``migration_label`` (the results cache keys a migration by it)."""
    return host_for().migration_label(file)
