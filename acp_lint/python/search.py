"""Ask whether any node under a node satisfies a predicate (stops at the first hit)."""

from __future__ import annotations

import ast
from collections.abc import Callable

from acp_lint.python.syntax import walk


def contains(node: ast.AST, predicate: Callable[[ast.AST], bool]) -> bool:
    """True when ``predicate`` holds for ``node`` or any node below it."""
    return any(predicate(candidate) for candidate in walk(node))
