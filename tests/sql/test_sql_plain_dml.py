"""The sqlglot-free path for plain UPDATE/DELETE gives exactly the full classifier's answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from plain_paths import full_classifier
from sqlglot.dialects.postgres import Postgres

from acp_lint.sql.classify import SqlState
from acp_lint.sql.plain_dml import classify_plain_dml
from acp_lint.sql.plain_grammar import KEYWORDS_WITH_UNDERSCORE_OR_DIGIT, SHORT_NAMES

ROOT = Path(__file__).resolve().parents[2]


def _sqlglot_words() -> set[str]:
    """Every word sqlglot's postgres tokenizer or parser treats specially."""
    words = {k for k in Postgres.Tokenizer.KEYWORDS if k.replace("_", "").isalnum()}
    words |= {str(k) for k in Postgres.Parser.NO_PAREN_FUNCTION_PARSERS}
    words |= {t.name for t in Postgres.Parser.NO_PAREN_FUNCTIONS}
    return {w.upper() for w in words}


SQLGLOT_WORDS = sorted(_sqlglot_words())


def test_word_lists_cover_sqlglots_keywords() -> None:
    special = {w for w in SQLGLOT_WORDS if "_" in w or any(c.isdigit() for c in w)}
    assert special <= KEYWORDS_WITH_UNDERSCORE_OR_DIGIT, special - KEYWORDS_WITH_UNDERSCORE_OR_DIGIT
    assert not SHORT_NAMES & set(SQLGLOT_WORDS)


def _full(sql: str, state: SqlState) -> list:
    """The classifier's answer with the plain paths switched off."""
    return full_classifier(sql, state)


_plain_names = st.from_regex(
    r"[a-z][a-z0-9]{0,5}_[a-z0-9_]{0,5}|[a-z]{1,4}[0-9]{1,3}", fullmatch=True
)
_others = st.sampled_from(
    ["id", "ID", "Pk", "app00_Model3", "set", "where", "t", "app", "Codename", "name", "order"]
)
_keywords = st.sampled_from(SQLGLOT_WORDS) | st.sampled_from(SQLGLOT_WORDS).map(str.lower)
# mostly plain names (the path under test), sometimes a word that must send it elsewhere
_names = st.integers(0, 9).flatmap(
    lambda i: _plain_names if i < 8 else (_others if i == 8 else _keywords)
)
_values = st.sampled_from(
    ["NULL", "null", "TRUE", "false", "0", "-1", "12.5", "-0.25", "'a'", "''", "'-- x; /* y'"]
)
_bad_values = st.sampled_from(["1e5", "x", "- 1", "1.", "'a''b'", "'a\\'", "E'a'"])
_values = st.integers(0, 5).flatmap(lambda i: _values if i else _bad_values)
_ops = st.sampled_from(["=", "<>", "!=", "<=", ">=", "<", ">", "=", "<", "= ="])
_ws = st.sampled_from([" ", "  ", "\n", "\t", " \r\n ", ""])


@st.composite
def _statements(draw: st.DrawFn) -> tuple[str, set[str], set[str]]:
    ws = lambda: draw(_ws) or " "  # noqa: E731
    table = draw(_names)
    conditions = [
        f"{draw(_names)}{draw(_ws)}{draw(_ops)}{draw(_ws)}{draw(_values)}"
        for _ in range(draw(st.integers(0, 3)))
    ]
    where = ""
    if conditions:
        joiner = ws() + draw(st.sampled_from(["AND", "or", "AnD", "AND", "OR", ","])) + ws()
        where = f"{ws()}{draw(st.sampled_from(['WHERE', 'where']))}{ws()}{joiner.join(conditions)}"
    if draw(st.booleans()):
        sets = [
            f"{draw(_names)}{draw(_ws)}={draw(_ws)}{draw(_values)}"
            for _ in range(draw(st.integers(1, 3)))
        ]
        head = f"{draw(st.sampled_from(['UPDATE', 'update']))}{ws()}{table}{ws()}SET{ws()}"
        sql = head + f"{draw(_ws)},{draw(_ws)}".join(sets)
    else:
        sql = f"{draw(st.sampled_from(['DELETE', 'delete']))}{ws()}FROM{ws()}{table}"
    sql += where + draw(st.sampled_from(["", ";", " ;", "", ";", ";;"]))
    created = draw(st.sets(st.sampled_from([table.lower(), "app00_model3", "other_1"])))
    typed = draw(st.sets(st.sampled_from(sorted(created) or ["none_1"])))
    return sql, created, typed


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_statements())
@example(("UPDATE app00_model3 SET field_0 = NULL WHERE id < 0;", set(), set()))
@example(("UPDATE app00_model3 SET field_0 = NULL WHERE id < 0;", {"app00_model3"}, set()))
@example(("UPDATE app00_model3 SET field_0 = NULL", {"app00_model3"}, {"app00_model3"}))
@example(("delete from Host_1 where pk <> -1 or id = TRUE", set(), set()))
@example(("UPDATE x_1 SET a_1 = 1 WHERE current_date = 1", set(), set()))
@example(("DELETE FROM django_migrations WHERE app = 'django_celery_results';", set(), set()))
@example(("UPDATE t_1 SET a_1 = 'x' WHERE id = 'y'", {"t_1"}, set()))
def test_plain_path_equals_full_classifier(case: tuple[str, set[str], set[str]]) -> None:
    sql, created, typed = case
    tables = {(None, None, name) for name in created}
    host_typed = {(None, None, name) for name in typed}
    plain = classify_plain_dml(sql, set(tables), set(host_typed))
    if plain is None:
        return  # the full path judges it
    state = SqlState(tables=set(tables), host_typed=set(host_typed))
    assert plain == _full(sql, state)
    assert state.tables == tables  # the full path changed nothing the plain path skipped


def test_plain_shapes_take_the_path_and_others_do_not() -> None:
    assert classify_plain_dml("UPDATE app00_model3 SET field_0 = NULL WHERE id < 0;", set(), set())
    assert classify_plain_dml("DELETE FROM shop_order WHERE id >= 10", set(), set())
    assert classify_plain_dml("DELETE FROM django_migrations WHERE app = 'x_y';", set(), set())
    for sql in [
        "UPDATE t SET a = 1",  # a short name could be a keyword
        "UPDATE where SET a_1 = 1",
        "UPDATE x_1 SET a_1 = 1 WHERE current_date = 1",
        "UPDATE x_1 SET a_1 = 'it''s'",
        "UPDATE x_1 SET a_1 = f_1(2)",
        "UPDATE x_1 SET a_1 = 1 -- c",
        "UPDATE s_1.x_1 SET a_1 = 1",
        "UPDATE x_1 SET a_1 = 1 RETURNING a_1",
    ]:
        assert classify_plain_dml(sql, set(), set()) is None, sql


def test_plain_migration_sql_does_not_import_sqlglot() -> None:
    code = (
        "import sys; from acp_lint.sql.check import check_sql_raw; "
        "from acp_lint.sql.classify import SqlState; "
        "raws, _ = check_sql_raw('UPDATE app00_model3 SET field_0 = NULL WHERE id < 0;', "
        "'postgres', SqlState()); "
        "assert [r.code for r in raws] == ['ACP301'], raws; "
        "assert 'sqlglot' not in sys.modules and 'sqlparse' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
