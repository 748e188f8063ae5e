"""Find the FastAPI application of a project: configured (``app = "pkg.module:app"``) or found.

Finding scans the project's Python files, cheaply: a file is parsed only when its bytes
contain ``FastAPI`` (or ``mount``); then only its module-level assignments count (``app =
FastAPI(...)``, ``app: FastAPI = fastapi.FastAPI(...)``, through any import alias). A FastAPI
instance that the project mounts in another app (``app.mount("/v1", api)``, ``Mount("/v1",
app=api)``) is a sub-application, not a candidate. Exactly one candidate is the application;
several are an ``AppError`` (the CLI asks for ``app``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from acp_lint.discovery import DEFAULT_EXCLUDES, discover
from acp_lint.hosts.fastapi.model import AppError, AppRef
from acp_lint.hosts.fastapi.source import (
    Loader,
    ModuleSource,
    import_bindings,
    module_name_for,
    parse_bytes,
    qualified,
)
from acp_lint.sources import SourceTree

FASTAPI_NAMES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
IMPORT_BASES = ("", "src")


def _assigned_name(statement: ast.stmt) -> tuple[str, ast.expr] | None:
    """``(name, value)`` of ``name = value`` / ``name: T = value`` with one plain target."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return target.id, statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        if isinstance(statement.target, ast.Name):
            return statement.target.id, statement.value
    return None


def app_assignments(module: ModuleSource) -> list[AppRef]:
    """The module-level ``X = FastAPI(...)`` assignments of ``module``, in source order."""
    bindings = import_bindings(module, module.tree.body)
    found: list[AppRef] = []
    for statement in module.tree.body:
        assigned = _assigned_name(statement)
        if assigned is None:
            continue
        name, value = assigned
        if isinstance(value, ast.Call) and qualified(value.func, bindings) in FASTAPI_NAMES:
            found.append(AppRef(module.dotted, name, module.position(statement)))
    return found


def mounted_names(module: ModuleSource) -> set[str]:
    """Qualified names (``pkg.mod.api``) of what ``module`` mounts: ``x.mount(path, app)`` and
    ``Mount(path, app)`` anywhere in it."""
    bindings = import_bindings(module, module.tree.body)
    found: set[str] = set()
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if name is None and isinstance(node.func, ast.Name):
            name = node.func.id
        if name not in ("mount", "Mount"):
            continue
        target = node.args[1] if len(node.args) > 1 else None
        target = next((k.value for k in node.keywords if k.arg == "app"), target)
        if target is None:
            continue
        qualname = qualified(target, bindings)
        if qualname is None and isinstance(target, ast.Name):
            qualname = f"{module.dotted}.{target.id}"
        if qualname is not None:
            found.add(qualname)
    return found


def parse_import_string(text: str) -> tuple[str, str] | None:
    """``("pkg.module", "app")`` from uvicorn's ``pkg.module:app``; None when malformed."""
    module, sep, attribute = text.strip().partition(":")
    names = module.split(".")
    if not sep or not attribute.isidentifier() or not all(n.isidentifier() for n in names):
        return None
    return module, attribute


def find_configured_app(tree: SourceTree, import_string: str) -> AppRef | AppError:
    """The application named by ``app = "pkg.module:app"`` in config."""
    parsed = parse_import_string(import_string)
    if parsed is None:
        return AppError(
            f"app = {import_string!r} is not an import string of the form 'pkg.module:app'"
        )
    dotted, attribute = parsed
    loaded = Loader(tree, list(IMPORT_BASES)).load(dotted)
    if loaded is None:
        return AppError(f"app = {import_string!r}: module {dotted!r} is not in the project")
    if not isinstance(loaded, ModuleSource):
        return AppError(f"app = {import_string!r}: {loaded.position}: {loaded.message}")
    for ref in app_assignments(loaded):
        if ref.attribute == attribute:
            return ref
    return AppError(
        f"app = {import_string!r}: {loaded.file} has no module-level `{attribute} = FastAPI(...)`"
    )


def find_apps(tree: SourceTree, files: Iterable[str] | None = None) -> list[AppRef]:
    """Every module-level ``X = FastAPI(...)`` of the project's Python files that is not
    mounted in another app, sorted by file."""
    if files is None:
        files = discover(tree.root, DEFAULT_EXCLUDES, (".py",))
    found: list[AppRef] = []
    mounted: set[str] = set()
    for file in sorted(files):
        if not file.endswith(".py"):
            continue
        data = tree.read_bytes(file)
        if data is None or (b"FastAPI" not in data and b"ount(" not in data):
            continue
        dotted, _, is_package = module_name_for(tree, file)
        parsed = parse_bytes(data, file, dotted, is_package)
        if isinstance(parsed, ModuleSource):
            if b"FastAPI" in data:
                found.extend(app_assignments(parsed))
            mounted |= mounted_names(parsed)
    return [ref for ref in found if f"{ref.module}.{ref.attribute}" not in mounted]


def find_app(
    tree: SourceTree, import_string: str | None = None, files: Iterable[str] | None = None
) -> AppRef | AppError | None:
    """The project's FastAPI application: the configured one, else the only one found.

    None when the project has none; an AppError when the configured one does not exist or
    several are found (its message lists them and asks for ``app`` in config).
    """
    if import_string is not None:
        return find_configured_app(tree, import_string)
    found = find_apps(tree, files)
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    listing = ", ".join(f"{ref.import_string} ({ref.position})" for ref in found)
    return AppError(
        f"{len(found)} FastAPI applications found: {listing}; choose one with "
        f'app = "pkg.module:app" in the acp-lint config',
        tuple(found),
    )
