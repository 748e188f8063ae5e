"""``migrate`` of the generated app changes no host table, on SQLite and on PostgreSQL 16.

The installed host (hostproject.py) gets a fresh database; its own apps are migrated first and
given rows, then a catalog + row snapshot is taken, then ``migrate`` applies the ACP app, and a
second snapshot is compared. Only new ``acp_*`` objects may appear. Django's bookkeeping
tables (``django_migrations``, ``django_content_type``, ``auth_permission``) may only gain
rows about the ``acp`` app (what ``migrate`` does for any new app); nothing else may differ.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostproject import HostProject
from pghost import PgCluster

HOST_APPS = ("contenttypes", "auth", "admin", "sessions")
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}
HOST_ROWS = (
    "INSERT INTO auth_group (name) VALUES ('ops'), ('billing')",
    "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,"
    " is_staff, is_active, date_joined) VALUES ('x', false, 'ana', '', '', 'a@x.test', true,"
    " true, '2026-01-01 00:00:00+00')",
)

PG_CATALOG = """
SELECT table_name, 'column ' || column_name || ' ' || data_type || ' ' || is_nullable
       || ' ' || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL SELECT tablename, 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL SELECT conrelid::regclass::text, 'constraint ' || conname || ' '
       || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL SELECT tgrelid::regclass::text, 'trigger ' || tgname FROM pg_trigger
  WHERE NOT tgisinternal
UNION ALL SELECT c.relname, 'relation ' || c.relkind::text || ' ' || c.relname || ' '
       || pg_get_userbyid(c.relowner) || ' ' || coalesce(array_to_string(c.relacl, ','), '')
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL SELECT d.refobjid::regclass::text, 'sequence ' || s.sequencename || ' '
       || coalesce(s.last_value::text, 'unset')
  FROM pg_sequences s
  JOIN pg_depend d ON d.objid = (quote_ident(s.sequencename))::regclass
   AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
 WHERE s.schemaname = 'public'
"""
PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
SQLITE_CATALOG = (
    "SELECT tbl_name, type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master"
)
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"

Query = Callable[[str], list[tuple[Any, ...]]]


def snapshot(query: Query, tables_sql: str, catalog_sql: str) -> dict[str, set[str]]:
    """Per table: its catalog entries and its rows (as text), for comparison."""
    found: dict[str, set[str]] = {}
    for table, entry in query(catalog_sql):
        found.setdefault(table, set()).add(entry)
    for (table,) in query(tables_sql):
        found.setdefault(table, set()).update(
            f"row {row!r}" for row in query(f'SELECT * FROM "{table}"')
        )
    return found


def is_bookkeeping_counter(table: str, entry: str) -> bool:
    """The id counter of a bookkeeping table (a PostgreSQL sequence, a sqlite_sequence row)."""
    if table == "sqlite_sequence":
        return entry.split("'")[1] in BOOKKEEPING
    return table in BOOKKEEPING and entry.startswith("sequence ")


ACP_PERMISSIONS = (
    "SELECT p.id FROM auth_permission p JOIN django_content_type c ON c.id = p.content_type_id"
    " WHERE c.app_label = 'acp'"
)


def new_rows_are_about_acp(table: str, added: set[str], query: Query) -> bool:
    """Bookkeeping rows added by ``migrate``: each names the acp app or one of its models."""
    if table == "sqlite_sequence":
        acp_tables = BOOKKEEPING | {"acp_api_key", "acp_audit_log"}
        return all(entry.split("'")[1] in acp_tables for entry in added)
    if table == "auth_permission":
        acp_ids = {str(row[0]) for row in query(ACP_PERMISSIONS)}
        rows = [e for e in added if e.startswith("row (")]
        return len(acp_ids) >= 2 and all(e[5:].split(",")[0] in acp_ids for e in rows)
    return all("'acp'" in entry or is_bookkeeping_counter(table, entry) for entry in added)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.xdist_group("pg-runtime"))]
)
def fresh_database(
    request: pytest.FixtureRequest, host: HostProject, tmp_path: Path
) -> tuple[dict[str, str], Query, str, str]:
    """Settings variables for an empty database, a query function on it, and its catalog SQL."""
    if request.param == "sqlite":
        db = tmp_path / "fresh.sqlite3"

        def query_sqlite(sql: str) -> list[tuple[Any, ...]]:
            conn = sqlite3.connect(db, timeout=20)
            try:
                with conn:
                    return conn.execute(sql).fetchall()
            finally:
                conn.close()

        return {"HOSTTEST_DB": str(db)}, query_sqlite, SQLITE_TABLES, SQLITE_CATALOG
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = cluster.database()
    return cluster.env(name), lambda sql: cluster.execute(name, sql), PG_TABLES, PG_CATALOG


def test_migrate_of_the_acp_app_changes_no_host_table(
    host: HostProject, fresh_database: tuple[dict[str, str], Query, str, str]
) -> None:
    env, query, tables_sql, catalog_sql = fresh_database
    on_fresh = HostProject(host.root, {**host.env, **env})
    for app in HOST_APPS:
        on_fresh.manage("migrate", app, "--noinput", "-v", "0")
    for statement in HOST_ROWS:
        query(statement)
    before = snapshot(query, tables_sql, catalog_sql)
    assert "acp_audit_log" not in before and "auth_group" in before
    assert sum(e.startswith("row ") for e in before["auth_group"]) == 2

    assert "acp" in on_fresh.manage("showmigrations", "acp")
    on_fresh.manage("migrate", "--noinput", "-v", "0")
    after = snapshot(query, tables_sql, catalog_sql)

    assert {"acp_api_key", "acp_audit_log"} <= set(after), "the ACP tables were created"
    assert set(after) - set(before) <= {"acp_api_key", "acp_audit_log"}
    for table, entries in before.items():
        if table in BOOKKEEPING or table == "sqlite_sequence":
            changed = entries - after[table]
            assert all(is_bookkeeping_counter(table, e) for e in changed), (table, changed)
            added = after[table] - entries
            assert new_rows_are_about_acp(table, added, query), (table, sorted(added))
        else:
            assert after[table] == entries, (table, sorted(after[table] ^ entries))
    assert any("'acp'" in e for e in after["django_migrations"]), "the acp migration ran"
    # The snapshot sees a host change (the guard of this oracle).
    query("UPDATE auth_group SET name = 'ops-renamed' WHERE name = 'ops'")
    assert snapshot(query, tables_sql, catalog_sql)["auth_group"] != after["auth_group"]
