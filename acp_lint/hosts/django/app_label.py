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

from acp_lint.sources import Boundary, repository_boundary

_APP_CONFIG = {"django.apps.AppConfig", "django.apps.config.AppConfig"}


def migration_app_dir(path: Path) -> Path | None:
    """The app package of ``<app>/migrations/<file>.py`` (None when not in such a folder)."""
    parent = path.parent
    if parent.name != "migrations":
        return None
    return parent.parent


def app_label_for(path: Path, root: Path) -> str | None:
    """The label of the app whose migration ``path`` is (in the project at ``root``), or None
    when it is not certain. Only the repository's files are read (``sources.Boundary``: the
    git work tree holding ``root``, else ``root``)."""
    return _label_of_folder(str(path.parent), str(root))


@lru_cache(maxsize=256)
def _label_of_folder(folder: str, root: str) -> str | None:
    app_dir = migration_app_dir(Path(folder).resolve() / "_")
    if app_dir is None:
        return None
    return _label_of_app(app_dir, repository_boundary(root))


@lru_cache(maxsize=256)
def _label_of_app(app_dir: Path, boundary: Boundary) -> str | None:
    """Django's choice (``AppConfig.create``): the one config class in ``apps.py`` whose
    ``default`` is not False, else the one with ``default = True``, else the plain
    ``AppConfig`` (label = folder name). Classes imported into ``apps.py`` count too."""
    folder = app_dir.name if app_dir.name.isidentifier() else None
    apps_py = app_dir / "apps.py"
    if not apps_py.is_file():
        return folder
    tree = _parse(apps_py, boundary)
    if tree is None:
        return None
    candidates: list[tuple[object, object]] = []  # (label, default attribute)
    local = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in local.values():
        info = _config_info(tree, node, apps_py, 0, boundary)
        if info is not None:
            candidates.append(info)
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                qualified = f"{stmt.module}.{alias.name}"
                if qualified in _APP_CONFIG or (alias.asname or alias.name) in local:
                    continue
                info = _imported_config(qualified, apps_py, 0, None, boundary)
                if info is not None:
                    candidates.append(info)
    if any(flag is _UNKNOWN for _, flag in candidates):
        return None
    chosen = [label for label, flag in candidates if flag is not False]
    if len(chosen) != 1:
        chosen = [label for label, flag in candidates if flag is True]
        if len(chosen) > 1:
            return None
        if not chosen:
            return folder
    (label,) = chosen
    if label is _UNSET:
        return folder
    return label if isinstance(label, str) else None


_UNSET = object()  # the attribute is not set (Django's default applies)
_UNKNOWN = object()  # set, but not to a literal (or a base we cannot read)


def _parse(path: Path, boundary: Boundary) -> ast.Module | None:
    """The module at ``path``, read and compiled as the engine reads a project's Python: a
    regular file of the repository (no FIFO, no link out of it, 16 MiB at most) that CPython
    compiles at its own recursion limit and is not nested past ``MAX_DEPTH`` (a deep
    ``apps.py`` crashed the process in ``ast``'s C code); None otherwise."""
    from acp_lint.encoding import DecodeError, decode_python
    from acp_lint.protected import check_depth, compile_guarded
    from acp_lint.sources import ReadProblem, read_regular_file

    try:
        data = read_regular_file(path, within=boundary)
        text = decode_python(data).text
        check_depth(text)
    except (OSError, ReadProblem, DecodeError, ValueError):  # TooDeep is a ValueError
        return None
    tree = compile_guarded(text, str(path))
    return tree if isinstance(tree, ast.Module) else None


def _own_attr(node: ast.ClassDef, name: str) -> object:
    value: object = _UNSET
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
                value = _UNKNOWN
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


def _config_info(
    tree: ast.Module, node: ast.ClassDef, file: Path, depth: int, boundary: Boundary
) -> tuple[object, object] | None:
    """(label, default) of a config class, each inherited along the first base that sets it
    (``_UNSET`` / ``_UNKNOWN``); None when the class is not an AppConfig."""
    if depth > 8:
        return _UNKNOWN, _UNKNOWN
    is_config = False
    inherited: list[tuple[object, object]] = []
    imports = _imports(tree)
    local = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for base in node.bases:
        dotted = _dotted(base)
        if dotted is None:
            return _UNKNOWN, _UNKNOWN
        head, _, rest = dotted.partition(".")
        qualified = imports.get(head, head) + (f".{rest}" if rest else "")
        if qualified in _APP_CONFIG:
            is_config = True
            continue
        if dotted in local and local[dotted] is not node:
            info = _config_info(tree, local[dotted], file, depth + 1, boundary)
        elif "." in qualified:
            unknown = (_UNKNOWN, _UNKNOWN)
            info = _imported_config(qualified, file, depth + 1, unknown, boundary)
        else:
            info = None  # a builtin such as ``object``
        if info is not None:
            is_config = True
            inherited.append(info)
    if not is_config:
        return None
    result = []
    for index, name in enumerate(("label", "default")):
        value = _own_attr(node, name)
        for info in inherited:
            if value is not _UNSET:
                break
            value = info[index]
        result.append(value)
    return result[0], result[1]


def _imported_config(
    qualified: str,
    file: Path,
    depth: int,
    missing: tuple[object, object] | None,
    boundary: Boundary,
) -> tuple[object, object] | None:
    """Follow ``from pkg.mod import Base`` to ``pkg/mod.py`` in an ancestor of ``file`` inside
    the repository (``missing`` when that module is not in the project; None when it is no
    config)."""
    module, _, name = qualified.rpartition(".")
    relative = Path(*module.split("."))
    for ancestor in file.parents:
        if not boundary.holds(str(ancestor)):
            break  # above the repository: not the project's module
        for candidate in (ancestor / f"{relative}.py", ancestor / relative / "__init__.py"):
            if candidate.is_file():
                tree = _parse(candidate, boundary)
                if tree is None:
                    return _UNKNOWN, _UNKNOWN
                for node in tree.body:
                    if isinstance(node, ast.ClassDef) and node.name == name:
                        return _config_info(tree, node, candidate, depth, boundary)
                return None  # a function or constant of that module, not a class
    return missing
