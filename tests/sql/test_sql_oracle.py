"""SQLite is the oracle: what the linter passes must leave every pre-existing object alone."""

from __future__ import annotations

import pytest
from corpus_loader import load_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import apply, changes_host, seeded, snapshot

from acp_lint.sql import check_sql
from acp_lint.sql.check import check_sql_raw
from acp_lint.sql.classify import SqlState

SQLITE_CASES = load_cases("sqlite")


def unsuppressed(sql: str) -> list:
    """Findings before ``-- noqa``: the oracle judges the SQL, not the reviewer's waiver."""
    return check_sql_raw(sql, "sqlite")[0]


def test_oracle_sees_changes() -> None:
    """Guard the oracle itself: destructive SQL changes the snapshot, CREATE-only does not."""
    assert changes_host("DELETE FROM users WHERE id = 2;")
    assert changes_host("CREATE INDEX users_email ON users (email);")
    assert changes_host("CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END;")
    assert changes_host("ALTER TABLE users ADD COLUMN x INTEGER;")
    assert not changes_host("CREATE TABLE acp_x (id INTEGER); INSERT INTO acp_x VALUES (1);")
    conn = seeded()
    before = snapshot(conn)
    assert apply(conn, "DROP TABLE nope; SELECT 1;") == 1
    assert snapshot(conn) == before


@pytest.mark.parametrize("case", SQLITE_CASES, ids=[c.id for c in SQLITE_CASES])
def test_corpus_file_against_sqlite(case) -> None:
    findings = unsuppressed(case.text)
    changed = changes_host(case.text)
    if changed:
        assert findings, "the database changed a pre-existing object but the linter passed"
    if not findings:
        assert not changed


def test_oracle_summary() -> None:
    """The oracle is meaningful: many files change the host, and every one of them is flagged."""
    changed = [c for c in SQLITE_CASES if changes_host(c.text)]
    flagged = [c for c in SQLITE_CASES if unsuppressed(c.text)]
    missed = [c.id for c in changed if c not in flagged]
    assert missed == []
    assert len(changed) >= 15
    assert len(flagged) >= len(changed)


# -- generated statement sequences ----------------------------------------------------------

SAFE = [
    "CREATE TABLE {new} (id INTEGER, note TEXT)",
    "CREATE TABLE IF NOT EXISTS {new} (id INTEGER)",
    "CREATE TABLE {new} AS SELECT id, email FROM users",
    "INSERT INTO {own} (id) VALUES (7)",
    "INSERT INTO {own} (id) SELECT id FROM users",
    "CREATE INDEX {new}_ix ON {own} (id)",
    "ALTER TABLE {own} ADD COLUMN extra INTEGER",
    "UPDATE {own} SET id = id + 1",
    "DELETE FROM {own} WHERE id > 5",
    "SELECT count(*) FROM users",
    "BEGIN",
    "COMMIT",
    "SAVEPOINT sp",
    "RELEASE sp",
    "SELECT 'DROP TABLE users'",
    "CREATE TABLE {new} (id INTEGER DEFAULT (random()), note TEXT)",
]
UNSAFE = [
    "DELETE FROM users WHERE id = 2",
    "DELETE FROM orders",
    "UPDATE users SET email = 'x'",
    "INSERT INTO users (id, email) VALUES (50, 'z')",
    "INSERT OR REPLACE INTO users (id, email) VALUES (1, 'z')",
    "REPLACE INTO orders (id, user_id, total) VALUES (1, 1, 0)",
    "DROP TABLE orders",
    "DROP INDEX orders_user",
    "DROP VIEW user_orders",
    "ALTER TABLE users ADD COLUMN acp INTEGER",
    "ALTER TABLE orders RENAME TO orders_old",
    "ALTER TABLE users RENAME COLUMN nickname TO nick",
    "CREATE INDEX acp_on_host ON users (email)",
    "CREATE TRIGGER acp_trg AFTER UPDATE ON users BEGIN SELECT 1; END",
    "WITH x AS (SELECT 2 AS id) DELETE FROM users WHERE id IN (SELECT id FROM x)",
    "INSERT INTO {own} (id) VALUES (1); DELETE FROM users",
    "PRAGMA foreign_keys = ON",
    "DROP TABLE IF EXISTS users",
]
#: Issue 10 item 11: SQLite folds ASCII only, IF NOT EXISTS proves nothing, a failed CREATE
#: carries on in the shell, a rollback undoes a TEMP table that shadowed a host table.
ITEM_11 = [
    'CREATE TABLE "host_\u212a" (id INTEGER); DROP TABLE host_k',
    'CREATE TABLE "HOST_K" (id INTEGER); DELETE FROM host_k',
    "CREATE INDEX IF NOT EXISTS orders_user ON {own} (id); DROP INDEX orders_user",
    "CREATE TABLE IF NOT EXISTS host_k (id INTEGER); DELETE FROM host_k",
    "CREATE TABLE IF NOT EXISTS users (id INTEGER); DROP TABLE users",
    "CREATE TABLE users (id INTEGER); DELETE FROM users",
    "CREATE TABLE host_k (id INTEGER); UPDATE OR REPLACE host_k SET note = 'x'",
    "REPLACE INTO host_k (id, note) VALUES (1, 'x') RETURNING id",
    "UPDATE OR REPLACE users SET email = 'x'",
    "ALTER TABLE host_k DROP COLUMN note",
    "ALTER TABLE host_k ADD COLUMN extra",
    "BEGIN; CREATE TEMP TABLE host_k (id INTEGER); ROLLBACK; DELETE FROM host_k",
    "SAVEPOINT a; CREATE TEMP TABLE host_k (id INTEGER); ROLLBACK TO a; DELETE FROM host_k; "
    "RELEASE a",
]
UNSAFE += ITEM_11
#: On the migration's own new table these must pass (issue 10 item 11).
OWN_TABLE = [
    "UPDATE OR REPLACE {own} SET id = 1",
    "REPLACE INTO {own} (id) VALUES (3) RETURNING id",
    "ALTER TABLE {own} DROP COLUMN note",
    "ALTER TABLE {own} ADD COLUMN extra",
    "INSERT OR IGNORE INTO {own} (id) VALUES (4)",
]


