"""One test per class of issue 15 (PostgreSQL) and issue 10 item 11 (SQLite), without a server.

The PostgreSQL oracle (test_sql_pg_oracle.py) proves the same shapes against a real server;
these pin the verdicts, so a regression names its class.
"""

from __future__ import annotations

import pytest

from acp_lint.sql import check_sql
from acp_lint.sql.check import check_sql_raw
from acp_lint.sql.classify import SqlState
from acp_lint.sql.names import fold, pg_truncate


def codes(sql: str, dialect: str = "postgres") -> set[str]:
    return {f.code for f in check_sql(sql, dialect)}


def django_codes(sql: str, dialect: str) -> set[str]:
    """As RunSQL in a Django migration (stops at its first error)."""
    return {r.code for r in check_sql_raw(sql, dialect, SqlState())[0]}


def txn(body: str) -> str:
    return f"BEGIN;\n{body}\nCOMMIT;\n"


# -- CREATE TABLE IF NOT EXISTS proves nothing (DESIGN §10) -----------------------------------


@pytest.mark.parametrize(
    "after",
    [
        "DELETE FROM auth_user",
        "INSERT INTO auth_user (id) VALUES (1)",
        "UPDATE auth_user SET is_superuser = true",
        "ALTER TABLE auth_user ADD COLUMN x int",
        "DROP TABLE auth_user",
        "TRUNCATE auth_user",
        "ALTER TABLE auth_user RENAME TO auth_user_old",
        "COMMENT ON TABLE auth_user IS 'x'",
        "CREATE INDEX acp_ix ON auth_user (id)",
    ],
)
@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
def test_if_not_exists_proves_nothing(after: str, dialect: str) -> None:
    sql = f"CREATE TABLE IF NOT EXISTS auth_user (id int);\n{after};"
    assert "ACP301" in codes(txn(sql), dialect)
    assert "ACP301" in django_codes(sql, dialect)


def test_index_if_not_exists_with_a_host_name_proves_nothing() -> None:
    sql = "CREATE TABLE acp_t (id int);\nCREATE INDEX IF NOT EXISTS orders_user ON acp_t (id);\n"
    assert codes(txn(sql + "DROP INDEX orders_user;")) == {"ACP301"}
    assert codes(txn(sql + "CREATE INDEX acp_t_ix ON acp_t (id);\nDROP INDEX acp_t_ix;")) == set()


# -- names by the dialect's rules -------------------------------------------------------------


def test_postgres_truncates_identifiers_to_63_bytes() -> None:
    host = "host_" + "l" * 58
    assert fold(host + "_more", False, "postgres") == host
    assert pg_truncate("é" * 40) == "é" * 31  # 62 bytes: a character is never split
    sql = txn(f"CREATE TABLE {host}_a (id int);\nDELETE FROM {host}_b;")
    assert codes(sql) == set()  # both names are the one new table the CREATE made
    assert codes(txn(f'CREATE TABLE "{host}x" (id int);\nDROP TABLE "{host}y";')) == set()


def test_postgres_folds_ascii_letters_only() -> None:
    assert fold("DONNÉES", False, "postgres") == "donnÉes"
    assert codes(txn("CREATE TABLE DONNÉES (id int);\nDROP TABLE données;")) == {"ACP301"}
    assert codes(txn("CREATE TABLE DONNÉES (id int);\nDROP TABLE donnÉes;")) == set()


def test_sqlite_folds_ascii_letters_only() -> None:
    kelvin = "\u212a"
    assert fold(f"host_{kelvin}", True, "sqlite") != "host_k"
    sql = f'CREATE TABLE "host_{kelvin}" (id INTEGER);\nDROP TABLE host_k;'
    assert django_codes(sql, "sqlite") == {"ACP301"}
    assert (
        django_codes('CREATE TABLE "HOST_K" (id INTEGER);\nDROP TABLE host_k;', "sqlite") == set()
    )


