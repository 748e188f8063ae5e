"""A light scope analysis on ``ast``: parents, bindings and import aliases, in one traversal.

libcst's ScopeProvider and QualifiedNameProvider cost about ten times the parse; the handler
rules only need to know whether a name refers to an import (and of what), or to a module-level
function, with Python's scoping rules (function locals, class bodies that methods do not see,
comprehensions, ``global``). This pass records exactly that, the parent of every node and the
nodes in source order (which the rules' pass replays).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from acp_lint.python.syntax import FUNCTIONS, children
from acp_lint.records import field, record

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@record(eq=False)
class Scope:
    kind: str  # "module" | "function" | "class" | "lambda" | "comprehension"
    parent: Scope | None
    bindings: set[str] = field(default_factory=set)
    imports: dict[str, set[str]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)  # how often each name is bound

    def bind(self, name: str) -> None:
        self.bindings.add(name)
        self.counts[name] = self.counts.get(name, 0) + 1


def target_names(node: ast.AST | None) -> Iterator[str]:
    """Names bound by an assignment target (``a``, ``a, *b``, ``[a, (b, c)]``)."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from target_names(element)
    elif isinstance(node, ast.Starred):
        yield from target_names(node.value)


def param_names(params: ast.arguments) -> Iterator[str]:
    for param in (*params.posonlyargs, *params.args, *params.kwonlyargs):
        yield param.arg
    for star in (params.vararg, params.kwarg):
        if star is not None:
            yield star.arg


class ScopeIndex:
    """``ScopeIndex(tree)``; then ask ``qualified_names(node)``. ``order`` lists every node
    in source order (pre-order), ``parents`` maps each node to its parent."""

    def __init__(self, tree: ast.Module) -> None:
        self.parents: dict[ast.AST, ast.AST] = {}
        self.scope_of: dict[ast.Name, Scope] = {}
        self.body_scope: dict[ast.AST, Scope] = {}  # a def, lambda or class -> its body's scope
        self.module_scope = Scope("module", None)
        self.order: list[ast.AST] = []
        self._build(tree)

    def _build(self, tree: ast.Module) -> None:
        parents = self.parents
        order = self.order
        scope_of = self.scope_of
        stack: list[tuple[ast.AST, Scope]] = [(tree, self.module_scope)]
        while stack:
            node, scope = stack.pop()
            order.append(node)
            kind = type(node)
            if kind is ast.Name:
                scope_of[node] = scope  # type: ignore[index]
                continue
            inner = self._bind(node, scope)
            found = children(node)
            if inner is None:
                scopes = [scope] * len(found)
            elif kind is ast.Lambda:
                scopes = [inner if child is node.body else scope for child in found]  # type: ignore[attr-defined]
            elif isinstance(node, (*FUNCTIONS, ast.ClassDef)):
                scopes = [inner if isinstance(child, ast.stmt) else scope for child in found]
            else:
                scopes = [inner] * len(found)
            for index in range(len(found) - 1, -1, -1):
                child = found[index]
                parents[child] = node
                stack.append((child, scopes[index]))

    # -- bindings ------------------------------------------------------------------------
    def _bind(self, node: ast.AST, scope: Scope) -> Scope | None:
        """Record what ``node`` binds in ``scope``; the scope it opens for its body, if any."""
        if isinstance(node, FUNCTIONS):
            scope.bind(node.name)
            if scope is self.module_scope:
                scope.functions.add(node.name)
            inner = self.body_scope[node] = Scope("function", scope)
            inner.bindings.update(param_names(node.args))
            return inner
        if isinstance(node, ast.Lambda):
            inner = self.body_scope[node] = Scope("lambda", scope)
            inner.bindings.update(param_names(node.args))
            return inner
        if isinstance(node, ast.ClassDef):
            scope.bind(node.name)
            inner = self.body_scope[node] = Scope("class", scope)
            return inner
        if isinstance(node, _COMPREHENSIONS):
            return Scope("comprehension", scope)
        if isinstance(node, ast.comprehension | ast.For | ast.AsyncFor):
            targets = [node.target]
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        elif isinstance(node, ast.withitem):
            targets = [node.optional_vars] if node.optional_vars is not None else []
        elif isinstance(node, ast.ExceptHandler):
            if node.name is not None:
                scope.bind(node.name)
            return None
        elif isinstance(node, ast.NamedExpr):
            while scope.kind == "comprehension" and scope.parent is not None:
                scope = scope.parent
            targets = [node.target]
        elif isinstance(node, ast.Global):
            scope.globals.update(node.names)
            return None
        elif isinstance(node, ast.Import):
            self._bind_import(node, scope)
            return None
        elif isinstance(node, ast.ImportFrom):
            self._bind_import_from(node, scope)
            return None
        else:
            return None
        for target in targets:
            for name in target_names(target):
                scope.bind(name)
        return None

    def _bind_import(self, node: ast.Import, scope: Scope) -> None:
        for alias in node.names:
            dotted = alias.name
            if alias.asname is not None:
                local, target = alias.asname, dotted
            else:
                local = target = dotted.split(".", 1)[0]
            scope.bind(local)
            scope.imports.setdefault(local, set()).add(target)

    def _bind_import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        if any(alias.name == "*" for alias in node.names):
            return
        base = None if node.level or node.module is None else node.module
        for alias in node.names:
            local = alias.asname or alias.name
            scope.bind(local)
            if base is not None:
                scope.imports.setdefault(local, set()).add(f"{base}.{alias.name}")

    # -- questions -----------------------------------------------------------------------
    def binding_scope(self, node: ast.Name) -> Scope | None:
        """The scope whose binding ``node`` refers to (Python's LEGB, classes skipped)."""
        scope = self.scope_of.get(node)
        name = node.id
        first = True
        while scope is not None:
            if name in scope.globals:
                scope = self.module_scope
                return scope if name in scope.bindings else None
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope
            first = False
            scope = scope.parent
        return None

    def qualified_names(self, node: ast.AST) -> set[str]:
        """Imported qualified names an expression may refer to (``os.environ.get``)."""
        if isinstance(node, ast.Name):
            scope = self.binding_scope(node)
            if scope is None:
                return set()
            return set(scope.imports.get(node.id, ()))
        if isinstance(node, ast.Attribute):
            return {f"{base}.{node.attr}" for base in self.qualified_names(node.value)}
        return set()

    def module_function(self, node: ast.AST) -> str | None:
        """The module-level ``def`` a Name refers to, if it refers to one."""
        if not isinstance(node, ast.Name):
            return None
        scope = self.binding_scope(node)
        if scope is self.module_scope and node.id in scope.functions:
            return node.id
        return None
