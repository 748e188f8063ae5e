"""Positions must read exactly as libcst gives them: the handler rules detect on ``ast``
(spans, the code a message quotes, the statement lines suppressions use) and the fixes are
built on libcst with ``Positions`` (its ``PositionProvider``, for less)."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from acp_lint.config import Config
from acp_lint.python.positions import Positions
from acp_lint.rules.base import FileContext

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "acp_lint" / "python").glob("*.py")) + sorted(
    (ROOT / "acp_lint" / "rules").glob("*.py")
)
ODD = [
    "x = 1\r\ny = (\r\n    2,\r\n)\r\n",  # CRLF
    "def f(a,\r b):\r    return a\r",  # lone CR
    "@decorator\nasync def g():\n    '''doc\n    é'''\n    yield (x for x in 'ü')\n",
    "class C(  # comment\n    Base,\n):\n    pass\n\n\n",
    "if a: b; c\nelse:\n    d = f'{e!r:>{w}}'\n",
    "",
    "\n\n# only comments\n",
    # what the handler rules quote and report: parentheses, unicode, tabs, continuations
    "x = (os.getenv('A'))\nprint((os.environ['B']))\nprint(((f(  # c\n  1))))\n",
    "é = 1; y = os.environ['É']; z = f(é)\nclass K((Base)):\n\tv = g(é)[0]\n",
    "x = os.getenv(\\\n    'A')\nif x: y = f(); z = g()\nwhile t: u = h()\n",
    "try:\n    a = f()\nexcept (E) as e:\n    b = g()\nelse: c = h()\nfinally:\n    d = k()\n",
    "@app.on_event('startup')\n@deco(os.getenv('X'))\nasync def   v(request, t=os.getenv('T')):\n"
    "    '''doc'''; global q\n    return (yield)\n",
    "with open(p) as f, (g()) as h:\n    pass\nfor i in range(3): j = i\n",
    "Y = f(\n    (os.getenv('P')),\n)\nclass D((B), metaclass=M): pass\nclass E(A, ((B))): pass\n"
    "Z = g((h(1)))(k((2),))\n",
    "a = f();\nb = g()\n(c); d = h() ;  # x\ne = k(); \\\n  q = m()\nif a: b = n(); c = p();\n",
]


def _cases() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in SOURCES] + ODD


@pytest.mark.parametrize("text", _cases())
def test_positions_equal_libcst_provider_for_every_node(text: str) -> None:
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    mine = Positions(module)
    assert expected
    for node in expected:
        assert mine[node] == expected[node], type(node).__name__
    assert set(mine) == set(expected)


_KINDS = {ast.Call: cst.Call, ast.Subscript: cst.Subscript, ast.Attribute: cst.Attribute}
_KINDS[ast.Name] = cst.Name


class _Parents(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parents[node] = self.stack[-1]
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def _libcst_statement_lines(
    node: cst.CSTNode, positions: dict, parents: dict[cst.CSTNode, cst.CSTNode]
) -> tuple[int, int]:
    """What the handler rules computed on libcst before they moved to ``ast`` (the oracle)."""
    current: cst.CSTNode | None = node
    while current is not None:
        if isinstance(current, cst.SimpleStatementLine):
            span = positions[current]
            return span.start.line, span.end.line
        if isinstance(current, cst.BaseCompoundStatement):
            start = positions[current].start.line
            body = current.body
            if isinstance(body, cst.IndentedBlock) and body.body:
                header_end = positions[body.body[0]].start.line - 1
            else:
                header_end = positions[node].end.line
            return start, max(start, header_end)
        current = parents.get(current)
    span = positions[node]
    return span.start.line, span.end.line


def _key(span: CodeRange) -> tuple[int, int, int, int]:
    return span.start.line, span.start.column + 1, span.end.line, span.end.column + 1


@pytest.mark.parametrize("text", _cases())
def test_ast_spans_quotes_and_statement_lines_read_as_libcst(text: str) -> None:
    """Every call, subscript, attribute and name (and every ``def``'s name) ``ast`` gives has
    the span of a libcst node of the same kind, quotes the same code, and belongs to the
    same statement lines."""
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    finder = _Parents()
    module.visit(finder)
    by_span: dict[tuple[type, tuple[int, int, int, int]], cst.CSTNode] = {}
    for node, span in positions.items():
        by_span.setdefault((type(node), _key(span)), node)
    context = FileContext("x.py", text, ast.parse(text), Config(root=Path(".")))
    source = context.source
    checked = 0
    for node in context.scopes.order:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            kind: type = cst.Name
        else:
            kind = _KINDS.get(type(node))  # type: ignore[assignment]
            if kind is None:
                continue
        start, end = source.span(node)
        span = (*source.positions.position(start), *source.positions.position(end))
        twin = by_span.get((kind, span))
        assert twin is not None, (ast.dump(node), span)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert twin.value == node.name  # type: ignore[attr-defined]
        else:
            quoted = " ".join(source.code(node, context.parents.get(node)).split())
            assert quoted == " ".join(module.code_for_node(twin).split())
        expected = _libcst_statement_lines(twin, positions, finder.parents)
        assert context.statement_lines(node) == expected, ast.dump(node)
        checked += 1
    assert checked or not text.strip() or "comments" in text


@pytest.mark.parametrize(
    "text",
    [*ODD, "a\fb\n\vc\x1c\u2028d\x85\n", "x = '\u00e9'\r\ny\n", "tail", "\n"],
)
def test_line_starts_are_where_ast_starts_each_line(text: str) -> None:
    """The line table (``split`` and ``accumulate`` without ``\\r``, a regex with it) counts
    lines as ``ast`` does: the regex on every text, and the start of each statement ``ast``
    reports is on the line the table says."""
    import re

    from acp_lint.python.astsource import line_starts

    starts = line_starts(text)
    assert starts == [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return  # the form-feed sample is not Python; the regex comparison above still holds
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            at = text[starts[node.lineno - 1] :].encode()[node.col_offset :].decode()
            segment = ast.get_source_segment(text, node) or ""
            assert at.startswith(segment.split("\n")[0].split("\r")[0])
