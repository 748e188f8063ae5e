"""A plain depth-first walk of a libcst tree that calls ``on_visit``/``on_leave``.

``node.visit(visitor)`` rebuilds every node it passes (libcst's transform machinery) and
reports each attribute; for a pass that only records facts (parents, bindings) that is most
of the cost. This walk reads the dataclass fields instead. Children are visited in field order,
which is not always source order, so use it only where the order of siblings does not matter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(kind))
        _FIELDS[kind] = names
    return names


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The direct children of ``node`` (every CSTNode-valued field, sequences flattened)."""
    found: list[cst.CSTNode] = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            found.extend(item for item in value if isinstance(item, cst.CSTNode))
    return found


def walk(
    root: cst.CSTNode,
    on_visit: Callable[[cst.CSTNode], bool],
    on_leave: Callable[[cst.CSTNode], None],
) -> None:
    """Pre-order ``on_visit`` (False skips the children), post-order ``on_leave``; no recursion,
    so a deeply nested expression cannot hit the recursion limit."""
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            on_leave(node)
            continue
        stack.append((node, True))
        if on_visit(node):
            stack.extend((child, False) for child in reversed(children(node)))
