"""Decide whether a node's code runs when its module is imported.

Import time is module level plus everything Python evaluates while executing a ``def`` or
``class`` statement (decorators, default values, base classes, annotations); it stops at
function and lambda bodies, and at ``if __name__ == "__main__":`` / ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.helpers import get_full_name_for_node


def has_future_annotations(module: cst.Module) -> bool:
    """True when ``from __future__ import annotations`` makes annotations lazy strings."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and isinstance(small.module, cst.Name)
                and small.module.value == "__future__"
                and not isinstance(small.names, cst.ImportStar)
                and any(
                    isinstance(alias.name, cst.Name) and alias.name.value == "annotations"
                    for alias in small.names
                )
            ):
                return True
    return False


def _is_never_run_on_import(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` and ``TYPE_CHECKING`` guards do not run on import."""
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        left = get_full_name_for_node(test.left)
        right = test.comparisons[0].comparator
        if (
            left == "__name__"
            and isinstance(test.comparisons[0].operator, cst.Equal)
            and isinstance(right, cst.SimpleString)
            and right.evaluated_value == "__main__"
        ):
            return True
    name = get_full_name_for_node(test)
    return name in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


class ImportTimeOracle:
    """Answers ``runs_at_import(node)`` from the parent map of one module, with a cache."""

    def __init__(self, module: cst.Module, parents: Mapping[cst.CSTNode, cst.CSTNode]) -> None:
        self.parents = parents
        self.lazy_annotations = has_future_annotations(module)
        self._cache: dict[cst.CSTNode, bool] = {}

    def _edge_defers(self, child: cst.CSTNode, parent: cst.CSTNode) -> bool:
        """True when ``child`` is a part of ``parent`` that does not run with ``parent``."""
        if isinstance(parent, cst.FunctionDef) and child is parent.body:
            return True
        if isinstance(parent, cst.Lambda) and child is parent.body:
            return True
        if isinstance(parent, cst.If) and child is parent.body:
            return _is_never_run_on_import(parent.test)
        if isinstance(parent, cst.Annotation) and self.lazy_annotations:
            return True
        return False

    def runs_at_import(self, node: cst.CSTNode) -> bool:
        chain: list[cst.CSTNode] = []
        current: cst.CSTNode | None = node
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

    def enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        """The nearest ``def`` whose body contains ``node``."""
        current: cst.CSTNode | None = node
        while current is not None:
            parent = self.parents.get(current)
            if isinstance(parent, cst.FunctionDef) and current is parent.body:
                return parent
            current = parent
        return None
