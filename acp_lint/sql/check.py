"""Check a whole SQL text: split, classify each statement, place and suppress findings."""

from __future__ import annotations

from acp_lint.records import record
from acp_lint.span import Span
from acp_lint.sql.classify import Classifier, SqlState, executable_comment
from acp_lint.sql.findings import SqlFinding, check_dialect
from acp_lint.sql.positions import LineIndex
from acp_lint.sql.split import Comment, split_statements
from acp_lint.sql.suppress import Suppressions


@record(frozen=True)
class RawFinding:
    """A finding with character offsets into the checked text (for mapping into .py files).

    ``start``/``end`` are the offsets of the reported span; ``statement_start`` and
    ``statement_end`` delimit the statement's code (for statement_lines).
    """

    code: str
    message: str
    start: int
    end: int
    statement_start: int
    statement_end: int


def check_sql_raw(
    text: str, dialect: str = "postgres", state: SqlState | None = None
) -> tuple[list[RawFinding], list[Comment]]:
    """Unsuppressed findings with offsets, plus every comment of ``text``.

    ``state`` carries the created tables across calls (several RunSQL of one migration, which
    stop at their first error); without it the text is a standalone ``.sql`` file, run by a
    shell that carries on after errors (see :class:`SqlState`).
    """
    check_dialect(dialect)
    statements, comments = split_statements(text)
    if state is None:  # a standalone .sql file: its shell carries on after an error
        state = SqlState(script=True)
    classifier = Classifier(dialect, state)
    findings: list[RawFinding] = []
    comment_index = 0
    for stmt in statements:
        code_start = stmt.code_start if stmt.code_start is not None else stmt.start
        # executable comments anywhere in the statement (MySQL runs them)
        while comment_index < len(comments) and comments[comment_index].start < stmt.end:
            comment = comments[comment_index]
            comment_index += 1
            if comment.start < stmt.start:
                continue
            verdict = executable_comment(comment.text)
            if verdict is not None:
                findings.append(
                    RawFinding(
                        verdict.code,
                        verdict.message,
                        comment.start,
                        comment.end,
                        min(code_start, comment.start),
                        stmt.end,
                    )
                )
        if stmt.code_start is None:
            continue
        for verdict in classifier.classify(stmt.text):
            start = code_start
            if verdict.offset:
                start = max(code_start, stmt.start + verdict.offset)
            findings.append(
                RawFinding(verdict.code, verdict.message, start, stmt.end, code_start, stmt.end)
            )
    return findings, comments


def statement_lines(raw: RawFinding, index: LineIndex) -> tuple[int, int]:
    """First and last line of the statement a finding belongs to."""
    first = index.line_of(raw.statement_start)
    return first, index.line_of(max(raw.statement_start, raw.statement_end - 1))


@record(frozen=True)
class KeptFinding:
    """A finding no suppression comment of its statement silences, with that statement's
    first and last line."""

    raw: RawFinding
    first: int
    last: int


def kept_findings(
    text: str, dialect: str = "postgres", state: SqlState | None = None
) -> tuple[LineIndex | None, list[KeptFinding]]:
    """``check_sql_raw``'s findings less those suppressed per statement (``-- noqa``), and
    the text's line index (None when nothing was found: clean SQL builds none); the one place
    an SQL file and the SQL inside a migration are checked and suppressed."""
    raws, comments = check_sql_raw(text, dialect, state)
    if not raws:
        return None, []
    index = LineIndex(text)
    suppressions = Suppressions.from_comments((index.line_of(c.start), c.text) for c in comments)
    kept = []
    for raw in raws:
        first, last = statement_lines(raw, index)
        if not suppressions.suppresses(raw.code, first, last):
            kept.append(KeptFinding(raw, first, last))
    return index, kept


def check_sql(text: str, dialect: str = "postgres") -> list[SqlFinding]:
    """Check an SQL file; findings are suppressed per statement and sorted."""
    index, kept = kept_findings(text, dialect)
    if index is None:
        return []
    out: list[SqlFinding] = []
    for found in kept:
        raw, first, last = found.raw, found.first, found.last
        line, column = index.position(raw.start)
        end_line, end_column = index.position(raw.end)
        out.append(
            SqlFinding(
                raw.code,
                raw.message,
                Span.in_text(line, column, end_line, end_column),
                (first, last),
            )
        )
    out.sort(key=lambda f: (f.line, f.column, f.code, f.message))
    return out
