"""Value types shared by the SQL and migration checkers (no third-party imports here)."""

from __future__ import annotations

from acp_lint.records import record
from acp_lint.span import Span, Spanned

SUPPORTED_DIALECTS: tuple[str, ...] = ("postgres", "mysql", "sqlite")

CODE_DESTRUCTIVE = "ACP301"
CODE_INVALID_SQL = "ACP302"
CODE_UNVERIFIABLE = "ACP303"


@record(frozen=True)
class SqlFinding(Spanned):
    """One ACP301/302/303 finding, 1-based, relative to the text that was checked.

    Its ``span`` is a ``Span.in_text`` (file ``""``) rather than a second, file-less position
    type: the checkers see only a text (``check_sql(text)``, ``Host.check_migration(source)``,
    both public and cached by content), never its file, and the rule that knows the file
    places the same span there (``span.in_file(path)``). One position type means one set of
    accessors (``finding.line``) and no conversion between two.
    """

    code: str
    message: str
    span: Span
    statement_lines: tuple[int, int]


@record(frozen=True)
class Verdict:
    """A classifier result before positions are known: what is wrong with one statement.

    ``offset`` is a character offset into the statement text where the problem lies when it
    is more precise than the statement start (parse errors, executable comments); else None.
    """

    code: str
    message: str
    offset: int | None = None


def check_dialect(dialect: str) -> str:
    """Reject unknown dialects early with a message that lists the supported ones."""
    if dialect not in SUPPORTED_DIALECTS:
        raise ValueError(
            f"unknown SQL dialect {dialect!r}; expected one of {', '.join(SUPPORTED_DIALECTS)}"
        )
    return dialect
