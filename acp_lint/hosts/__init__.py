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
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from acp_lint.errors import UsageError
from acp_lint.file_roles import MANIFEST
from acp_lint.records import record

if TYPE_CHECKING:
    from acp_lint.config import Config
    from acp_lint.diagnostics import Diagnostic
    from acp_lint.project import Project
    from acp_lint.routes.model import LiteralRef, PatternPart, RouteTable
    from acp_lint.sources import SourceTree
    from acp_lint.sql.findings import SqlFinding

# Host name -> the module that defines its ``HOST``. Imported only when the host is used.
HOSTS: dict[str, str] = {
    "django": "acp_lint.hosts.django",
    "fastapi": "acp_lint.hosts.fastapi",
}
# The order hosts are detected in when neither the config nor the manifest names a framework
# (``detected_hosts``): the linter and the installer both choose through it.
DETECTION_ORDER = ("django", "fastapi")

DEFAULT_HOST = "django"


@record(frozen=True)
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


@record(frozen=True)
class StartupHook:
    """A function the framework calls once at start-up. Django: the method ``method`` of a
    class with a base whose last component is ``base`` (``AppConfig.ready``); with no
    ``base``, a module-level function called ``method`` (``lifespan``). FastAPI: a
    function decorated with ``<x>.<decorator>("<argument>")`` (``on_event("startup")``), or
    one passed as the ``keyword`` argument of a call (``FastAPI(lifespan=...)``)."""

    method: str
    base: str
    decorator: str = ""
    argument: str = ""
    keyword: str = ""


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
    # how ACP103's message names them ("AppConfig.ready()")
    startup_label: str
    # bytes that mark a module as route code, looked for before anything is parsed (the
    # project rules run on a partial run only when a checked file may change the routes)
    route_hints: re.Pattern[bytes]
    # file names whose change always counts as a change of the routes (Django: manage.py)
    route_files: tuple[str, ...]

    def declared(self, tree: SourceTree) -> bool:
        """A cheap look, no module parsed: the project says it uses this framework (Django:
        a ``manage.py``; FastAPI: the root's own dependency declarations name it)."""
        ...

    def mentioned(self, tree: SourceTree) -> bool:
        """A broader cheap look, no module read: the project may use this framework (Django:
        a ``manage.py``; FastAPI: a dependency file at the root or one folder down names it).
        Only then is a project in which no earlier host was found scanned for this one, so a
        project of neither framework is not read file by file on every run."""
        ...

    def detect(self, tree: SourceTree, config: Config) -> bool:
        """Whether the project at ``tree`` uses this framework (Django: ``manage.py``;
        FastAPI: a module-level app outside sample folders). A host may raise
        ``HostChoiceError`` when the project is ambiguous for it (several apps)."""
        ...

    def guard_findings(self, text: str, path: str) -> list[Diagnostic] | None:
        """ACP104 of one handler module when the host judges it itself (FastAPI's path
        operations and their dependencies); None: the Django-style handler rule applies."""
        ...

    def route_table(self, tree: SourceTree, config: Config) -> RouteTable:
        """The project's routes in the framework's dispatch order (the neutral model)."""
        ...

    def may_have_routes(self, tree: SourceTree, config: Config) -> bool:
        """A cheap look, no module parsed: False only when ``route_table`` is certain to
        find no route and read no file (Django: no ``manage.py`` and neither ``urlconf``
        nor ``settings`` configured). The project rules then have nothing to check but
        bindings.json and the ACP app, and load none of the URL code."""
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

    def migration_files(self, root: Path) -> frozenset[str]:
        """ACP migrations the scope heuristics cannot see by their folder (FastAPI: the ACP
        branch's Alembic revisions), relative posix paths."""
        ...

    def migration_label(self, root: Path, rel: str) -> str | None:
        """What the checking of migration ``rel`` of the project at ``root`` depends on outside
        its own text (Django: the app label of its app, for CreateModel's default table);
        part of the results cache key."""
        ...

    def check_migration(self, source: str, dialect: str, label: str | None) -> Sequence[SqlFinding]:
        """ACP301-303 findings of a migration module's source (raises SyntaxError/ValueError
        when it is not valid Python)."""
        ...

    def source_root(self, tree: SourceTree) -> str:
        """The folder (relative, "" for the root) the project's modules are imported from
        (Django: that of ``manage.py``); a cheap look, no module is parsed."""
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


