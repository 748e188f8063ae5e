"""Arbitrary text never crashes the checker, and every finding lies inside the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from acp_lint.sql import SUPPORTED_DIALECTS, check_sql

FRAGMENTS = st.sampled_from(
    [
        "CREATE", "TABLE", "acp_t", "users", "(", ")", "id", "int", ",", ";", "'", '"', "`",
        "$$", "$x$", "--", "/*", "*/", "/*!", "\n", " ", "DROP", "DELETE", "FROM", "BEGIN",
        "END", "WITH", "AS", "SELECT", "INSERT", "INTO", "VALUES", "1", "#", "\\", "é", "\t",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=30).map(" ".join), st.sampled_from(SUPPORTED_DIALECTS))
def test_never_crashes_and_positions_are_inside(text: str, dialect: str) -> None:
    findings = check_sql(text, dialect)
    lines = text.split("\n")
    for f in findings:
        assert f.code in ("ACP301", "ACP302", "ACP303")
        assert 1 <= f.line <= len(lines)
        assert 1 <= f.column <= len(lines[f.line - 1]) + 1
        assert f.statement_lines[0] <= f.line <= f.statement_lines[1] <= len(lines)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from(SUPPORTED_DIALECTS))
def test_arbitrary_unicode(text: str, dialect: str) -> None:
    for f in check_sql(text, dialect):
        assert f.line >= 1 and f.column >= 1
