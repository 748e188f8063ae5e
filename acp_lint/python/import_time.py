"""Decide whether a node's code runs when its module is imported.

Import time is module level plus everything Python evaluates while executing a ``def`` or
``class`` statement (decorators, default values, base classes, annotations); it stops at
function and lambda bodies, and at ``if __name__ == "__main__":`` / ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from acp_lint.python.syntax import FUNCTIONS, Function, SourceFile, full_name


def has_future_annotations(tree: ast.Module) -> bool:
    """True when ``from __future__ import annotations`` makes annotations lazy strings."""
    return any(
        isinstance(statement, ast.ImportFrom)
        and statement.module == "__future__"
        and any(alias.name == "annotations" for alias in statement.names)
        for statement in tree.body
    )


def _is_never_run_on_import(test: ast.expr, source: SourceFile) -> bool:
    """``__name__ == "__main__"`` and ``TYPE_CHECKING`` guards do not run on import."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and full_name(test.left) == "__name__"
        and isinstance(test.ops[0], ast.Eq)
        and source.string_value(test.comparators[0]) == "__main__"
    ):
        return True
    return full_name(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


class ImportTimeOracle:
    """Answers ``runs_at_import(node)`` from the parent map of one module, with a cache."""

    def __init__(self, source: SourceFile, parents: Mapping[ast.AST, ast.AST]) -> None:
        self.source = source
        self.parents = parents
        self.lazy_annotations = has_future_annotations(source.tree)
        self._cache: dict[ast.AST, bool] = {}

    def _edge_defers(self, child: ast.AST, parent: ast.AST) -> bool:
        """True when ``child`` is a part of ``parent`` that does not run with ``parent``."""
        if isinstance(parent, FUNCTIONS):
            if isinstance(child, ast.stmt):
                return True
            return self.lazy_annotations and child is parent.returns
        if isinstance(parent, ast.Lambda):
            return child is parent.body
        if isinstance(parent, ast.If) and isinstance(child, ast.stmt):
            return any(item is child for item in parent.body) and _is_never_run_on_import(
                parent.test, self.source
            )
        if self.lazy_annotations and isinstance(parent, ast.arg | ast.AnnAssign):
            return child is parent.annotation
        return False

    def runs_at_import(self, node: ast.AST) -> bool:
        chain: list[ast.AST] = []
        current: ast.AST | None = node
        verdict = True
        while current is not None:
            if current in self._cache:
                verdict = self._cache[current]
                break
            parent = self.parents.get(current)
            if parent is None:
                break
            chain.append(current)
            if self._edge_defers(current, parent):
                verdict = False
                break
            current = parent
        for visited in chain:
            self._cache[visited] = verdict
        return verdict

    def enclosing_function(self, node: ast.AST) -> Function | None:
        """The nearest ``def`` whose body contains ``node``."""
        current: ast.AST | None = node
        while current is not None:
            parent = self.parents.get(current)
            if isinstance(parent, FUNCTIONS) and isinstance(current, ast.stmt):
                return parent
            current = parent
        return None
