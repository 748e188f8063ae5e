"""The plain-text split (no lexing) must equal sqlparse's split wherever it is used."""

from __future__ import annotations

import sqlparse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from acp_lint.sql.split import _is_plain, split_lexed, split_statements

# Fragments that keep a text plain, and some that do not (they must take sqlparse's path).
_PLAIN = [
    "UPDATE t SET a = 1",
    "CREATE TABLE t (id integer, b numeric(10, 2))",
    "CREATE INDEX i ON t (a)",
    "CREATE OR REPLACE FUNCTION f() RETURNS int AS 1",
    "SELECT (1",
    "2)",
    ")",
    "(",
    ";",
    " ",
    "\n",
    "\t",
    "\r\n",
    "x::int",
    "IF",
    "CASE WHEN a THEN 1",
    "FOR",
    "LOOP",
    "WHILE",
    "a_end",
    "end_date",
    "gone",
    "%s",
    "a - b",
    "a / b",
    "'a b'",
    "''",
    "'it''s'",
    "E'x'",
    "'--'",
    "'/* x */'",
    "'end'",
    "end'x'",
    '"pg_trgm"',
    '"Col 1"',
    "U&'d'",
]
_OTHER = [
    "BEGIN",
    "END",
    "'a;b'",
    '"x;y"',
    "'(a'",
    "'a\\'",
    "'",
    '"',
    "-- c;",
    "-- it's",
    "/* ; */",
    "$$ ; $$",
    "[a;b]",
    "# x;",
    "é",
]

_fragments = st.lists(st.sampled_from(_PLAIN + _OTHER), max_size=14)
_texts = _fragments.map(" ".join) | _fragments.map("".join)


def _same(text: str) -> None:
    fast, fast_comments = split_statements(text)
    lexed, lexed_comments = split_lexed(text)
    assert fast == lexed
    assert fast_comments == lexed_comments
    # and both are what Django runs: sqlparse.split
    assert [s.text for s in fast] == [s for s in sqlparse.split(text) if s.strip()]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
@example("UPDATE a SET b = 1; UPDATE c SET d = (2;3); x")
@example(") ; ) ; ( ;")
@example(";;  ;\n;")
@example("CREATE TABLE t (a int);\n\n  INSERT INTO t VALUES (1)  ")
def test_plain_split_equals_sqlparse(text: str) -> None:
    _same(text)


def test_plain_texts_take_the_fast_path() -> None:
    assert _is_plain("UPDATE app00_model3 SET field_0 = NULL WHERE id < 0;")
    assert _is_plain("CREATE TABLE t (a int); CREATE INDEX i ON t (a);")
    assert _is_plain("DELETE FROM django_migrations WHERE app = 'django_celery_results';")
    assert _is_plain('CREATE EXTENSION IF NOT EXISTS "pg_trgm"')


def test_texts_that_need_the_lexer_are_not_plain() -> None:
    for text in [
        "BEGIN; CREATE TABLE t (a int); COMMIT;",
        "SELECT 'a;b'",
        "SELECT 1 -- x",
        "é;",
        "SELECT 1 -- it's 'x'",
        "SELECT end'x'; SELECT 2",
    ]:
        assert not _is_plain(text)
        _same(text)
