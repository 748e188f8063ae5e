"""Character positions of ``ast`` nodes in a migration module, and string-token ends.

``ast`` reports UTF-8 byte columns; findings need 1-based character columns. This is the
subset of ``acp_lint.urls.pysource`` the migration walker needs, kept here because importing
anything under ``acp_lint.urls`` imports the whole URL graph package (a third of a second per
worker process), which a run over migrations only must not pay.
"""

from __future__ import annotations

import ast
import re
import warnings
from bisect import bisect_right

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_STRING_START = re.compile(r"[rRbBuUfF]{0,2}('''|\"\"\"|'|\")")


def parse_python(text: str, file: str) -> ast.Module:
    """``ast.parse`` without warnings on stderr (``"\\d"`` is common in RunSQL)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=file)


def string_token_end(text: str, start: int) -> int | None:
    """Where the string literal token starting at ``start`` ends (None if it is not one)."""
    match = _STRING_START.match(text, start)
    if match is None:
        return None
    quote = match.group(1)
    index = match.end()
    while True:
        found = text.find(quote, index)
        if found < 0:
            return None
        backslashes = 0
        while text[found - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return found + len(quote)
        index = found + 1


class Source:
    """Character positions of ``ast`` nodes in one decoded file."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
        self._ascii = text.isascii()

    def offset(self, line: int, byte_column: int) -> int:
        """Character offset of an ``ast`` (line, UTF-8 byte column)."""
        starts = self.line_starts
        if line < 1:
            return 0
        if line > len(starts):
            return len(self.text)
        start = starts[line - 1]
        if self._ascii:
            return start + byte_column
        end = starts[line] if line < len(starts) else len(self.text)
        encoded = self.text[start:end].encode("utf-8", "surrogatepass")
        return start + len(encoded[:byte_column].decode("utf-8", "replace"))

    def range(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets of a node (a parenthesised tuple without its parentheses)."""
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        if isinstance(node, ast.Tuple) and self.text[start : start + 1] == "(":
            if node.elts and self.offset(node.elts[0].lineno, node.elts[0].col_offset) > start:
                start, end = start + 1, end - 1
        return start, end

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, character column) of a character offset."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def code(self, node: ast.AST) -> str:
        """A node's source, whitespace collapsed (for messages)."""
        start, end = self.range(node)
        return " ".join(self.text[start:end].split())
