"""libcst ``PositionProvider`` positions, at a fraction of its cost.

libcst's provider tracks the line and column through every token of the module and builds a
``CodeRange`` for every node; on a file with findings that was about 40% of checking it. This
runs the same code generation (so every node gets the range libcst would give it: its
syntactic range where libcst records one, else its whitespace-inclusive one) but records only
character offsets, and turns the few ranges rules ask for into ``CodeRange`` on demand.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

_NEWLINE = re.compile(r"\r\n?|\n")  # what libcst's provider counts as a line break


class _Recording:
    """``record_syntactic_position`` as a plain context manager (not a generator)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _OffsetState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = self.state.offset()

    def __exit__(self, *exc: object) -> None:
        state = self.state
        spans = state.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else state.offset()
        spans[self.node] = (start, end)


class _OffsetState(CodegenState):
    """Code generation that remembers each node's (start, end) character offsets."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.spans: dict[cst.CSTNode, tuple[int, int]] = {}
        self._stack: list[int] = []
        self._counted = 0  # tokens already summed into _offset
        self._offset = 0
        self.popped = ""

    def offset(self) -> int:
        tokens = self.tokens
        if self._counted < len(tokens):
            self._offset += sum(map(len, tokens[self._counted :]))
            self._counted = len(tokens)
        return self._offset

    def pop_trailing_newline(self) -> None:
        self.popped = "".join(self.tokens[-1:])  # libcst's provider keeps counting it
        super().pop_trailing_newline()

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append(self.offset())

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        if node not in self.spans:  # a syntactic range recorded inside wins, as in libcst
            self.spans[node] = (start, self.offset())

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Any:
        return _Recording(self, node, start_node, end_node)


class Positions(Mapping[cst.CSTNode, CodeRange]):
    """node -> ``CodeRange`` (1-based lines, 0-based columns), as ``PositionProvider`` gives."""

    def __init__(self, module: cst.Module) -> None:
        state = _OffsetState(module)
        module._codegen(state)
        self._spans = state.spans
        code = "".join(state.tokens) + state.popped
        self._line_starts = [0] + [match.end() for match in _NEWLINE.finditer(code)]
        self._ranges: dict[cst.CSTNode, CodeRange] = {}

    def _position(self, offset: int) -> CodePosition:
        line = bisect_right(self._line_starts, offset)
        return CodePosition(line, offset - self._line_starts[line - 1])

    def offsets(self, node: cst.CSTNode) -> tuple[int, int]:
        """The node's (start, end) character offsets in the module's code."""
        return self._spans[node]

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._ranges.get(node)
        if found is None:
            start, end = self._spans[node]
            found = self._ranges[node] = CodeRange(self._position(start), self._position(end))
        return found

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)
