"""``acp_lint.hosts.Host`` for FastAPI projects: what the linter asks of a FastAPI host.

Each method imports what it needs when called. Choosing a host costs a look at the root's
dependency declarations (``declared``) and, when they name FastAPI or no Django project was
found, a scan for a module-level ``FastAPI()`` (``detect``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from acp_lint.hosts import GuardResponse, HostChoiceError, StartupHook

if TYPE_CHECKING:
    from acp_lint.config import Config
    from acp_lint.diagnostics import Diagnostic
    from acp_lint.hosts.fastapi.model import AppRef
    from acp_lint.hosts.fastapi.verify import StarletteVerification
    from acp_lint.routes.model import LiteralRef, PatternPart, RouteTable
    from acp_lint.sources import SourceTree
    from acp_lint.sql.findings import SqlFinding

GUARD = GuardResponse(
    code=(
        'if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":\n'
        "    return JSONResponse(\n"
        '        {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"},\n'
        "        status_code=503,\n"
        "    )\n"
    ),
    imports=(("os", None), ("fastapi.responses", "JSONResponse")),
    response="JSONResponse",
    qualified="fastapi.responses.JSONResponse",
)

# The distributions that install FastAPI, as a requirement names them (normalised, PEP 503).
FASTAPI_DISTRIBUTIONS = frozenset({"fastapi", "fastapi-slim"})
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _requirement_name(requirement: str) -> str | None:
    """The normalised distribution name a requirement line or PEP 508 string starts with."""
    if requirement.lstrip().startswith(("-", "#")):
        return None  # an option (-r, -e, --index-url) or a comment
    match = _REQUIREMENT_NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def _pyproject_requirements(data: bytes) -> list[str]:
    """The runtime dependencies a root ``pyproject.toml`` declares: ``[project].dependencies``
    and Poetry's ``[tool.poetry.dependencies]``; extras, groups and dev dependencies (a test
    suite's FastAPI client) are not the project's own."""
    from acp_lint.config import toml_reader

    tomllib = toml_reader()

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return []
    found: list[str] = []
    project = document.get("project")
    if isinstance(project, dict) and isinstance(project.get("dependencies"), list):
        found += [item for item in project["dependencies"] if isinstance(item, str)]
    tool = document.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        found += [name for name in poetry["dependencies"] if isinstance(name, str)]
    return found


def declares_fastapi(tree: SourceTree) -> bool:
    """The project's own dependency declarations name FastAPI: the root ``pyproject.toml``
    (``[project].dependencies``, ``[tool.poetry.dependencies]``) or a ``requirements*.txt`` at
    the root. A cheap look, no module is read: on a Django project it decides whether the
    project is scanned for a FastAPI app too (both found is ambiguous)."""
    requirements: list[str] = []
    data = tree.read_bytes("pyproject.toml")
    if data is not None:
        requirements += _pyproject_requirements(data)
    for name in tree.list_dir(""):
        if name.startswith("requirements") and name.endswith(".txt") and tree.is_file(name):
            text = (tree.read_bytes(name) or b"").decode("utf-8", "replace")
            requirements += text.splitlines()
    return any(_requirement_name(item) in FASTAPI_DISTRIBUTIONS for item in requirements)


# Dependency files, by name, that may list FastAPI (requirements.txt, requirements/base.txt
# is one folder down and found as such; the lock files of Poetry, uv, PDM and Pipenv).
_DEPENDENCY_FILE = re.compile(
    r"(requirements[\w.-]*\.(txt|in)|pyproject\.toml|setup\.(py|cfg)|Pipfile(\.lock)?"
    r"|poetry\.lock|uv\.lock|pdm\.lock|environment\.ya?ml)"
)
_NAMES_FASTAPI = re.compile(rb"(?i)\bfastapi\b")


def mentions_fastapi(tree: SourceTree) -> bool:
    """A dependency file at the root or in a direct subfolder (a monorepo's ``backend/``, as
    Django's ``manage.py`` is looked for one level down) names FastAPI, in any section: the
    cheap look that decides whether a project in which no Django project was found is
    scanned for a FastAPI app, so that a project of neither framework is not read file by
    file on every run. Broader than ``declares_fastapi``, which must not count a test extra."""
    from acp_lint.discovery import DEFAULT_EXCLUDES

    folders = [""] + [
        name
        for name in sorted(tree.list_dir(""))
        if not name.startswith(".") and name not in DEFAULT_EXCLUDES and tree.is_dir(name)
    ]
    for folder in folders:
        for name in sorted(tree.list_dir(folder)):
            path = f"{folder}/{name}" if folder else name
            if _DEPENDENCY_FILE.fullmatch(name) and tree.is_file(path):
                data = tree.read_bytes(path)
                if data is not None and _NAMES_FASTAPI.search(data):
                    return True
    return False


# Folders whose apps are samples of the project, not the project (as Django's detection
# looks for manage.py only at the root and one level down).
SAMPLE_FOLDERS = frozenset({"tests", "test", "testing", "fixtures", "examples", "docs"})


def project_apps(tree: SourceTree) -> list[AppRef]:
    """The module-level ``FastAPI()`` apps of the project, those in test, fixture, example
    and docs folders left out."""
    from acp_lint.hosts.fastapi.app import find_apps

    return [
        ref
        for ref in find_apps(tree)
        if not SAMPLE_FOLDERS & set(ref.position.file.split("/")[:-1])
    ]


def choose_app(tree: SourceTree, config: Config) -> AppRef | None:
    """The configured app, else the one app of the project (None: there is none); exit 2
    (``HostChoiceError``) when the configured one is not there or several are found."""
    from acp_lint.hosts.fastapi.app import find_configured_app
    from acp_lint.hosts.fastapi.model import AppError

    if config.app is not None:
        found = find_configured_app(tree, config.app)
        if isinstance(found, AppError):
            raise HostChoiceError(f"acp-lint: {found.message}")
        return found
    apps = project_apps(tree)
    if len(apps) > 1:
        listing = ", ".join(f"{ref.import_string} ({ref.position})" for ref in apps)
        raise HostChoiceError(
            f"acp-lint: {len(apps)} FastAPI applications found: {listing}; choose one "
            f'with app = "pkg.module:app" in [tool.acp-lint]'
        )
    return apps[0] if apps else None


class FastAPIHost:
    """``acp_lint.hosts.Host`` for FastAPI (Starlette) projects."""

    name = "fastapi"
    guard = GUARD
    startup_hooks = (
        StartupHook(method="", base="", decorator="on_event", argument="startup"),
        StartupHook(method="", base="", keyword="lifespan"),
        StartupHook(method="lifespan", base=""),  # FastAPI's name for it, passed from elsewhere
    )
    startup_label = 'the lifespan or an on_event("startup") handler'
    # route code of an app: routers, includes, mounts, path operation decorators
    route_hints = re.compile(
        rb"FastAPI|APIRouter|include_router|add_api_route|Mount\(|Route\(|\.mount\("
        rb"|@[\w.]+\.(?:get|post|put|patch|delete|options|head|trace|api_route|route)\("
    )
    route_files: tuple[str, ...] = ()

    def declared(self, tree: SourceTree) -> bool:
        return declares_fastapi(tree)

    def mentioned(self, tree: SourceTree) -> bool:
        return mentions_fastapi(tree)

    def detect(self, tree: SourceTree, config: Config) -> bool:
        return choose_app(tree, config) is not None

    def may_have_routes(self, tree: SourceTree, config: Config) -> bool:
        return True  # finding the app means reading modules: ``route_table`` decides

    def guard_findings(self, text: str, path: str) -> list[Diagnostic] | None:
        from acp_lint.hosts.fastapi.guard import diagnostics

        return diagnostics(text, path)

    def route_table(self, tree: SourceTree, config: Config) -> RouteTable:
        from acp_lint.hosts.fastapi.neutral import empty_table, neutral_table
        from acp_lint.hosts.fastapi.routes import TableError, build_table

        app = choose_app(tree, config)
        if app is None:
            return empty_table("no module-level FastAPI() application was found")
        try:
            table = build_table(tree, app)
        except TableError as error:
            raise HostChoiceError(f"acp-lint: app = {app.import_string!r}: {error}") from None
        return neutral_table(table, tree)

    def literal_part(self, text: str, is_endpoint: bool, literal: LiteralRef | None) -> PatternPart:
        from acp_lint.hosts.fastapi.paths import PathError, compile_path
        from acp_lint.routes.matching import PatternError
        from acp_lint.routes.model import PatternPart

        try:
            regex, params = compile_path("/" + text.lstrip("/"))
        except PathError as error:
            raise PatternError(str(error)) from None
        ints = tuple(name for name, convertor in params if convertor == "int")
        return PatternPart("starlette", text.lstrip("/"), regex, is_endpoint, ints, literal)

    def handler_module(
        self, table: RouteTable, tree: SourceTree, endpoint: str
    ) -> tuple[str, str] | None:
        from acp_lint.routes.resolver import route_matches

        path = endpoint.lstrip("/")
        for route in table.routes:
            if route.kind == "api" and route.serves("POST") and route_matches(route, path):
                package = route.module.rpartition(".")[0] or route.module
                return route.file, package
        return None

    def is_migration(self, path: str) -> bool:
        return "/versions/" in f"/{path}"

    def migration_files(self, root: Path) -> frozenset[str]:
        """The ACP branch's Alembic revisions (relative, posix): ACP migrations by scope."""
        from acp_lint.hosts.fastapi.alembic_migrations import acp_revisions

        found = set()
        for path in acp_revisions(root):
            try:
                found.add(path.resolve().relative_to(root.resolve()).as_posix())
            except ValueError:
                continue
        return frozenset(found)

    def migration_label(self, root: Path, rel: str) -> str | None:
        return None

    def check_migration(self, source: str, dialect: str, label: str | None) -> Sequence[SqlFinding]:
        from acp_lint.hosts.fastapi.alembic_migrations import check_revision

        return check_revision("<revision>", source, dialect)  # type: ignore[return-value]

    def source_root(self, tree: SourceTree) -> str:
        return ""  # an app's modules are named from the project root (``app.main:app``)

    def entry_point(self, tree: SourceTree, config: Config) -> tuple[str, str]:
        try:
            app = choose_app(tree, config)
        except HostChoiceError:
            return "", ""
        return (app.import_string if app is not None else "", "")

    def verify(
        self,
        root: Path,
        source_dir: Path,
        settings: str,
        endpoint: str,
        python: str | None,
        acp_app: str,
        candidates: tuple[str, ...] = (),
    ) -> StarletteVerification:
        from acp_lint.hosts import find_python
        from acp_lint.hosts.fastapi.verify import verify_endpoint

        interpreter = find_python(root, python)
        return verify_endpoint(source_dir, settings, endpoint, interpreter, acp_app, candidates)


HOST = FastAPIHost()