def test_public_schema_is_the_unqualified_name_on_postgres() -> None:
    assert codes(txn("CREATE TABLE public.acp_t (id int);\nINSERT INTO acp_t VALUES (1);")) == set()
    assert codes(txn("CREATE TABLE acp_t (id int);\nINSERT INTO public.acp_t VALUES (1);")) == set()
    assert codes(txn("CREATE TABLE app.users (id int);\nDELETE FROM users;")) == {"ACP301"}


def test_pg_names_resolve_to_pg_catalog_first() -> None:
    assert codes(txn("CREATE TABLE pg_class (id int);\nDELETE FROM pg_class;")) == {"ACP301"}


# -- a .sql file proves a CREATE only inside one postgres transaction -------------------------


def test_create_outside_a_transaction_proves_nothing_in_a_sql_file() -> None:
    body = "CREATE TABLE users (id int);\nDELETE FROM users;"
    assert codes(body) == {"ACP301"}
    assert codes(txn(body)) == set()  # psql fails every statement after a failed CREATE
    assert codes("BEGIN;\nCREATE TABLE users (id int);\nCOMMIT;\nDELETE FROM users;") == {"ACP301"}
    for dialect in ("sqlite", "mysql"):  # their shells carry on, transaction or not
        assert codes(txn(body), dialect) == {"ACP301"}
        assert django_codes(body, dialect) == set()


def test_commit_and_chain_keeps_the_transaction_open() -> None:
    sql = "BEGIN;\nCOMMIT AND CHAIN;\nCREATE TABLE acp_t (id int);\nINSERT INTO acp_t VALUES (1);"
    assert codes(sql + "\nCOMMIT;") == set()


# -- rollbacks undo the proof -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "BEGIN;\nSAVEPOINT a;\nCREATE TEMP TABLE users (id int);\nROLLBACK TO SAVEPOINT a;\n"
        "DELETE FROM users;\nCOMMIT;",
        "BEGIN;\nCREATE TEMP TABLE users (id int);\nROLLBACK;\nDELETE FROM users;",
        "BEGIN;\nSAVEPOINT a;\nSAVEPOINT a;\nCREATE TEMP TABLE users (id int);\nROLLBACK TO a;\n"
        "ROLLBACK TO a;\nDELETE FROM users;\nCOMMIT;",
        "BEGIN;\nCREATE TEMP TABLE users (id int);\nROLLBACK TO SAVEPOINT never;\n"
        "DELETE FROM users;\nCOMMIT;",
    ],
)
def test_rollback_undoes_creation(sql: str) -> None:
    assert codes(sql) == {"ACP301"}
    assert "ACP301" in django_codes(sql, "postgres")


def test_release_and_rollback_to_a_later_savepoint_keep_earlier_tables() -> None:
    sql = (
        "BEGIN;\nCREATE TABLE acp_t (id int);\nSAVEPOINT a;\nRELEASE SAVEPOINT a;\n"
        "SAVEPOINT b;\nROLLBACK TO SAVEPOINT b;\nINSERT INTO acp_t VALUES (1);\nCOMMIT;"
    )
    assert codes(sql) == set()


