"""The Django app label of a migration file, read statically from the app's ``apps.py``.

Django names a model's default table ``<app_label>_<model name lower-cased>``. The label is the
``label`` of the app's ``AppConfig`` when it sets one (also through a base class, in the same
file or imported from another module of the project), else the last component of the app's
module name, which is the name of the folder that holds ``migrations/``.

Fail closed: when the label cannot be read for certain (a computed ``label``, several configs
that disagree, a base class that cannot be found), the answer is None and no default table is
recorded, so SQL on it is judged as on a host table.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

_APP_CONFIG = {"django.apps.AppConfig", "django.apps.config.AppConfig"}


def migration_app_dir(path: Path) -> Path | None:
    """The app package of ``<app>/migrations/<file>.py`` (None when not in such a folder)."""
    parent = path.parent
    if parent.name != "migrations":
        return None
    return parent.parent


def app_label_for(path: Path) -> str | None:
    """The label of the app whose migration ``path`` is, or None when it is not certain."""
    app_dir = migration_app_dir(path.resolve())
    if app_dir is None:
        return None
    return _label_of_app(app_dir)


@lru_cache(maxsize=256)
def _label_of_app(app_dir: Path) -> str | None:
    default = app_dir.name
    apps_py = app_dir / "apps.py"
    if not apps_py.is_file():
        return default if default.isidentifier() else None
    tree = _parse(apps_py)
    if tree is None:
        return None
    labels: set[str | None] = set()
    configs = 0
    defaults = 0
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        found = _config_label(tree, node, apps_py, 0)
        if found is _NOT_CONFIG:
            continue
        configs += 1
        if _class_attr(node, "default") is True:
            defaults += 1
        labels.add(found if isinstance(found, str) or found is None else None)
    if configs == 0:
        return default
    resolved = {default if label == "" else label for label in labels}
    if configs > 1 and defaults != 1:
        resolved.add(default)  # Django may fall back to the plain AppConfig
    if len(resolved) != 1:
        return None
    (label,) = resolved
    return label


_NOT_CONFIG = object()
_NO_LABEL = ""


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None


def _class_attr(node: ast.ClassDef, name: str) -> object:
    """A literal class attribute (``...`` when it is set but not literal, None when unset)."""
    value: object = None
    for stmt in node.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            try:
                value = ast.literal_eval(stmt.value)  # type: ignore[arg-type]
            except ValueError:
                value = ...
    return value


def _imports(tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                names[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names[head] = head
    return names


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _config_label(tree: ast.Module, node: ast.ClassDef, file: Path, depth: int) -> object:
    """The label a config class has ("" when it sets none), None when it cannot be read,
    ``_NOT_CONFIG`` when the class is not an AppConfig."""
    if depth > 8:
        return None
    own = _class_attr(node, "label")
    is_config = False
    inherited: object = _NO_LABEL
    imports = _imports(tree)
    local = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for base in node.bases:
        dotted = _dotted(base)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        qualified = imports.get(head, head) + (f".{rest}" if rest else "")
        if qualified in _APP_CONFIG:
            is_config = True
            continue
        if dotted in local and local[dotted] is not node:
            found = _config_label(tree, local[dotted], file, depth + 1)
        else:
            found = _imported_config_label(qualified, file, depth + 1)
        if found is _NOT_CONFIG:
            continue
        is_config = True
        if inherited == _NO_LABEL:
            inherited = found
    if not is_config:
        return _NOT_CONFIG
    if own is ...:
        return None
    if isinstance(own, str):
        return own
    if own is not None:
        return None
    return inherited


def _imported_config_label(qualified: str, file: Path, depth: int) -> object:
    """Follow ``from pkg.mod import Base`` to ``pkg/mod.py`` in an ancestor of ``file``."""
    module, _, name = qualified.rpartition(".")
    if not module:
        return _NOT_CONFIG
    relative = Path(*module.split("."))
    for ancestor in file.parents:
        for candidate in (
            ancestor / relative.with_suffix(".py"),
            ancestor / relative / "__init__.py",
        ):
            if candidate.is_file():
                tree = _parse(candidate)
                if tree is None:
                    return None
                for node in tree.body:
                    if isinstance(node, ast.ClassDef) and node.name == name:
                        return _config_label(tree, node, candidate, depth)
                return None
    return None  # a base we cannot read may set a label
