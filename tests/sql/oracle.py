"""The database as the oracle: apply SQL to a seeded SQLite database, see what changed.

A host schema (tables ``users``, ``orders`` and ``host_k`` with rows, an index, a view) is
created in a fresh in-memory database; the SQL is split as Django splits it and every statement
executed on its own: errors are skipped, as the ``sqlite3`` shell does with a ``.sql`` file, or
stop the run, as in a Django migration.
The snapshot covers every ``sqlite_master`` row of a pre-existing object or attached to a
pre-existing table (indexes, triggers) and the content of every pre-existing table.
"""

from __future__ import annotations

import hashlib
import sqlite3

import sqlparse

HOST_SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nickname TEXT);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users (id),
    total REAL
);
CREATE INDEX orders_user ON orders (user_id);
CREATE TABLE host_k (id INTEGER PRIMARY KEY, note TEXT);
INSERT INTO host_k VALUES (1, 'kept');
CREATE VIEW user_orders AS SELECT u.email, o.total FROM users u JOIN orders o ON o.user_id = u.id;
INSERT INTO users VALUES (1, 'a@example.com', 'a'), (2, 'b@example.com', NULL);
INSERT INTO orders VALUES (1, 1, 9.5), (2, 1, 20.0), (3, 2, 1.0);
"""
HOST_TABLES = ("users", "orders", "host_k")
HOST_OBJECTS = ("users", "orders", "orders_user", "user_orders", "host_k")


def seeded() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(HOST_SCHEMA)
    return conn


def snapshot(conn: sqlite3.Connection) -> tuple:
    """Schema rows and content hashes of everything that existed before the migration."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")  # an unfinished transaction would never commit
    names = ",".join(f"'{n}'" for n in HOST_OBJECTS)
    tables = ",".join(f"'{n}'" for n in HOST_TABLES)
    schema = sorted(
        conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            f"WHERE lower(name) IN ({names}) OR lower(tbl_name) IN ({tables})"
        ).fetchall()
    )
    contents = []
    for table in HOST_TABLES:
        try:
            rows = sorted(conn.execute(f"SELECT * FROM main.{table}").fetchall(), key=repr)
        except sqlite3.Error as err:  # dropped or renamed
            rows = [("<error>", str(err))]
        contents.append(hashlib.sha256(repr(rows).encode()).hexdigest())
    return tuple(schema), tuple(contents)


def apply(conn: sqlite3.Connection, sql: str, stop_at_error: bool = False) -> int:
    """Execute each statement of ``sql`` as split by Django; return how many failed.

    By default errors are skipped, as the ``sqlite3`` shell running a ``.sql`` file does.
    ``stop_at_error`` is Django's RunSQL: the migration runs in one transaction and stops (and
    rolls back) at the first error.
    """
    failures = 0
    if stop_at_error:
        conn.execute("SAVEPOINT django_migration")
    for statement in sqlparse.split(sql):
        statement = sqlparse.format(statement, strip_comments=True).strip()
        if not statement:
            continue
        try:
            conn.execute(statement)
        except (sqlite3.Error, sqlite3.Warning):
            failures += 1
            if stop_at_error:
                break
    if stop_at_error:
        try:
            if failures:
                conn.execute("ROLLBACK TO django_migration")
            conn.execute("RELEASE django_migration")
        except sqlite3.Error:
            pass  # the script ended the transaction itself
    return failures


def changes_host(sql: str, stop_at_error: bool = False) -> bool:
    """Does running ``sql`` change any pre-existing object of the seeded database?"""
    conn = seeded()
    try:
        before = snapshot(conn)
        apply(conn, sql, stop_at_error)
        return snapshot(conn) != before
    finally:
        conn.close()
