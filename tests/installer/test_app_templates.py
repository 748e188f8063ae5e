"""The app a host ships is two template folders merged: the framework-neutral runtime
(``installer/templates/acp``) and the host's own modules. The shared modules name no framework,
each module has one copy, and every name a shared module imports from its package is one that
each host's modules define (the seam a new host must fill)."""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

import pytest
from acp_installer.appfiles import (
    SHARED_TEMPLATE_ROOT,
    app_files,
    role_of,
    template_paths,
    template_roots,
)
from acp_installer.hosts import HOSTS, template_root

FRAMEWORKS = {"django", "fastapi", "starlette", "sqlalchemy", "alembic", "flask", "uvicorn"}


def _shared_modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(SHARED_TEMPLATE_ROOT).as_posix(): ast.parse(path.read_text("utf-8"))
        for path in sorted(SHARED_TEMPLATE_ROOT.rglob("*.py"))
    }


def _defined(tree: ast.Module) -> set[str]:
    """Top-level names a module binds (definitions, assignments, imports)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _package_imports(tree: ast.Module) -> list[tuple[str, str]]:
    """``(module in the app, name)`` of each ``from .module import name`` (``from . import
    module``: ``("", module)``) and of each ``module.name`` after ``from . import module``."""
    found = []
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.extend((node.module or "", alias.name) for alias in node.names)
            if not node.module:
                modules |= {alias.asname or alias.name for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in modules:
                found.append((node.value.id, node.attr))
    return found


def test_the_shared_runtime_names_no_framework() -> None:
    modules = _shared_modules()
    assert len(modules) >= 7
    for rel, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in imported} & FRAMEWORKS, (rel, imported)


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_each_host_defines_what_the_shared_runtime_imports(host: str) -> None:
    files = template_paths(template_roots(host))
    looked_up = 0
    for rel, tree in _shared_modules().items():
        for module, name in _package_imports(tree):
            if not module and (f"{name}.py" in files or f"{name}/__init__.py" in files):
                continue  # ``from . import hubhttp``: a module of the app
            if not module:
                target = files["__init__.py"]  # ``from . import __version__``
            else:
                target = files.get(f"{module}.py") or files[f"{module}/__init__.py"]
            defined = _defined(ast.parse(target.read_text("utf-8")))
            assert name in defined, f"{host}: {rel} needs {name} from .{module}"
            looked_up += 1
    assert looked_up > 10


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_the_app_is_both_folders_with_no_file_twice(host: str) -> None:
    shared = {
        p.relative_to(SHARED_TEMPLATE_ROOT).as_posix() for p in SHARED_TEMPLATE_ROOT.rglob("*")
    }
    own_root = template_root(host)
    own = {
        p.relative_to(own_root).as_posix()
        for p in own_root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shared and own and not shared & own
    files = app_files(host)
    rels = [file.rel for file in files]
    assert set(rels) == (shared | own) - {r for r in shared if "__pycache__" in r}
    assert rels == sorted(rels, key=PurePosixPath)
    assert all(file.role == role_of(file.rel) for file in files)


def test_a_file_in_both_folders_is_an_error_not_an_override(tmp_path: Path) -> None:
    shared, own = tmp_path / "shared", tmp_path / "own"
    for root, text in ((shared, "A = 1\n"), (own, "A = 2\n")):
        (root / "sub").mkdir(parents=True)
        (root / "sub" / "conf.py").write_text(text)
    (own / "views.py").write_text("")
    with pytest.raises(RuntimeError, match=r"sub/conf\.py twice"):
        template_paths((shared, own))
    (own / "sub" / "conf.py").unlink()
    assert list(template_paths((shared, own))) == ["sub/conf.py", "views.py"]


def test_an_empty_or_missing_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "x.py").write_text("")
    with pytest.raises(RuntimeError, match="the app template is missing"):
        template_paths((tmp_path / "shared", tmp_path / "nowhere"))
