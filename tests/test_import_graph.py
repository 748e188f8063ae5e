"""No import cycles in ``acp_lint`` or ``acp_installer`` (the ``installer/`` directory).

The graph is read statically with ``ast``: every ``import`` and ``from ... import`` counts,
at module level and inside functions alike. A function-level import hides a cycle from the
interpreter (nothing fails at import time) but not from the reader: the two modules still
depend on each other, which is what this test forbids. Imports under ``if TYPE_CHECKING:``
are left out: they are annotations only, never executed.

``from package import module`` is an edge to that module only, not to the package's
``__init__``: Python imports a parent package before any submodule, and counting that would
make every package that imports its own submodules a "cycle". The installer's ``templates/``
are not part of the graph: they are the ACP app echelon writes into a host (data rendered as
files there, imported as ``acp``), never imported from ``acp_installer``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"acp_lint": ROOT / "acp_lint", "acp_installer": ROOT / "installer"}


def _modules() -> dict[str, Path]:
    """Every module of the two packages by dotted name (a package is its ``__init__``)."""
    found: dict[str, Path] = {}
    for package, directory in PACKAGES.items():
        for path in sorted(directory.rglob("*.py")):
            if "templates" in path.relative_to(directory).parts:
                continue
            parts = list(path.relative_to(directory).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of the two packages that ``module`` imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            for alias in node.names:
                submodule = f"{prefix}.{alias.name}"
                names.add(submodule if submodule in known else prefix)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    targets: set[str] = set()
    for name in names:
        # ``import a.b.c`` depends on a.b.c (its parents are imported on the way, as for any
        # submodule); a name that is not a module stands for the module it comes from.
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            targets.add(name)
    return targets


def import_graph() -> dict[str, set[str]]:
    known = _modules()
    return {module: _imported(module, path, known) for module, path in known.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected component of more than one module (Tarjan), as a path that
    walks the cycle, e.g. ``[a, b, a]``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_walk(graph, set(component)) for component in components]


def _walk(graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """A shortest cycle through the first member of a component (breadth-first)."""
    start = min(members)
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & members):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if target not in parents:
                    parents[target] = node
                    following.append(target)
        frontier = following
    return sorted(members)


def test_the_walker_finds_a_cycle_and_names_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    graph = import_graph()
    assert "acp_lint.registry" in graph["acp_lint.cli"]  # imported inside a function only
    # `from acp_installer.hosts.django import edits`: the module, not only its package
    assert "acp_installer.hosts.django.edits" in graph["acp_installer.hosts.django.apps"]
    assert "acp_lint.routes" in graph["acp_installer.gate"]  # a package for its names
    drf = "acp_lint.hosts.django.urls.drf"  # `from acp_lint.hosts.django.urls import drf`
    assert drf in graph["acp_lint.hosts.django.urls.graph"]
    assert "acp_lint.hosts.django.urls" not in graph["acp_lint.hosts.django.urls.graph"]
    assert all(name.startswith(("acp_lint", "acp_installer")) for name in graph)
    assert len(graph) > 50


def test_no_import_cycles() -> None:
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
