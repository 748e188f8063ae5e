"""Ask whether any node under a node satisfies a predicate (stops at the first hit)."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from acp_lint.python.walk import walk


def contains(node: cst.CSTNode, predicate: Callable[[cst.CSTNode], bool]) -> bool:
    """True when ``predicate`` holds for ``node`` or any node below it. The plain walk, in
    libcst's visiting order: ``node.visit`` would rebuild every node it passes."""
    found = False

    def on_visit(candidate: cst.CSTNode) -> bool:
        nonlocal found
        if not found and predicate(candidate):
            found = True
        return not found

    walk(node, on_visit, _ignore)
    return found


def _ignore(node: cst.CSTNode) -> None:
    return None
