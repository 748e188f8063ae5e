"""Ask whether any node under a node satisfies a predicate (stops at the first hit)."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst


def contains(node: cst.CSTNode, predicate: Callable[[cst.CSTNode], bool]) -> bool:
    """True when ``predicate`` holds for ``node`` or any node below it."""

    class Finder(cst.CSTVisitor):
        found = False

        def on_visit(self, candidate: cst.CSTNode) -> bool:
            if not self.found and predicate(candidate):
                self.found = True
            return not self.found

    finder = Finder()
    node.visit(finder)
    return finder.found
