"""Find the FastAPI application of a project: configured (``app = "pkg.module:app"``) or found.

Finding scans the project's Python files, cheaply: a file is parsed only when its bytes
contain ``FastAPI`` (or ``app(``, ``.mount(``, ``Mount(``); then only its module-level
assignments count (``app = FastAPI(...)``, ``app: FastAPI = fastapi.FastAPI(...)``, through any
import alias, or ``app = create_app()`` where ``create_app`` is a project function that
constructs one). A FastAPI instance that the project mounts in another app (``app.mount("/v1",
api)``, ``Mount("/v1", app=api)``) is a sub-application, not a candidate. Exactly one candidate
is the application; several are an ``AppError`` (the CLI asks for ``app``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

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


def factories(module: ModuleSource) -> dict[str, ast.FunctionDef]:
    """Module-level functions that construct a FastAPI app (``def create_app(): ...``)."""
    bindings = import_bindings(module, module.tree.body)
    return {
        statement.name: statement
        for statement in module.tree.body
        if isinstance(statement, ast.FunctionDef)
        and any(
            isinstance(node, ast.Call) and qualified(node.func, bindings) in FASTAPI_NAMES
            for node in ast.walk(statement)
        )
    }


def app_assignments(
    module: ModuleSource, is_factory: Callable[[str], bool] | None = None
) -> list[AppRef]:
    """The module-level ``X = FastAPI(...)`` assignments of ``module``, in source order, and
    ``X = create_app(...)`` where ``create_app`` is a factory of this module (or, through
    ``is_factory``, one imported from another project module)."""
    bindings = import_bindings(module, module.tree.body)
    local = factories(module)
    found: list[AppRef] = []
    for statement in module.tree.body:
        assigned = _assigned_name(statement)
        if assigned is None or not isinstance(assigned[1], ast.Call):
            continue
        name, value = assigned
        func = value.func  # type: ignore[attr-defined]
        qualname = qualified(func, bindings)
        if (
            qualname in FASTAPI_NAMES
            or (isinstance(func, ast.Name) and func.id in local)
            or (qualname is not None and is_factory is not None and is_factory(qualname))
        ):
            found.append(AppRef(module.dotted, name, module.position(statement)))
    return found


class _FactoryCheck:
    """Whether a qualified name is a factory function of a project module (parsed once)."""

    def __init__(self, tree: SourceTree) -> None:
        self.loader = Loader(tree, list(IMPORT_BASES))
        self.bases: set[str] = set(IMPORT_BASES)
        self.tree = tree

    def add_base(self, base: str) -> None:
        if base not in self.bases:
            self.bases.add(base)
            self.loader = Loader(
                self.tree, [*sorted(self.bases - set(IMPORT_BASES)), *IMPORT_BASES]
            )

    def __call__(self, qualname: str) -> bool:
        module_name, _, function = qualname.rpartition(".")
        loaded = self.loader.load(module_name) if module_name else None
        return isinstance(loaded, ModuleSource) and function in factories(loaded)


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
    for ref in app_assignments(loaded, _FactoryCheck(tree)):
        if ref.attribute == attribute:
            return ref
    factory = factories(loaded).get(attribute)
    if factory is not None:  # uvicorn --factory: the attribute is the function itself
        return AppRef(loaded.dotted, attribute, loaded.position(factory))
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
    is_factory = _FactoryCheck(tree)
    for file in sorted(files):
        if not file.endswith(".py"):
            continue
        data = tree.read_bytes(file)
        if data is None:
            continue
        mounts = b".mount(" in data or b"Mount(" in data
        if not (mounts or b"FastAPI" in data or b"app(" in data):
            continue
        dotted, base, is_package = module_name_for(tree, file)
        parsed = parse_bytes(data, file, dotted, is_package)
        if isinstance(parsed, ModuleSource):
            if b"FastAPI" in data or b"app(" in data:
                is_factory.add_base(base)
                found.extend(app_assignments(parsed, is_factory))
            if mounts:
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