def _mangle(sql: str, draw) -> str:
    """Random keyword case, comments between words, line breaks."""
    out = []
    for word in sql.split(" "):
        style = draw(st.sampled_from(["same", "lower", "upper"]))
        if style == "lower" and "'" not in word:
            word = word.lower()
        elif style == "upper" and "'" not in word:
            word = word.upper()
        out.append(word)
        out.append(draw(st.sampled_from([" ", " ", "\n  ", "/**/", " /* DROP TABLE users; */ "])))
    return "".join(out[:-1])


@st.composite
def scripts(draw) -> str:
    own: list[str] = []
    statements = []
    for _ in range(draw(st.integers(1, 6))):
        pool = SAFE + UNSAFE + OWN_TABLE if own else [s for s in SAFE if "{own}" not in s]
        pool = pool + [s for s in UNSAFE if own or "{own}" not in s]
        template = draw(st.sampled_from(pool))
        new = f"acp_t{len(statements)}"
        sql = template.format(new=new, own=draw(st.sampled_from(own)) if own else new)
        if "{new}" in template and template.startswith("CREATE TABLE"):
            own.append(new)
        statements.append(_mangle(sql, draw) + ";")
    return "\n".join(statements) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_generated_scripts_against_sqlite(script: str) -> None:
    findings = check_sql(script, "sqlite")
    assert {f.code for f in findings} == {r.code for r in unsuppressed(script)}
    if not findings:
        assert not changes_host(script), script
    elif changes_host(script):
        assert findings


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_generated_scripts_as_django_run_sql(script: str) -> None:
    """The same scripts as RunSQL of a Django migration: it stops (and rolls back) at the first
    error, so a CREATE that ran proves its table new; what passes changes nothing."""
    findings = check_sql_raw(script, "sqlite", SqlState())[0]
    if not findings:
        assert not changes_host(script, stop_at_error=True), script


def test_own_table_statements_pass_as_django_run_sql() -> None:
    """Issue 10 item 11: these are flagged no more on the migration's own new table, and the
    database agrees that they leave the host alone."""
    create = "CREATE TABLE acp_own (id INTEGER UNIQUE, note TEXT);\n"
    for statement in OWN_TABLE:
        sql = create + statement.format(own="acp_own") + ";\n"
        assert check_sql_raw(sql, "sqlite", SqlState())[0] == [], sql
        conn = seeded()
        try:
            before = snapshot(conn)
            assert apply(conn, sql, stop_at_error=True) == 0, sql
            assert snapshot(conn) == before
        finally:
            conn.close()


def test_item_11_shapes_change_the_host_and_are_reported() -> None:
    """Each item-11 shape really changes the host when the shell runs it, and is reported."""
    for template in ITEM_11:
        sql = template.format(own="acp_own") + ";\n"
        if "{own}" in template:
            sql = "CREATE TABLE acp_own (id INTEGER);\n" + sql
        assert changes_host(sql), sql
        assert unsuppressed(sql), sql
