"""The FastAPI host of the installer: ``HOST`` implements ``acp_installer.hosts.InstallerHost``.

A FastAPI app has no app registry: nothing is registered, and the mount is one
``app.include_router(acp_router, prefix="<base>")`` right after ``app = FastAPI(...)`` (plus its
import), made and undone by ``edits``. The ``acp/`` package comes from ``templates/acp`` merged
with the shared runtime (``installer/templates/acp``); the tables come from an Alembic revision
on its own ``acp`` branch in the host's versions directory when the host uses Alembic, else
from ``acp/sql/0001_create_acp_tables.sql`` (PostgreSQL, CREATE only) beside
``python -m acp.create_tables`` (which the package always has). Both are the data layer
``--migrations-only`` writes, with the modules ``create_tables`` needs.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from acp_installer.errors import Refused, UsageError

if TYPE_CHECKING:
    from acp_installer.hostfile import Source
    from acp_installer.hosts.fastapi.detect import FastApiProject

    from acp_lint.config import Config
    from acp_lint.sources import DiskTree

TEMPLATES = Path(__file__).resolve().parent / "templates"
ALEMBIC_TEMPLATE = TEMPLATES / "alembic" / "acp_0001_create_acp_tables.py"
SQL_FILE = "sql/0001_create_acp_tables.sql"  # inside the app directory, hosts without Alembic
PLACEHOLDER = "__ACP_REVISION__"
REVISION_SUFFIX = "_acp_0001_create_acp_tables.py"
REVISION_FILE_RE = re.compile(r"([0-9a-f]{12})" + re.escape(REVISION_SUFFIX))
# Manifest host-section keys.
APP_KEY = "app"  # uvicorn's import string of the app the router was included in
REVISION_KEY = "alembic_revision"  # the revision file install wrote (project-relative)


class FastApiInstaller:
    """``InstallerHost`` for FastAPI (Starlette) projects."""

    name = "fastapi"
    # What --migrations-only ships: ``python -m acp.create_tables`` and what it imports.
    data_layer = frozenset({"__init__.py", "conf.py", "db.py", "errors.py", "create_tables.py"})
    extra_app_files = frozenset({SQL_FILE})
    migrate_command = "alembic upgrade heads (or python -m acp.create_tables)"

    def next_migrate_command(self, written: Sequence[str]) -> str:
        """Alembic only when the revision was written: without one (no versions directory
        found), ``alembic upgrade heads`` would not create the ACP tables."""
        sql = [rel for rel in written if rel.endswith(SQL_FILE)]
        if not sql or len(sql) < len(written):
            return self.migrate_command
        app = sql[0].removesuffix("/" + SQL_FILE).rpartition("/")[2]
        return f"python -m {app}.create_tables"

    def migration_warnings(self, host: FastApiProject, written: Sequence[str]) -> list[str]:
        if not any(rel.endswith(".py") for rel in written):
            return []  # no Alembic revision: nothing for `alembic upgrade` to apply
        from acp_installer.hosts.fastapi.upgrade_head import scripts_upgrading_one_head

        return [
            f'warning: {where} runs `alembic upgrade head`, which stops with "Multiple head '
            'revisions" once the ACP branch is there: make it `alembic upgrade heads`'
            for where in scripts_upgrading_one_head(host.root)
        ]

    def __init__(self) -> None:
        self._attributes: dict[str, str] = {}  # app module -> the app's name in it

    def mentioned_in(self, config: Config, tree: DiskTree) -> bool:
        """A module of the project (read through ``tree``: a FIFO, a device or a link out of
        the repository is not read, and is one of its ``problems``) imports FastAPI."""
        from acp_lint.discovery import DEFAULT_EXCLUDES, discover

        root = config.root.resolve()
        for rel in discover(root, DEFAULT_EXCLUDES, (".py",)):
            data = tree.read_bytes(rel)
            if data is None:
                continue
            if re.search(rb"^\s*(from|import)\s+fastapi\b", data, re.MULTILINE):
                return True
        return False

    def detect(self, project_dir: Path) -> FastApiProject:
        from acp_installer.hosts.fastapi.detect import detect

        host = detect(project_dir)
        self._attributes[host.mount_file] = host.attribute
        return host

    def check_app_name(self, host: FastApiProject, app: str, app_dir: str) -> None:
        if host.mount_module.split(".")[0] == app:
            raise UsageError(
                f"the FastAPI app lives in the package {app!r} ({host.mount_file}); "
                "choose another --app-name for the ACP package"
            )

    def plan_registration(
        self, host: FastApiProject, app: str
    ) -> tuple[str, Source | None, str | None, Mapping[str, str]]:
        return host.mount_file, None, None, {}  # FastAPI has no app registry

    def add_registration(self, source: Source, app: str) -> str:
        return source.text

    def remove_registration(
        self, source: Source, app: str, recorded: Mapping[str, object]
    ) -> str | None:
        return None

    def has_registration(self, source: Source, app: str) -> bool:
        return True

    def registered_by_hand(self, project_dir: Path, app: str) -> str | None:
        return None  # no registry: the router include is the only wiring, and install owns it

    def add_mount(self, source: Source, base_path: str, app: str) -> tuple[str, Sequence[str]]:
        from acp_installer.hosts.fastapi.edits import add_acp_router

        attribute = self._attributes.get(source.rel) or _only_app(source)
        return add_acp_router(source.text, attribute, base_path, app, rel=source.rel), []

    def remove_mount(self, source: Source, app: str, imports: Sequence[str]) -> str | None:
        from acp_installer.hosts.fastapi.edits import remove_acp_router

        text = remove_acp_router(source.text, None, app, rel=source.rel)
        return None if text == source.text else text

    def mounted_route(self, source: Source, app: str) -> str | None:
        from acp_installer.hosts.fastapi.edits import included_prefix

        return included_prefix(source.text, app, rel=source.rel)

    def route_for(self, base_path: str) -> str:
        return base_path

    def mount_line(self, base_path: str, app: str) -> str:
        return f'app.include_router(acp_router, prefix="{base_path}")'

    def migration_operations(self, text: str) -> list[tuple[int, str]]:
        """``op.*`` calls of ``upgrade()`` (Alembic), or the SQL statements' first words."""
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return [
                (number, " ".join(line.split()[:3]))
                for number, line in enumerate(text.splitlines(), 1)
                if line.strip().upper().startswith("CREATE ")
            ]
        found: list[tuple[int, str]] = []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and isinstance(call.func.value, ast.Name)
                        and call.func.value.id == "op"
                    ):
                        target = call.args[0] if call.args else None
                        name = target.value if isinstance(target, ast.Constant) else "?"
                        found.append((call.lineno, f"{call.func.attr}({name!s})"))
        return sorted(found)

    def data_files(
        self, host: FastApiProject, app_dir: str, recorded: Mapping[str, object], seed: str
    ) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
        """``([(file, content)], host-section record)`` of the migration this host gets: the
        Alembic revision or the SQL file. The revision id is the earlier install's, else
        derived from ``seed`` (kernel id and app), so that a run interrupted before its
        manifest was written and its re-run name the same file."""
        if host.versions_dir is None:
            sql = (TEMPLATES / SQL_FILE).read_bytes()
            return [(f"{app_dir}/{SQL_FILE}", sql)], {APP_KEY: host.start_module}
        earlier = recorded.get(REVISION_KEY)
        rel = None
        if isinstance(earlier, str) and earlier.rpartition("/")[0] == host.versions_dir:
            rel = earlier
        if rel is None:
            _check_no_acp_branch(host)
            revision = hashlib.sha256(f"acp-revision:{seed}".encode()).hexdigest()[:12]
            rel = f"{host.versions_dir}/{revision}{REVISION_SUFFIX}"
        match = REVISION_FILE_RE.fullmatch(rel.rpartition("/")[2])
        if match is None:
            raise Refused(f"the recorded ACP revision {rel} is not one echelon names")
        text = ALEMBIC_TEMPLATE.read_text(encoding="utf-8").replace(PLACEHOLDER, match.group(1))
        return [(rel, text.encode("utf-8"))], {REVISION_KEY: rel, APP_KEY: host.start_module}

    def is_own_migration(self, rel: str, recorded: Mapping[str, object]) -> bool:
        """A migration file outside the app directory is ours only as the recorded revision."""
        return recorded.get(REVISION_KEY) == rel and bool(
            REVISION_FILE_RE.fullmatch(rel.rpartition("/")[2])
        )


def _only_app(source: Source) -> str:
    """The name of the one module-level ``X = FastAPI(...)`` of ``source`` (uninstall and
    doctor run without detection); ``app`` when it cannot be told."""
    from acp_lint.hosts.fastapi.app import app_assignments
    from acp_lint.hosts.fastapi.source import ModuleSource, parse_bytes

    parsed = parse_bytes(source.text.encode("utf-8"), source.rel, "_host", False)
    if isinstance(parsed, ModuleSource):
        names = {ref.attribute for ref in app_assignments(parsed)}
        if len(names) == 1:
            return names.pop()
    return "app"


def _check_no_acp_branch(host: FastApiProject) -> None:
    """A host revision labelled ``acp`` already: Alembic would see two branches of that name."""
    from acp_lint.hosts.fastapi.alembic_migrations import acp_revisions

    found = acp_revisions(host.root)
    if found:
        rel = found[0].resolve().relative_to(host.root).as_posix()
        raise Refused(
            f"{rel} is already on an Alembic branch labelled 'acp' and echelon did not write "
            "it; refusing to add a second one"
        )


HOST = FastApiInstaller()
