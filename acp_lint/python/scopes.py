"""A light scope analysis: parents, bindings and import aliases, in one plain traversal.

libcst's ScopeProvider and QualifiedNameProvider cost about ten times the parse; the handler
rules only need to know whether a name refers to an import (and of what), or to a module-level
function, with Python's scoping rules (function locals, class bodies that methods do not see,
comprehensions, ``global``). This pass records exactly that, plus the parent of every node.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst


@dataclass(eq=False)
class Scope:
    kind: str  # "module" | "function" | "class" | "lambda" | "comprehension"
    parent: Scope | None
    bindings: set[str] = field(default_factory=set)
    imports: dict[str, set[str]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)


def _target_names(node: cst.CSTNode) -> Iterator[str]:
    """Names bound by an assignment target (``a``, ``a, *b``, ``[a, (b, c)]``)."""
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from _target_names(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from _target_names(node.value)


def _param_names(params: cst.Parameters) -> Iterator[str]:
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        yield param.name.value
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            yield star.name.value


def _dotted(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


class ScopeIndex(cst.CSTVisitor):
    """Build with ``module.visit(ScopeIndex())``; then ask ``qualified_names(node)``."""

    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.scope_of: dict[cst.CSTNode, Scope] = {}
        self.body_scope: dict[cst.CSTNode, Scope] = {}  # a def's/class's body -> its scope
        self.module_scope = Scope("module", None)
        self._entries: dict[cst.CSTNode, Scope] = {}
        self._nodes: list[cst.CSTNode] = []
        self._scopes: list[Scope] = [self.module_scope]

    # -- traversal -----------------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._nodes:
            self.parents[node] = self._nodes[-1]
        self._nodes.append(node)
        entered = self._entries.pop(node, None)
        if entered is not None:
            self._scopes.append(entered)
        scope = self._scopes[-1]
        if isinstance(node, cst.Name):
            self.scope_of[node] = scope
        handler = getattr(self, f"_bind_{type(node).__name__}", None)
        if handler is not None:
            handler(node, scope)
        if entered is not None:
            self._entries[node] = entered  # remembered so that on_leave pops it
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._nodes.pop()
        if self._entries.pop(original_node, None) is not None:
            self._scopes.pop()

    def _enter(self, node: cst.CSTNode, kind: str, parent: Scope) -> Scope:
        scope = Scope(kind, parent)
        self._entries[node] = scope
        self.body_scope[node] = scope
        return scope

    # -- bindings ------------------------------------------------------------------------
    def _bind_FunctionDef(self, node: cst.FunctionDef, scope: Scope) -> None:
        scope.bindings.add(node.name.value)
        if scope is self.module_scope:
            scope.functions.add(node.name.value)
        self._enter(node.body, "function", scope).bindings.update(_param_names(node.params))

    def _bind_Lambda(self, node: cst.Lambda, scope: Scope) -> None:
        self._enter(node.body, "lambda", scope).bindings.update(_param_names(node.params))

    def _bind_ClassDef(self, node: cst.ClassDef, scope: Scope) -> None:
        scope.bindings.add(node.name.value)
        self._enter(node.body, "class", scope)

    def _bind_comprehension(self, node: cst.CSTNode, scope: Scope) -> None:
        # Entered at the node itself (on_visit already ran its entry check), popped on leave.
        inner = Scope("comprehension", scope)
        self._scopes.append(inner)
        self._entries[node] = inner

    def _bind_CompFor(self, node: cst.CompFor, scope: Scope) -> None:
        scope.bindings.update(_target_names(node.target))

    def _bind_Assign(self, node: cst.Assign, scope: Scope) -> None:
        for target in node.targets:
            scope.bindings.update(_target_names(target.target))

    def _bind_AnnAssign(self, node: cst.AnnAssign, scope: Scope) -> None:
        scope.bindings.update(_target_names(node.target))

    def _bind_AugAssign(self, node: cst.AugAssign, scope: Scope) -> None:
        scope.bindings.update(_target_names(node.target))

    def _bind_For(self, node: cst.For, scope: Scope) -> None:
        scope.bindings.update(_target_names(node.target))

    def _bind_AsName(self, node: cst.AsName, scope: Scope) -> None:
        parent = self.parents.get(node)
        if not isinstance(parent, cst.ImportAlias):  # ``with ... as x``, ``except E as x``
            scope.bindings.update(_target_names(node.name))

    def _bind_NamedExpr(self, node: cst.NamedExpr, scope: Scope) -> None:
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        scope.bindings.update(_target_names(node.target))

    def _bind_Global(self, node: cst.Global, scope: Scope) -> None:
        scope.globals.update(item.name.value for item in node.names)

    def _bind_Import(self, node: cst.Import, scope: Scope) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None:
                local = _dotted(alias.asname.name) or dotted
                target = dotted
            else:
                local = dotted.split(".", 1)[0]
                target = local
            scope.bindings.add(local)
            scope.imports.setdefault(local, set()).add(target)

    def _bind_ImportFrom(self, node: cst.ImportFrom, scope: Scope) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        base = None if node.relative or node.module is None else _dotted(node.module)
        for alias in node.names:
            name = _dotted(alias.name)
            local = _dotted(alias.asname.name) if alias.asname is not None else name
            if local is None:
                continue
            scope.bindings.add(local)
            if base is not None and name is not None:
                scope.imports.setdefault(local, set()).add(f"{base}.{name}")

    # -- questions -----------------------------------------------------------------------
    def binding_scope(self, node: cst.Name) -> Scope | None:
        """The scope whose binding ``node`` refers to (Python's LEGB, classes skipped)."""
        scope = self.scope_of.get(node)
        name = node.value
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

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Imported qualified names an expression may refer to (``os.environ.get``)."""
        if isinstance(node, cst.Name):
            scope = self.binding_scope(node)
            if scope is None:
                return set()
            return set(scope.imports.get(node.value, ()))
        if isinstance(node, cst.Attribute):
            return {f"{base}.{node.attr.value}" for base in self.qualified_names(node.value)}
        return set()

    def module_function(self, node: cst.CSTNode) -> str | None:
        """The module-level ``def`` a Name refers to, if it refers to one."""
        if not isinstance(node, cst.Name):
            return None
        scope = self.binding_scope(node)
        if scope is self.module_scope and node.value in scope.functions:
            return node.value
        return None


for _kind in ("ListComp", "SetComp", "DictComp", "GeneratorExp"):
    setattr(ScopeIndex, f"_bind_{_kind}", ScopeIndex._bind_comprehension)
