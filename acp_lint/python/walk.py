"""A plain depth-first walk of a libcst tree, in libcst's own visiting order.

``node.visit(visitor)`` rebuilds every node it passes (libcst's transform machinery) and
reports every attribute; for passes that only read the tree (the scope pass, the rules'
batched traversal) that is most of the cost. This walk reads the node's fields instead, in
the order libcst visits them (learnt once per node type from libcst itself), so visitors see
the same nodes in the same order. ``walk_batched`` stands in for ``visit_batched``.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable

import libcst as cst

_ORDER: dict[type, tuple[str, ...]] = {}
_METHODS: dict[type, tuple[str, ...]] = {}
_NODE_TYPES: dict[type, bool] = {}


class _FieldOrder(cst.CSTVisitor):
    """Records the attributes libcst visits on one node, without descending."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if attribute not in self.names:
            self.names.append(attribute)


def _field_order(node: cst.CSTNode) -> tuple[str, ...]:
    kind = type(node)
    names = _ORDER.get(kind)
    if names is None:
        recorder = _FieldOrder()
        node._visit_and_replace_children(recorder)
        names = _ORDER[kind] = tuple(recorder.names)
    return names


def _is_node_type(kind: type) -> bool:
    """Whether values of ``kind`` are libcst nodes, learnt once per type: ``isinstance`` with
    ``CSTNode`` (an ABC) costs an ``__instancecheck__`` per field of every node walked."""
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The direct children of ``node``, in the order libcst visits them."""
    found: list[cst.CSTNode] = []
    for name in _ORDER.get(type(node)) or _field_order(node):
        value = getattr(node, name)
        if _NODE_TYPES.get(type(value)) or _is_node_type(type(value)):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            found.extend(item for item in value if _is_node_type(type(item)))
    return found


def walk(
    root: cst.CSTNode,
    on_visit: Callable[[cst.CSTNode], bool],
    on_leave: Callable[[cst.CSTNode], None],
) -> None:
    """Pre-order ``on_visit`` (False skips the children), post-order ``on_leave``; no recursion,
    so a deeply nested expression cannot hit the recursion limit."""
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    push = stack.append
    pop = stack.pop
    while stack:
        node, leaving = pop()
        if leaving:
            on_leave(node)
            continue
        push((node, True))
        if on_visit(node):
            found = children(node)
            for index in range(len(found) - 1, -1, -1):
                push((found[index], False))


class Flat:
    """A tree's nodes in pre-order with their depths, listed once per file so that passes
    that never skip a subtree (the scope pass, the rules' batched traversal) replay it
    instead of each walking the tree again."""

    __slots__ = ("depths", "nodes")

    def __init__(self, root: cst.CSTNode) -> None:
        nodes: list[cst.CSTNode] = []
        depths = array("I")
        stack: list[tuple[cst.CSTNode, int]] = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            nodes.append(node)
            depths.append(depth)
            found = children(node)
            for index in range(len(found) - 1, -1, -1):
                stack.append((found[index], depth + 1))
        self.nodes = nodes
        self.depths = depths

    def replay(
        self, on_visit: Callable[[cst.CSTNode], object], on_leave: Callable[[cst.CSTNode], None]
    ) -> None:
        """``walk``'s calls, in its order, for visitors that never skip children."""
        open_nodes: list[cst.CSTNode] = []
        for node, depth in zip(self.nodes, self.depths, strict=True):
            while len(open_nodes) > depth:
                on_leave(open_nodes.pop())
            on_visit(node)
            open_nodes.append(node)
        while open_nodes:
            on_leave(open_nodes.pop())


def _method_names(kind: type) -> tuple[str, ...]:
    """``visit_X``/``leave_X`` methods a batchable visitor class really defines (libcst's
    ``get_visitors`` finds them with ``inspect.getmembers`` on every instance, which also
    evaluates properties)."""
    names = _METHODS.get(kind)
    if names is None:
        found = []
        for name in dir(kind):
            if not name.startswith(("visit_", "leave_")):
                continue
            method = getattr(kind, name)
            if callable(method) and not getattr(method, "_is_no_op", False):
                found.append(name)
        names = _METHODS[kind] = tuple(found)
    return names


def walk_batched(
    root: cst.CSTNode, visitors: Iterable[cst.BatchableCSTVisitor], flat: Flat | None = None
) -> None:
    """Call every visitor's ``visit_<Type>``/``leave_<Type>`` as ``visit_batched`` would
    (``flat``: ``root`` already listed)."""
    table: dict[str, list[Callable[[cst.CSTNode], object]]] = {}
    for visitor in visitors:
        for name in _method_names(type(visitor)):
            if name.count("_") > 1 and name.split("_", 2)[2]:
                raise TypeError(f"attribute visitors are not supported: {name}")
            table.setdefault(name, []).append(getattr(visitor, name))
    visits = {name[6:]: calls for name, calls in table.items() if name.startswith("visit_")}
    leaves = {name[6:]: calls for name, calls in table.items() if name.startswith("leave_")}

    def on_visit(node: cst.CSTNode) -> bool:
        for call in visits.get(type(node).__name__, ()):
            call(node)
        return True

    def on_leave(node: cst.CSTNode) -> None:
        for call in leaves.get(type(node).__name__, ()):
            call(node)

    if flat is not None:
        flat.replay(on_visit, on_leave)
    else:
        walk(root, on_visit, on_leave)
