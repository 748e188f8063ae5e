"""Where a piece of source is: the one position type of acp-lint.

Every record that points into a file (a diagnostic, a route, an unresolved place, an SQL
finding, a FastAPI path operation's verdict) holds a ``Span`` and reads its position through
``Spanned``, so the five position fields are declared once, here. This module imports nothing
of acp-lint but ``records``: the routing model, the diagnostics and the checkers all depend
on it.
"""

from __future__ import annotations

from acp_lint.records import record


@record(frozen=True)
class Span:
    """Where a piece of source is: 1-based lines and columns, end exclusive column.

    ``file`` is a project-relative POSIX path; it is ``""`` for a span relative to a text
    whose file the checker is not told (``Span.in_text``, placed later with ``in_file``).
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def in_text(cls, line: int, column: int, end_line: int, end_column: int) -> Span:
        """A span relative to a checked text that has no file name yet."""
        return cls("", line, column, end_line, end_column)

    @classmethod
    def point(cls, file: str, line: int, column: int) -> Span:
        """An empty span at one position (a parse error, an insertion point)."""
        return cls(file, line, column, line, column)

    def in_file(self, file: str) -> Span:
        """The same position in ``file``."""
        return Span(file, self.line, self.column, self.end_line, self.end_column)

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """``(line, column, end_line, end_column)``, as the results cache stores it."""
        return (self.line, self.column, self.end_line, self.end_column)


class Spanned:
    """A record that sits at one ``span``: its position reads through (``route.line``), so
    the five fields are declared once, here and in ``Span``."""

    span: Span

    @property
    def file(self) -> str:
        return self.span.file

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def end_line(self) -> int:
        return self.span.end_line

    @property
    def end_column(self) -> int:
        return self.span.end_column
