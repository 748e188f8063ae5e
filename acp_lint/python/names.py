"""Name resolution helpers: qualified names through imports and aliases, and name matching.

A configured name is either dotted (``myco.kernel.send_beat``: matched against the resolved
qualified name) or bare (``send_beat``: matched against the last component of the callee as
written, and of every qualified name it resolves to, so ``from kit import Client as C; C()``
is a ``Client``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from acp_lint.python.syntax import full_name


def last_component(node: ast.AST) -> str | None:
    """``b`` for ``a.b``, ``f`` for ``f``, ``None`` for calls on call results and the like."""
    full = full_name(node)
    if not full:
        return None
    return full.rsplit(".", 1)[-1]


class NameMatcher:
    """Matches a callee against a set of dotted and bare configured names."""

    def __init__(self, names: Iterable[str]) -> None:
        self.dotted = {name for name in names if "." in name}
        self.bare = {name for name in names if "." not in name}

    def matches(self, node: ast.AST, qualified: set[str]) -> bool:
        """``qualified``: the imported qualified names ``node`` may refer to."""
        if self.dotted and qualified & self.dotted:
            return True
        if self.bare:
            return any(last in self.bare for last in last_components(node, qualified))
        return False


def last_components(node: ast.AST, qualified: set[str]) -> set[str]:
    """The callee's last component as written and as each resolved qualified name ends."""
    names = {name.rsplit(".", 1)[-1] for name in qualified}
    last = last_component(node)
    if last is not None:
        names.add(last)
    return names