# -- calls that are not known pure built-ins --------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT log('x');",
        "SELECT lcase('X');",  # sqlglot reads it as LOWER; PostgreSQL calls the host's lcase
        "SELECT \"lower\"('x') FROM users WHERE log(email) = 1;",
        "SELECT public.lower('x');",
        "SELECT setval('host_seq', 5);",
        "SELECT nextval('host_seq');",
        "SELECT 'x'::host_dom;",
        "CREATE TABLE acp_t (id int DEFAULT nextval('host_seq'));",
        "CREATE TABLE acp_t (id int DEFAULT host_function());",
        "CREATE TABLE acp_t (note text CHECK (host_check(note)));",
        "CREATE TABLE acp_t (LIKE host_t INCLUDING ALL);",
        "CREATE TABLE acp_t (id int);\nINSERT INTO acp_t VALUES (host_next());",
        "CREATE TABLE acp_t (id int);\nCREATE INDEX acp_i ON acp_t (host_fn(id));",
        "CREATE TABLE acp_t (d host_dom);\nINSERT INTO acp_t VALUES ('x');",
        "CREATE TABLE acp_t (d text);\nALTER TABLE acp_t ALTER COLUMN d TYPE host_dom;",
        "CREATE TABLE acp_t (id int);\nALTER TABLE acp_t ADD COLUMN d host_dom DEFAULT 'x';",
    ],
)
def test_calls_that_may_run_host_code_are_acp303(sql: str) -> None:
    assert "ACP303" in codes(txn(sql))


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE acp_t (id int, body text);\n"
        "CREATE INDEX acp_fts ON acp_t USING gin (to_tsvector('english', body));",
        "CREATE TABLE acp_t (id int, data jsonb);\n"
        "INSERT INTO acp_t VALUES (1, jsonb_build_object('a', 1));",
        "CREATE TABLE acp_t (id uuid DEFAULT gen_random_uuid(), at timestamptz DEFAULT now());",
        "SELECT pg_catalog.lower(email), coalesce(nickname, ''), count(*) FROM users "
        "WHERE email ~ 'x' AND id > 1 GROUP BY 1, 2;",
        "CREATE TABLE acp_t (id int, kind int) PARTITION BY RANGE (id);",
        "CREATE TABLE acp_t (id int);\nCREATE TABLE acp_c PARTITION OF acp_t "
        "FOR VALUES FROM (1) TO (10);\nINSERT INTO acp_t VALUES (1);",
        "CREATE TABLE acp_t (LIKE users);",
    ],
)
def test_pure_built_ins_pass(sql: str) -> None:
    assert codes(txn(sql)) == set()


# -- false positives removed ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE acp_t (id int PRIMARY KEY, email text);\nMERGE INTO acp_t x USING users u "
        "ON x.id = u.id WHEN MATCHED THEN UPDATE SET email = u.email WHEN NOT MATCHED THEN "
        "INSERT (id, email) VALUES (u.id, u.email);",
        "CREATE TABLE acp_t (id int, note text);\nALTER TABLE acp_t DROP COLUMN note;",
        "CREATE TABLE acp_t (id int);\nALTER TABLE acp_t ENABLE ROW LEVEL SECURITY;\n"
        "ALTER TABLE ONLY acp_t FORCE ROW LEVEL SECURITY;",
        "CREATE TABLE acp_t (id int, user_id int REFERENCES users (id));",
        "CREATE TABLE acp_t (id int, user_id int);\nALTER TABLE acp_t ADD CONSTRAINT acp_fk "
        "FOREIGN KEY (user_id) REFERENCES users (id);",
    ],
)
def test_own_table_statements_pass(sql: str) -> None:
    assert codes(txn(sql)) == set()


def test_row_level_security_on_a_host_table_is_reported() -> None:
    assert codes(txn("ALTER TABLE users ENABLE ROW LEVEL SECURITY;")) == {"ACP301"}


def test_notify_is_valid_sql() -> None:
    assert codes("NOTIFY chan, 'x';") == {"ACP303"}
    assert codes("NOTIFY chan;") == {"ACP303"}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE OR REPLACE acp_t SET id = 2",
        "UPDATE OR IGNORE acp_t SET id = 2 WHERE id = 1",
        "REPLACE INTO acp_t (id) VALUES (1) RETURNING id",
        "ALTER TABLE acp_t DROP COLUMN note",
        "ALTER TABLE acp_t ADD COLUMN extra",
        "ALTER TABLE acp_t ADD extra2",
    ],
)
def test_sqlite_statements_on_the_new_table_pass(statement: str) -> None:
    sql = f"CREATE TABLE acp_t (id INTEGER UNIQUE, note TEXT);\n{statement};"
    assert django_codes(sql, "sqlite") == set()
    host = statement.replace("acp_t", "users")
    assert django_codes(f"CREATE TABLE acp_t (id INTEGER);\n{host};", "sqlite") == {"ACP301"}


def test_prepare_transaction_ends_the_proof() -> None:
    sql = "BEGIN;\nCREATE TABLE acp_t (id int);\nPREPARE TRANSACTION 'x';\n"
    sql += "INSERT INTO acp_t VALUES (1);"
    assert codes(sql) == {"ACP301", "ACP303"}
