"""One parsed handler file on ``ast``: source-order traversal, spans and statement lines.

The handler rules detect on the standard library's ``ast`` (libcst is imported only when a
fix is built). What they report must read exactly as it did when they ran on libcst, so this
module answers in libcst's terms: children in source order (libcst's visiting order), a
node's 1-based character span, the lines of the statement a node belongs to (a line of
``;``-separated simple statements is one statement, as libcst's ``SimpleStatementLine``), and
whether a literal is one string token (libcst's ``SimpleString``, not a concatenation).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

from acp_lint.python.astsource import Positions, string_token_end

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
Function = ast.FunctionDef | ast.AsyncFunctionDef
COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.TryStar,
    ast.Match,
)
_NOT_NODES = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
_DEF = re.compile(r"(?:async[ \t\f]*(?:\\\r?\n[ \t\f]*)*[ \t\f]+)?def[ \t\f\\\r\n]+")
_GAP = re.compile(r"(?:[ \t\f]|\\\r?\n|\\\r)*")
_AHEAD_COLON = re.compile(r"(?:[ \t\f\r\n]|\\(?=[\r\n])|#[^\r\n]*)*:")
_AHEAD = re.compile(r"(?:[ \t\f\r\n]|\\(?=[\r\n])|#[^\r\n]*)*\)")


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _arguments(node: ast.arguments) -> list[ast.AST]:
    found: list[ast.AST] = []
    positional = [*node.posonlyargs, *node.args]
    first_default = len(positional) - len(node.defaults)
    for index, arg in enumerate(positional):
        found.append(arg)
        if index >= first_default:
            found.append(node.defaults[index - first_default])
    if node.vararg is not None:
        found.append(node.vararg)
    for arg, default in zip(node.kwonlyargs, node.kw_defaults, strict=True):
        found.append(arg)
        if default is not None:
            found.append(default)
    if node.kwarg is not None:
        found.append(node.kwarg)
    return found


def children(node: ast.AST) -> list[ast.AST]:
    """The direct children of ``node`` in source order (where ``ast``'s field order differs:
    decorators, parameters with their defaults, dict items, call arguments, ``x if c else y``)."""
    kind = type(node)
    if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
        head = [*node.decorator_list, node.args]  # type: ignore[attr-defined]
        if node.returns is not None:  # type: ignore[attr-defined]
            head.append(node.returns)  # type: ignore[attr-defined]
        return [*head, *node.body]  # type: ignore[attr-defined]
    if kind is ast.ClassDef:
        arguments = sorted([*node.bases, *node.keywords], key=_position)  # type: ignore[attr-defined]
        return [*node.decorator_list, *arguments, *node.body]  # type: ignore[attr-defined]
    if kind is ast.Call:
        arguments = [*node.args, *node.keywords]  # type: ignore[attr-defined]
        if node.keywords and node.args:  # type: ignore[attr-defined]
            arguments.sort(key=_position)
        return [node.func, *arguments]  # type: ignore[attr-defined]
    if kind is ast.arguments:
        return _arguments(node)  # type: ignore[arg-type]
    if kind is ast.Dict:
        found: list[ast.AST] = []
        for key, value in zip(node.keys, node.values, strict=True):  # type: ignore[attr-defined]
            if key is not None:
                found.append(key)
            found.append(value)
        return found
    if kind is ast.IfExp:
        return [node.body, node.test, node.orelse]  # type: ignore[attr-defined]
    return [child for child in ast.iter_child_nodes(node) if not isinstance(child, _NOT_NODES)]


def full_name(node: ast.AST | None) -> str | None:
    """libcst's ``get_full_name_for_node``: ``a.b.c`` for names, attributes, and calls or
    subscripts of them (``f().x`` is ``f.x``; an unnamed base reads ``None``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{full_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return full_name(node.func)
    if isinstance(node, ast.Subscript):
        return full_name(node.value)
    return None


def call_args(call: ast.Call) -> list[tuple[str | None, ast.expr]]:
    """(keyword or None, value) of each argument in source order, as libcst's ``Call.args``
    (``*a`` and ``**k`` are arguments without a keyword, read through their star)."""
    found: list[tuple[ast.AST, str | None, ast.expr]] = []
    for arg in call.args:
        found.append((arg, None, arg.value if isinstance(arg, ast.Starred) else arg))
    for keyword in call.keywords:
        found.append((keyword, keyword.arg, keyword.value))
    if call.args and call.keywords:
        found.sort(key=lambda item: _position(item[0]))
    return [(name, value) for _, name, value in found]


class SourceFile:
    """The decoded text, its ``ast`` and the conversions rules need."""

    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        self.text = text
        self.tree = tree
        self.positions = Positions(path, text)

    # -- offsets and spans ---------------------------------------------------------------
    def start(self, node: ast.AST) -> int:
        return self.positions.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.positions.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets (start, end) of the node, its own parentheses excluded."""
        if isinstance(node, FUNCTIONS):
            return self.name_span(node)
        return self.start(node), self.end(node)

    def name_span(self, function: Function | ast.ClassDef) -> tuple[int, int]:
        """Character offsets of a ``def``'s name (where a handler's finding is reported)."""
        start = self.start(function)
        match = _DEF.match(self.text, start)
        name_start = match.end() if match else start
        return name_start, name_start + len(function.name)

    def code(self, node: ast.AST, parent: ast.AST | None) -> str:
        """The node's source as libcst prints it: with the parentheses that belong to it (not
        those of a call or class whose only argument it is)."""
        start, end = self.start(node), self.end(node)
        extents = [(start, end)]
        text = self.text
        while True:
            opening = start
            while opening > 0 and text[opening - 1] in " \t\f\r\n\\":
                opening -= 1
            opening -= 1
            after = _AHEAD.match(text, end)
            if opening < 0 or text[opening] != "(" or after is None:
                break
            start, end = opening, after.end()
            extents.append((start, end))
        if len(extents) > 1 and self._parents_parentheses(node, parent, extents[-1][1]):
            extents.pop()
        start, end = extents[-1]
        return text[start:end]

    def _parents_parentheses(self, node: ast.AST, parent: ast.AST | None, end: int) -> bool:
        """Whether the outermost parentheses found around ``node`` (closing at ``end``) are
        its parent's: the call's ``f(x)``, the class's ``class C(x):``."""
        if isinstance(parent, ast.Call):
            return end == self.end(parent) and any(arg is node for arg in parent.args)
        if isinstance(parent, ast.ClassDef):
            after = _AHEAD_COLON.match(self.text, end)
            return after is not None and any(base is node for base in parent.bases)
        return False

    def is_one_string(self, node: ast.AST) -> bool:
        """A single string literal token (libcst's ``SimpleString``): not a concatenation,
        not an f-string."""
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str | bytes):
            return False
        start, end = self.start(node), self.end(node)
        return string_token_end(self.text, start) == end

    def string_value(self, node: ast.AST) -> str | bytes | None:
        """The value of a single string token, else None."""
        return node.value if self.is_one_string(node) else None  # type: ignore[attr-defined]

    # -- statements ----------------------------------------------------------------------
    def _between(self, end: int, start: int) -> str:
        gap = self.text[end:start]
        return _GAP.sub("", gap)

    def is_simple_suite(self, body: Sequence[ast.stmt]) -> bool:
        """Whether a block is written on its header's line (``if x: return``): libcst's
        ``SimpleStatementSuite``, not an indented block."""
        if not body:
            return False
        start = self.start(body[0])
        index = start
        text = self.text
        while index > 0:
            char = text[index - 1]
            if char in " \t\f":
                index -= 1
            elif char == "\n" and index > 1 and text[index - 2] == "\\":
                index -= 2
            elif char == "\n" and index > 2 and text[index - 3 : index - 1] == "\\\r":
                index -= 3
            else:
                return char == ":"
        return False

    def lines_of(self, body: Sequence[ast.stmt]) -> list[list[ast.stmt]]:
        """The block's statements as libcst lists them: compound statements alone, simple
        ones grouped by line (``a = 1; b = 2`` is one ``SimpleStatementLine``)."""
        groups: list[list[ast.stmt]] = []
        previous: ast.stmt | None = None
        for statement in body:
            if (
                previous is not None
                and not isinstance(statement, COMPOUND)
                and not isinstance(previous, COMPOUND)
                and self._between(self.end(previous), self.start(statement)) == ";"
            ):
                groups[-1].append(statement)
            else:
                groups.append([statement])
            previous = statement
        return groups

    def line_of(self, statement: ast.stmt, body: Sequence[ast.stmt]) -> list[ast.stmt]:
        """The group of ``lines_of(body)`` holding ``statement``."""
        for group in self.lines_of(body):
            if any(item is statement for item in group):
                return group
        return [statement]


def block_holding(parent: ast.AST, statement: ast.stmt) -> list[ast.stmt] | None:
    """The list of ``parent`` (its body, else, handlers' bodies...) that holds ``statement``."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(item is statement for item in block):
            return block
    return None


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and every node below it, pre-order in source order, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        found = children(current)
        stack.extend(reversed(found))
