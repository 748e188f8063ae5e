"""The sqlglot-free path for plain DROP/ALTER/CREATE EXTENSION gives exactly the full
classifier's answers, and real migrations' raw SQL of that kind no longer imports sqlglot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from plain_paths import full_classifier

from acp_lint.sql.classify import Classifier, SqlState, summarise
from acp_lint.sql.plain_ddl import EXTENSION_REASON, classify_plain_ddl

ROOT = Path(__file__).resolve().parents[2]

_plain = st.from_regex(r"[a-z][a-z0-9]{0,5}_[a-z0-9_]{0,5}|[a-z]{1,4}[0-9]{1,3}", fullmatch=True)
_odd = st.sampled_from(
    ['"x_1"', '"X_1"', '"where"', "X_1", "id", "app", "set", "t", "s_1.x_1", "current_user"]
)
# mostly names the path takes, sometimes one that must send the statement elsewhere
_names = st.integers(0, 7).flatmap(lambda i: _plain if i < 6 else _odd)
_ws = st.sampled_from([" ", "  ", "\n", "\t", " \r\n "])
_values = st.sampled_from(["NULL", "false", "0", "-1.5", "'x'", "''", "now()", "'a''b'"])
_ends = st.sampled_from(["", ";", " ;", ";;", " CASCADE", " RESTRICT", " -- c"])


def _case(draw: st.DrawFn, words: list[str]) -> str:
    """Words joined by drawn whitespace, each keyword drawn in upper or lower case."""
    return draw(_ws).join(
        word.lower() if word.isupper() and draw(st.booleans()) else word for word in words
    )


@st.composite
def _statements(draw: st.DrawFn) -> str:
    name, other = draw(_names), draw(_names)
    exists = ["IF", "EXISTS"] if draw(st.booleans()) else []
    shape = draw(st.integers(0, 3))
    if shape == 0:
        kind = draw(
            st.sampled_from(
                [["TABLE"], ["INDEX"], ["INDEX", "CONCURRENTLY"], ["SEQUENCE"], ["VIEW"], ["TYPE"]]
            )
        )
        words = ["DROP", *kind, *exists, name]
    elif shape == 1:
        action = draw(
            st.sampled_from(
                [
                    ["RENAME", "TO", other],
                    ["RENAME", "COLUMN", other, "TO", name],
                    ["RENAME", other, "TO", name],
                    ["RENAME", "CONSTRAINT", other, "TO", name],
                    ["DROP", "CONSTRAINT", *exists, other],
                    ["DROP", "COLUMN", other],
                    ["ALTER", "COLUMN", other, "SET", "DEFAULT", draw(_values)],
                    ["ALTER", other, "DROP", "DEFAULT"],
                    ["ALTER", "COLUMN", other, "SET", "NOT", "NULL"],
                    ["ALTER", "COLUMN", other, "DROP", "NOT", "NULL"],
                    ["ADD", "COLUMN", other, "int"],
                ]
            )
        )
        only = ["ONLY"] if draw(st.booleans()) else []
        words = ["ALTER", "TABLE", *exists, *only, name, *action]
    elif shape == 2:
        kind = draw(st.sampled_from(["INDEX", "SEQUENCE"]))
        words = ["ALTER", kind, *exists, name, "RENAME", "TO", other]
    else:
        guard = ["IF", "NOT", "EXISTS"] if draw(st.booleans()) else []
        schema = draw(st.sampled_from([[], ["SCHEMA", other], ["WITH", "SCHEMA", other]]))
        words = ["CREATE", "EXTENSION", *guard, draw(st.sampled_from([name, '"pg_trgm"'])), *schema]
    return _case(draw, words) + draw(_ends)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sql=_statements(), created=st.sets(st.sampled_from(["x_1", "a_1", "t1", "pg_trgm"])))
@example(sql="DROP TABLE IF EXISTS django_celery_results_taskresult;", created=set())
@example(sql='DROP SEQUENCE IF EXISTS "django_admin_log_id_seq";', created=set())
@example(sql="DROP INDEX CONCURRENTLY IF EXISTS x_1;", created={"x_1"})
@example(sql="ALTER TABLE cookbook_food_properties RENAME TO cookbook_foodproperty", created=set())
@example(sql="ALTER TABLE x_1 RENAME TO y_1", created={"x_1"})
@example(sql="ALTER INDEX IF EXISTS x_1 RENAME TO y_1;", created=set())
@example(sql='CREATE EXTENSION IF NOT EXISTS "pg_trgm"', created=set())
@example(sql="ALTER TABLE x_1 ALTER COLUMN a_1 SET DEFAULT 'x';", created=set())
def test_plain_path_equals_full_classifier(sql: str, created: set[str]) -> None:
    keys = {(None, None, name) for name in created}
    plain = classify_plain_ddl(sql, summarise(sql), set(keys), set(keys))
    if plain is None:
        return  # the full path judges it
    state = SqlState(tables=set(keys), indexes=set(keys))
    assert plain == full_classifier(sql, state)
    assert state.tables == keys and state.indexes == keys  # nothing skipped that it records


def test_plain_shapes_take_the_path_and_others_do_not() -> None:
    taken = [
        "DROP TABLE IF EXISTS django_celery_results_taskresult;",
        'DROP SEQUENCE IF EXISTS "django_admin_log_id_seq";',
        "drop index concurrently if exists attribute_x_805656f1",
        "ALTER TABLE cookbook_food_properties RENAME TO cookbook_foodproperty",
        "ALTER TABLE account_address ALTER COLUMN validation_skipped SET DEFAULT false;",
        "ALTER INDEX IF EXISTS auth_group_name_a6ea08ec_like RENAME TO account_group_name_like;",
        'CREATE EXTENSION IF NOT EXISTS "pg_trgm"',
        "CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;",
    ]
    for sql in taken:
        assert classify_plain_ddl(sql, summarise(sql), set(), set()), sql
    for sql in [
        "DROP TABLE a_1, b_1",  # two objects
        "DROP TABLE x_1 CASCADE",
        "DROP TABLE s_1.x_1",
        "DROP TRIGGER IF EXISTS t_1 ON x_1",
        "ALTER TABLE x_1 RENAME CONSTRAINT a_1 TO b_1",  # sqlglot reads it as a command
        "ALTER SEQUENCE x_1 RENAME TO y_1",
        "ALTER TABLE x_1 ALTER COLUMN a_1 SET DEFAULT now()",
        "ALTER TABLE x_1 ADD COLUMN a_1 int",
        "CREATE EXTENSION x_1 VERSION '1.0'",
        " DROP TABLE x_1",
    ]:
        assert classify_plain_ddl(sql, summarise(sql), set(), set()) is None, sql


def test_an_object_the_migration_created_goes_to_the_full_path() -> None:
    keys = {(None, None, "x_1")}
    assert classify_plain_ddl("DROP TABLE x_1", "", set(keys), set()) is None
    assert classify_plain_ddl("DROP INDEX x_1", "", set(), set(keys)) is None
    assert classify_plain_ddl("ALTER TABLE x_1 RENAME TO y_1", "", set(keys), set()) is None
    # a quoted name keeps its case: "X_1" is not the x_1 the migration created
    assert classify_plain_ddl('DROP TABLE "X_1"', "", set(keys), set()) == [
        full_classifier('DROP TABLE "X_1"', SqlState(tables=set(keys)))[0]
    ]
    state = SqlState(tables=set(keys))
    assert Classifier("postgres", state).classify("ALTER TABLE x_1 RENAME TO y_1") == []
    assert state.tables == {(None, None, "y_1")}  # the full path recorded the new name


def test_create_extension_says_why_in_both_paths() -> None:
    for sql in ('CREATE EXTENSION IF NOT EXISTS "pg_trgm"', "CREATE EXTENSION x VERSION '1.0'"):
        verdicts = full_classifier(sql, SqlState())
        assert [(v.code, v.message) for v in verdicts] == [
            ("ACP303", f"{summarise(sql)}: {EXTENSION_REASON}")
        ]
    assert "typo" not in EXTENSION_REASON


def test_real_housekeeping_sql_does_not_import_sqlglot() -> None:
    """paperless-ngx's, Tandoor's and wger's migrations: once sqlglot cost more than the rest."""
    statements = [
        "DROP TABLE IF EXISTS django_celery_results_taskresult;",
        "DELETE FROM django_migrations WHERE app = 'django_celery_results';",
        "ALTER TABLE cookbook_food_properties RENAME TO cookbook_foodproperty",
        'CREATE EXTENSION IF NOT EXISTS "pg_trgm"',
    ]
    code = (
        "import sys; from acp_lint.sql.check import check_sql_raw; "
        "from acp_lint.sql.classify import SqlState; "
        f"raws = [check_sql_raw(s, 'postgres', SqlState())[0] for s in {statements!r}]; "
        "assert [[r.code for r in rs] for rs in raws] == "
        "[['ACP301'], ['ACP301'], ['ACP301'], ['ACP303']], raws; "
        "assert 'sqlglot' not in sys.modules and 'sqlparse' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith('sql'))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
