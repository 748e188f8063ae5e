"""The installer's host seam: what ``echelon`` does differently for each web framework.

The plan, apply, uninstall, doctor and gate are framework-neutral; they ask an
``InstallerHost`` to find the project, to register and mount the ACP app in the host's own
files (and to take both out again), and where the app template lives. They never import a host
package: ``tests/test_host_seam.py`` fails when anything outside ``installer/hosts/<name>/``
(or ``acp_lint/hosts/<name>/``) imports ``acp_installer.hosts.<name>``.

Adding a host (say FastAPI) is a package ``installer/hosts/fastapi/`` with ``HOST`` (an
``InstallerHost``) and ``templates/acp/`` (the host's own modules; the framework-neutral runtime
in ``installer/templates/acp/`` is merged in by ``acp_installer.appfiles``), one line in
``HOSTS`` below, and its choice in ``host_for``; the linter's side is the same three steps in
``acp_lint.hosts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from acp_installer.hostfile import Source

    from acp_lint.config import Config
    from acp_lint.sources import DiskTree

# Host name -> the module that defines its ``HOST``. Imported only when the host is used.
HOSTS: dict[str, str] = {
    "django": "acp_installer.hosts.django",
    "fastapi": "acp_installer.hosts.fastapi",
}

DEFAULT_HOST = "django"


def template_root(name: str) -> Path:
    """The host's own part of the app it ships (``installer/hosts/<name>/templates/acp``);
    package data, found without importing the host. ``acp_installer.appfiles`` merges it with
    the shared runtime (``installer/templates/acp``)."""
    return Path(__file__).resolve().parent / name / "templates" / "acp"


@runtime_checkable
class InstallerHost(Protocol):
    """Everything framework-specific the installer does to a host project."""

    name: str
    # app template files (relative to the app directory) ``--migrations-only`` writes
    data_layer: frozenset[str]
    # files of the app directory outside the app template that ``data_files`` may write
    extra_app_files: frozenset[str]
    # what the user runs to create the tables (messages)
    migrate_command: str

    def next_migrate_command(self, written: Sequence[str]) -> str:
        """What the user runs after an install that wrote the migration files ``written``."""
        ...

    def migration_warnings(self, host: Any, written: Sequence[str]) -> list[str]:
        """What in the project will not apply the migration files ``written`` as they are
        (FastAPI: a script running ``alembic upgrade head``, which stops at two heads)."""
        ...

    def mentioned_in(self, config: Config, tree: DiskTree) -> bool:
        """Does the project at ``config.root`` (read through ``tree``) at least import this
        framework? Asked when no host is detected, to choose whose "not found" message the
        user gets."""
        ...

    def detect(self, project_dir: Path) -> Any:
        """The project in ``project_dir`` (a ``HostProject``: where its start module, mount
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

    def registered_by_hand(self, project_dir: Path, app: str) -> str | None:
        """The file that still registers the app when install did not register it (it was
        there already: added by hand), or None. Uninstall keeps the app while it is: deleting
        it would leave a host that does not start."""
        ...

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

    def data_files(
        self, host: Any, app_dir: str, recorded: Mapping[str, object], seed: str
    ) -> tuple[list[tuple[str, bytes]], Mapping[str, str]]:
        """Migration files beyond the app template (FastAPI: the Alembic revision in the
        host's versions directory) and what the manifest's host section records of them
        (``recorded``: that section from the earlier install; ``seed``: a stable string of
        this install for generated names)."""
        ...

    def is_own_migration(self, rel: str, recorded: Mapping[str, object]) -> bool:
        """Whether a manifest's migration file outside the app directory is one
        ``data_files`` writes (``recorded``: the manifest's host section)."""
        ...


_LOADED: dict[str, InstallerHost] = {}


def load_host(name: str) -> InstallerHost:
    """The installer host called ``name``; its package is imported on first use."""
    from acp_lint.hosts import load_registered

    return load_registered(HOSTS, _LOADED, name)


def host_for(config: Config | Path | None = None) -> InstallerHost:
    """The installer host of a project: config ``framework`` when set; else the linter's
    detection (``_detected``): both a Django project and a FastAPI app is ambiguous
    (UsageError, exit 2, asking for ``framework``); nothing found is Django (whose detection
    says what is missing) unless the project imports FastAPI. ``None``: the default host
    (callers that have a manifest use its framework)."""
    if config is None:
        return load_host(DEFAULT_HOST)
    from acp_installer.errors import UsageError

    root = config if isinstance(config, Path) else config.root
    if not root.is_dir():
        return load_host(DEFAULT_HOST)
    if isinstance(config, Path):
        from acp_installer.hostconfig import project_config

        config = project_config(root.resolve())
    framework = getattr(config, "framework", None)
    if isinstance(framework, str) and framework:
        if framework not in HOSTS:
            raise UsageError(
                f"framework = {framework!r} is not one echelon installs into "
                f"({', '.join(sorted(HOSTS))})"
            )
        return load_host(framework)
    return load_host(_detected(config))


def _detected(config: Config) -> str:
    """Which framework the project at ``config.root`` uses, when the config does not say:
    the linter's own detection (``acp_lint.hosts``: ``configured_host``, then
    ``detected_hosts``), so ``echelon`` installs into the framework ``acp-lint`` lints."""
    from acp_installer.errors import UsageError

    from acp_lint.hosts import HostChoiceError, configured_host, detected_hosts
    from acp_lint.sources import DiskTree

    configured = configured_host(config)
    if configured is not None:
        return configured
    tree = DiskTree(config.root.resolve())
    try:
        found = detected_hosts(tree, config)
    except HostChoiceError:
        return "fastapi"  # several FastAPI apps: the FastAPI host's detect() names them
    if not found:
        # Neither is there: the host whose framework the project at least imports says
        # what is missing (FastAPI: no module-level app), else Django's detection does,
        # unless a module could not be read because it is a link out of the project (which
        # is never read): that is what to say, not "no manage.py".
        if load_host("fastapi").mentioned_in(config, tree):
            return "fastapi"
        from acp_lint.sources import BOUNDARY_PROBLEMS, LINKED_INTO_GIT, NAMED_IN_GIT

        links = sorted(
            (rel, problem) for rel, problem in tree.problems.items() if problem in BOUNDARY_PROBLEMS
        )
        if links:
            rel, problem = links[0]
            into_git = problem in (LINKED_INTO_GIT, NAMED_IN_GIT)
            where = "into .git/" if into_git else "outside the project"
            raise UsageError(
                f"cannot tell the project's framework: {rel} is a symbolic link that leads "
                f"{where}, which echelon never reads (it reads and edits only files inside "
                "the project)"
            )
        return DEFAULT_HOST
    if len(found) > 1:
        raise UsageError(
            f"{config.root} has both a Django project (manage.py) and a FastAPI app; say which "
            'one to install into with framework = "django" or "fastapi" in [tool.acp-lint]'
        )
    return found[0]
