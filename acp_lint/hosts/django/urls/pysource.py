"""A URLconf's decoded text next to its ``ast`` tree: character positions and source text.

The URL graph parses with ``ast`` (an order of magnitude cheaper than ``libcst``, whose position
metadata costs another ten times the parse), so nothing here imports libcst. ``ast`` reports
UTF-8 byte columns; reports and fixes need 1-based character columns and character offsets into
the decoded text, which this module converts (ASCII lines, the common case, need no work). It also
reproduces the two places where ``ast`` and libcst's positions disagree (a parenthesised tuple
and a generator expression include their parentheses in ``ast``) and libcst's ``code_for_node``
for expressions (an expression owns the grouping parentheses around it).
"""

from __future__ import annotations

import ast
import keyword

from acp_lint.protected import check_depth
from acp_lint.python.astsource import Positions, quiet_parse
from acp_lint.span import Span

_SPACE = " \t\f\r\n\\"


def parse_python(text: str, file: str) -> ast.Module:
    """``ast.parse`` without warnings on stderr (``"\\d"`` in a regex is common in URLconfs).

    A file nested deeper than ``acp_lint.protected.MAX_DEPTH`` raises TooDeep (a ValueError):
    the graph's recursive walks stay within the protected run's stack."""
    module = quiet_parse(text, file)
    check_depth(text, tree=module)
    return module


def _ends_atom(text: str, index: int) -> bool:
    """Whether ``text[index]`` ends an expression, so that a ``(`` after it opens a call."""
    char = text[index]
    if char in ")]}\"'":
        return True
    if not (char.isalnum() or char == "_"):
        return False
    begin = index
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        begin -= 1
    return not keyword.iskeyword(text[begin : index + 1])


def grouping_parens(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` over the parentheses that group that expression (not a call's)."""
    lefts: list[int] = []
    index = start - 1
    while index >= 0:
        char = text[index]
        if char == "(":
            lefts.append(index)
        elif char not in _SPACE:
            break
        index -= 1
    if lefts and index >= 0 and _ends_atom(text, index):
        lefts.pop()  # the outermost one opens a call's argument list
    if not lefts:
        return start, end
    rights: list[int] = []
    index = end
    length = len(text)
    while index < length and len(rights) < len(lefts):
        char = text[index]
        if char == ")":
            rights.append(index)
        elif char == "#":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
            continue
        elif char not in _SPACE:
            break
        index += 1
    if not rights:
        return start, end
    count = min(len(lefts), len(rights))
    return lefts[count - 1], rights[count - 1] + 1


class Source(Positions):
    """Character positions of ``ast`` nodes in one decoded file, and their source text."""

    def range(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets of a node, as libcst's syntactic position would give them."""
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        if isinstance(node, (ast.Tuple, ast.GeneratorExp)) and self._parenthesised(node, start):
            start += 1
            end -= 1
            text = self.text
            while start < end and text[start] in _SPACE:
                start += 1
            while end > start and text[end - 1] in _SPACE:
                end -= 1
        return start, end

    def _parenthesised(self, node: ast.Tuple | ast.GeneratorExp, start: int) -> bool:
        """``ast`` includes a tuple's (or generator's) own parentheses; libcst does not."""
        if self.text[start : start + 1] != "(":
            return False
        if isinstance(node, ast.GeneratorExp) or not node.elts:
            return True
        first = node.elts[0]
        first_start = self.offset(first.lineno, first.col_offset)
        first_end = self.offset(first.end_lineno, first.end_col_offset)  # type: ignore[arg-type]
        if isinstance(first, (ast.Tuple, ast.GeneratorExp)):
            return first_start > start
        return grouping_parens(self.text, first_start, first_end)[0] > start

    def span(self, node: ast.AST, last: ast.AST | None = None) -> Span:
        """Where a node is (or a run of statements, ``node`` to ``last``)."""
        start, end = self.range(node)
        if last is not None and last is not node:
            end = self.range(last)[1]
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self.file, line, column, end_line, end_column)

    def code(self, node: ast.AST) -> str:
        """An expression's source with its grouping parentheses, whitespace collapsed."""
        start, end = self.range(node)
        start, end = grouping_parens(self.text, start, end)
        return " ".join(self.text[start:end].split())

    def _line_text(self, line: int) -> str:
        starts = self.line_starts
        end = starts[line] if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end]

    def _footer_lines(self, after: int, indent: int) -> int:
        """How many lines after line ``after`` are a block's footer: libcst gives the block the
        comment lines (and blank lines between them) indented at least as deep as it."""
        claimed = 0
        line = after + 1
        while line <= len(self.line_starts):
            text = self._line_text(line)
            stripped = text.strip()
            if stripped and not (
                stripped.startswith("#") and len(text) - len(text.lstrip()) >= indent
            ):
                break
            if stripped:
                claimed = line - after
            line += 1
        return claimed

    def statement_code(
        self, first: ast.stmt, last: ast.stmt, claimed_above: int | None, own_footer: int | None
    ) -> str:
        """Statements' source as libcst's ``code_for_node`` has it: with the comment lines just
        above them (minus the footer of a preceding block indented ``claimed_above``) and, for a
        compound statement whose block is indented ``own_footer``, its footer."""
        start = self.offset(first.lineno, first.col_offset)
        line = first.lineno
        if not self.text[self.line_starts[line - 1] : start].strip():
            top = line
            while top > 1:
                above = self._line_text(top - 1).strip()
                if above and not above.startswith("#"):
                    break
                top -= 1
            if claimed_above is not None:
                top = min(line, top + self._footer_lines(top - 1, claimed_above))
            start = self.line_starts[top - 1]
        end_line = last.end_lineno or last.lineno
        if own_footer is not None:
            end_line += self._footer_lines(end_line, own_footer)
        end = self.line_starts[end_line] if end_line < len(self.line_starts) else len(self.text)
        return self.text[start:end]


def _last_block(node: ast.stmt) -> list[ast.stmt]:
    """The statements of a compound statement's last indented block."""
    if isinstance(node, ast.If):
        orelse = node.orelse
        if len(orelse) == 1 and isinstance(orelse[0], ast.If):
            if orelse[0].col_offset == node.col_offset:  # ``elif``
                return _last_block(orelse[0])
        return orelse or node.body
    if isinstance(node, (ast.Try, ast.TryStar)):
        handlers = node.handlers[-1].body if node.handlers else node.body
        return node.finalbody or node.orelse or handlers
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return node.orelse or node.body
    if isinstance(node, ast.Match):
        return node.cases[-1].body if node.cases else []
    body = getattr(node, "body", [])
    return body if isinstance(body, list) else []


def block_indent(node: ast.stmt) -> int | None:
    """The indentation of a compound statement's last block (None for a simple statement)."""
    block = _last_block(node) if hasattr(node, "body") else []
    return block[-1].col_offset if block else None
