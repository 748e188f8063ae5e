"""Types shared by every part of acp-lint: edits, fixes and diagnostics (positions: ``span``).

Everything here is a frozen value so that results can be sorted, compared, cached and
serialised without surprises. Lines and columns are 1-based everywhere, as printed.
"""

from __future__ import annotations

from enum import Enum

from acp_lint.records import field, record, replace
from acp_lint.span import Span, Spanned


class Applicability(str, Enum):
    """How trustworthy a fix is: safe fixes keep behaviour, unsafe ones may not."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@record(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` (character offsets into the decoded file) by ``replacement``."""

    start: int
    end: int
    replacement: str


@record(frozen=True)
class Fix:
    """A set of edits that must be applied together, or not at all.

    Empty ``edits`` means *deferred*: the fix exists (``[*]`` is shown for it) but a check-only
    run did not build it; ``--fix``/``--diff`` runs build every fix (see ``FileContext``)."""

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    @property
    def deferred(self) -> bool:
        return not self.edits

    def to_json(self) -> dict[str, str]:
        return {"applicability": self.applicability.value, "message": self.message}


@record(frozen=True)
class Diagnostic(Spanned):
    """One finding at ``span``; ``path`` (the span's file) is a project-relative POSIX path.

    ``statement_lines`` is the (first, last) line of the statement the finding belongs to;
    suppression comments on either line apply to it. ``Diagnostic.at`` builds one from a
    path and four numbers, as most checkers have them.
    """

    span: Span
    code: str
    name: str
    message: str
    fix: Fix | None = None
    statement_lines: tuple[int, int] | None = field(default=None, compare=False)

    @classmethod
    def at(
        cls,
        path: str,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        *,
        code: str,
        name: str,
        message: str,
        fix: Fix | None = None,
        statement_lines: tuple[int, int] | None = None,
    ) -> Diagnostic:
        return cls(
            Span(path, line, column, end_line, end_column),
            code,
            name,
            message,
            fix,
            statement_lines,
        )

    @property
    def path(self) -> str:
        return self.span.file

    def moved(self, span: Span, message: str | None = None) -> Diagnostic:
        """The same finding at ``span`` (another path or line), its message optionally changed."""
        return replace(self, span=span, message=self.message if message is None else message)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        span = self.span  # read once: ``path``, ``line``... each read through it
        return (span.file, span.line, span.column, self.code, self.message)

    @property
    def fixable(self) -> bool:
        return self.fix is not None


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sort by path, line, column, code (then message) and drop exact duplicates."""
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        span = diagnostic.span
        unique.setdefault((diagnostic.sort_key, span.end_line, span.end_column), diagnostic)
    # Sorted by the first five fields only, stable: as ``sorted(..., key=sort_key)``.
    ordered = sorted(unique.items(), key=_first_key)
    return [diagnostic for _, diagnostic in ordered]


def _first_key(item: tuple[tuple[object, ...], Diagnostic]) -> tuple[object, ...]:
    return item[0][0]  # type: ignore[return-value]


def offset_to_position(text: str, offset: int) -> tuple[int, int]:
    """Convert a character offset into a 1-based (line, column)."""
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return line, offset - line_start + 1


def diagnostic_to_record(diagnostic: Diagnostic) -> dict[str, object]:
    """A complete, JSON-able form (fix edits included) for the results cache."""
    fix = diagnostic.fix
    return {
        "path": diagnostic.path,
        "span": list(diagnostic.span.bounds),
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "statement_lines": list(diagnostic.statement_lines) if diagnostic.statement_lines else None,
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [[e.start, e.end, e.replacement] for e in fix.edits],
        },
    }


def diagnostic_from_record(record: dict) -> Diagnostic:
    fix_record = record["fix"]
    fix = None
    if fix_record is not None:
        fix = Fix(
            Applicability(fix_record["applicability"]),
            fix_record["message"],
            tuple(Edit(start, end, text) for start, end, text in fix_record["edits"]),
        )
    line, column, end_line, end_column = record["span"]
    lines = record["statement_lines"]
    return Diagnostic(
        span=Span(record["path"], line, column, end_line, end_column),
        code=record["code"],
        name=record["name"],
        message=record["message"],
        fix=fix,
        statement_lines=(lines[0], lines[1]) if lines else None,
    )
