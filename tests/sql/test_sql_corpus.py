"""The statement corpus: every case's reported codes (and position, where given) are exact."""

from __future__ import annotations

import pytest
from corpus_loader import all_cases, load_cases, statement_count

from acp_lint.sql import SqlFinding, check_sql

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case) -> None:
    findings = check_sql(case.text, case.dialect)
    codes = {f.code for f in findings}
    assert codes == set(case.expected), [(f.code, f.line, f.column, f.message) for f in findings]
    if case.at is not None:
        assert (findings[0].line, findings[0].column) == case.at, findings[0]
    for finding in findings:
        assert isinstance(finding, SqlFinding)
        first, last = finding.statement_lines
        assert 1 <= first <= finding.line <= last, finding
        assert (finding.end_line, finding.end_column) >= (finding.line, finding.column)


def test_corpus_is_large_enough() -> None:
    assert statement_count(CASES) >= 80
    for dialect in ("postgres", "mysql", "sqlite"):
        cases = load_cases(dialect)
        verdicts = {frozenset(c.expected) for c in cases}
        assert frozenset() in verdicts and len(verdicts) >= 4, dialect