def find_python(root: Path, explicit: str | None = None) -> str:
    """The interpreter a host's ``verify`` runs the project's framework in: ``--python``,
    else the project's ``.venv``/``venv`` interpreter, else this one."""
    if explicit:
        return explicit
    for name in (".venv", "venv"):
        for candidate in (root / name / "bin" / "python", root / name / "Scripts" / "python.exe"):
            if candidate.is_file():
                return str(candidate)
    return sys.executable


_LOADED: dict[str, Host] = {}


def load_host(name: str) -> Host:
    """The host called ``name``; its package is imported on first use."""
    return load_registered(HOSTS, _LOADED, name)


def load_registered(registry: Mapping[str, str], loaded: dict[str, Any], name: str) -> Any:
    """``registry[name]``'s module's ``HOST``, imported on first use and kept in ``loaded``:
    the lazy loading of both host registries (the linter's and the installer's)."""
    host = loaded.get(name)
    if host is None:
        if name not in registry:
            raise KeyError(f"unknown host {name!r}; known: {', '.join(sorted(registry))}")
        host = importlib.import_module(registry[name]).HOST
        loaded[name] = host
    return host


class HostChoiceError(UsageError):
    """The project's framework cannot be chosen without the config (exit 2)."""


# Config -> host name, for the callers that have a Config and no Project (per-file rules):
# only the manifest is read for them, once per config.
_CHOSEN: dict[Config, str] = {}


def _manifest_framework(tree: SourceTree) -> str | None:
    """The manifest's ``framework`` when it says one (older manifests do not)."""
    data = tree.read_bytes(MANIFEST)
    if data is None:
        return None
    import json  # here: ~2 ms that only a tree with a manifest needs

    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    framework = parsed.get("framework") if isinstance(parsed, dict) else None
    return framework if isinstance(framework, str) and framework in HOSTS else None


def configured_host(config: Config) -> str | None:
    """The framework the config chooses: ``framework``, else ``app`` (a FastAPI import
    string), else None."""
    if config.framework is not None:
        return config.framework
    return "fastapi" if config.app is not None else None


def detected_hosts(tree: SourceTree, config: Config) -> list[str]:
    """The frameworks the project at ``tree`` uses, in ``DETECTION_ORDER``: a host is asked to
    ``detect`` itself when it is ``declared``, or ``mentioned`` and no earlier host was found
    (so a Django project is scanned for a FastAPI app only when its own dependencies name
    FastAPI, a FastAPI monorepo whose ``backend/pyproject.toml`` names it is found, and a
    project of neither framework is not scanned). The one detection of both the linter
    (``choose_host``) and the installer (``acp_installer.hosts.host_for``)."""
    found: list[str] = []
    for name in DETECTION_ORDER:
        host = load_host(name)
        probe = host.declared if found else host.mentioned
        if probe(tree) and host.detect(tree, config):
            found.append(name)
    return found


def choose_host(tree: SourceTree, config: Config, detect: bool = True) -> str:
    """The framework of the project at ``tree``: the config's (``configured_host``), else the
    manifest's ``framework``, else (with ``detect``) ``detected_hosts``. Two frameworks
    detected and nothing to choose between them is a ``HostChoiceError``; nothing detected
    is the default host."""
    configured = configured_host(config)
    if configured is not None:
        return configured
    recorded = _manifest_framework(tree)
    if recorded is not None:
        return recorded
    if not detect:
        return DEFAULT_HOST
    found = detected_hosts(tree, config)
    if len(found) > 1:
        where = config.source or config.root / "pyproject.toml"
        raise HostChoiceError(
            f"acp-lint: {config.root} holds a {' and a '.join(found)} project; choose one "
            f'with framework = "{found[0]}" (or "{found[1]}") in [tool.acp-lint] of {where}'
        )
    return found[0] if found else DEFAULT_HOST


def host_for(project: Project | Config | None = None) -> Host:
    """The host of ``project`` (``choose_host``), the default host when none is given.

    A Project detects its framework once per run (the engine then pins it into the Config
    its rules see, as ``framework``); a Config alone is not scanned: its ``framework``,
    ``app``, the manifest, else the default host."""
    if project is None:
        return load_host(DEFAULT_HOST)
    from acp_lint.config import Config

    if isinstance(project, Config):
        name = _CHOSEN.get(project)
        if name is None:
            from acp_lint.sources import DiskTree

            name = _CHOSEN[project] = choose_host(DiskTree(project.root), project, detect=False)
        return load_host(name)
    return load_host(project.host_name)


def migration_label(root: Path, rel: str, config: Config | None = None) -> str | None:
    """The project's host's ``migration_label`` (the results cache keys a migration by it)."""
    return host_for(config).migration_label(root, rel)
