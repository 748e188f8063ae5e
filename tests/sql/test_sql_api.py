"""Public API details: lazy imports, splitting, suppression parsing, dialect checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from acp_lint.span import Span
from acp_lint.sql import SUPPORTED_DIALECTS, SqlFinding, check_sql
from acp_lint.sql.split import split_statements
from acp_lint.sql.suppress import directive_codes

ROOT = Path(__file__).resolve().parents[2]


def test_import_is_lazy() -> None:
    code = (
        "import acp_lint.sql, acp_lint.sql.check, acp_lint.sql.classify, "
        "acp_lint.hosts.django.django_migrations, acp_lint.sql.split, acp_lint.sql.suppress, "
        "acp_lint.sql.names, acp_lint.sql.findings, acp_lint.sql.positions; import sys; "
        "heavy = [m for m in ('sqlglot', 'sqlparse', 'libcst') if m in sys.modules]; "
        "assert not heavy, heavy; "
        "acp_lint.sql.check_sql('CREATE TABLE t (a int);'); "
        # a plain text is split without sqlparse's lexer; one with a comment needs it
        "assert 'sqlglot' in sys.modules and 'sqlparse' not in sys.modules; "
        "acp_lint.sql.check_sql('CREATE TABLE u (a int); -- c'); "
        "assert 'sqlparse' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_split_keeps_bodies_whole_and_offsets_exact() -> None:
    text = (
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;\n"
        "-- lead\nCREATE TRIGGER t AFTER INSERT ON x BEGIN DELETE FROM y; END;\n"
        "SELECT ';' ; /* ; */ SELECT 2"
    )
    statements, comments = split_statements(text)
    assert [s.text[:14] for s in statements] == [
        "CREATE FUNCTIO",
        "-- lead\nCREATE",
        "SELECT ';' ;",
        "/* ; */ SELECT",
    ]
    for stmt in statements:
        assert text[stmt.start : stmt.end] == stmt.text
    assert text[statements[1].code_start :].startswith("CREATE TRIGGER")
    assert [c.text for c in comments] == ["-- lead\n", "/* ; */"]


def test_directive_parsing() -> None:
    assert directive_codes("-- noqa") == {"*"}
    assert directive_codes("-- noqa: ACP301, ACP303 reason") == {"ACP301", "ACP303"}
    assert directive_codes("-- acp-lint: ignore[ACP302] bad vendor SQL") == {"ACP302"}
    assert directive_codes("-- acp-lint: ignore[unverifiable-migration]") == {"ACP303"}
    assert directive_codes("-- a note about noqa-less code") == set()
    assert directive_codes("-- nothing here") == set()


def test_suppression_on_first_line_of_multiline_statement() -> None:
    sql = "DELETE FROM users -- noqa: ACP301\n  WHERE id = 1;\nDELETE FROM users;\n"
    (finding,) = check_sql(sql)
    assert (finding.line, finding.statement_lines) == (3, (3, 3))


def test_other_codes_do_not_suppress() -> None:
    assert [f.code for f in check_sql("DROP TABLE users; -- noqa: ACP101\n")] == ["ACP301"]


def test_finding_shape_and_order() -> None:
    sql = "CREATE TABLE acp_a (id int);\nUPDATE users SET a = 1;\n  DO $$ BEGIN END $$;\n"
    findings = check_sql(sql)
    assert findings == sorted(findings, key=lambda f: (f.line, f.column, f.code))
    assert findings[0] == SqlFinding(
        "ACP301",
        "UPDATE users: writes a table this migration did not create",
        Span.in_text(2, 1, 2, 24),
        (2, 2),
    )
    assert (findings[1].code, findings[1].line, findings[1].column) == ("ACP303", 3, 3)


def test_messages_say_what_and_why() -> None:
    (finding,) = check_sql("ALTER TABLE users ADD COLUMN x int;")
    assert finding.message == "ALTER TABLE users: modifies a table this migration did not create"


def test_dialects() -> None:
    assert SUPPORTED_DIALECTS == ("postgres", "mysql", "sqlite")
    with pytest.raises(ValueError, match="expected one of postgres, mysql, sqlite"):
        check_sql("SELECT 1", "oracle")


def test_empty_and_comment_only() -> None:
    assert check_sql("") == []
    assert check_sql("-- just a comment\n/* and another */\n") == []
