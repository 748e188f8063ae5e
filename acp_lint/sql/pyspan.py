"""Character positions of ``ast`` nodes in a migration module, and string-token ends.

``ast`` reports UTF-8 byte columns; findings need 1-based character columns. The positions
come from ``acp_lint.python.astsource``, shared with the URL graph's ``pysource``; only the
migration walker's node ranges live here, so that a run over migrations only does not import
the URL graph package (a third of a second per worker process).
"""

from __future__ import annotations

import ast

from acp_lint.protected import take_compiled
from acp_lint.python.astsource import Positions, quiet_parse, string_token_end

__all__ = ["Source", "parse_python", "string_token_end"]


def parse_python(text: str, file: str) -> ast.Module:
    """The module's AST: the one the engine's ``python_rejects`` just compiled for this text
    (a migration is parsed once per run, not twice), else ``ast.parse`` without warnings."""
    tree = take_compiled(text)
    return tree if tree is not None else quiet_parse(text, file)


class Source(Positions):
    """Character positions of ``ast`` nodes in one decoded migration module."""

    def range(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets of a node (a parenthesised tuple without its parentheses)."""
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        if isinstance(node, ast.Tuple) and self.text[start : start + 1] == "(":
            if node.elts and self.offset(node.elts[0].lineno, node.elts[0].col_offset) > start:
                start, end = start + 1, end - 1
        return start, end

    def node_span(self, node: ast.AST) -> tuple[int, int, int, int]:
        """1-based (line, column, end line, end column) of ``range(node)``. In an ASCII text a
        character column is ``ast``'s byte column, so ``ast``'s own position is the answer;
        only a parenthesised tuple's range differs from it."""
        if self._ascii and type(node) is not ast.Tuple:
            return (
                node.lineno,  # type: ignore[attr-defined]
                node.col_offset + 1,  # type: ignore[attr-defined]
                node.end_lineno,  # type: ignore[attr-defined]
                node.end_col_offset + 1,  # type: ignore[attr-defined]
            )
        start, end = self.range(node)
        return (*self.position(start), *self.position(end))

    def code(self, node: ast.AST) -> str:
        """A node's source, whitespace collapsed (for messages)."""
        start, end = self.range(node)
        return " ".join(self.text[start:end].split())
