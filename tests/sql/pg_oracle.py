"""A real PostgreSQL 16 as the oracle: run a script with psql, see what existed and changed.

One server (``pgserver``) per test session; a template database ``host_tpl`` holds the host
schema (tables with rows, an index, sequences, a view, a trigger, functions, a domain, a
grant). Each script runs in a fresh copy of it (``CREATE DATABASE ... TEMPLATE host_tpl``),
through the real ``psql`` without ``ON_ERROR_STOP`` (it carries on after an error, as a shell
running a ``.sql`` file does). A catalog + row snapshot of every object that existed before
decides the truth: did the script change something that existed before?

Object identities are OIDs, which ``CREATE DATABASE ... TEMPLATE`` keeps, so a dropped and
re-created host table counts as changed. Physical and statistics columns (relfilenode,
relpages, pg_statistic) are left out: VACUUM and ANALYZE change nothing a host relies on.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST_LONG_NAME = "host_" + "l" * 58  # 63 bytes: a longer name is truncated onto it

HOST_SCHEMA = f"""
CREATE ROLE host_reader;
CREATE SCHEMA app;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, nickname text);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    user_id int REFERENCES users (id),
    total numeric DEFAULT 0
);
CREATE INDEX orders_user ON orders (user_id);
CREATE TABLE audit (id serial PRIMARY KEY, note text);
CREATE TABLE données (id int);
CREATE TABLE "{HOST_LONG_NAME}" (id int);
CREATE TABLE app.items (id int PRIMARY KEY, name text);
CREATE INDEX items_name ON app.items (name);
CREATE SEQUENCE host_seq;
CREATE VIEW user_orders AS
    SELECT u.email, o.total FROM users u JOIN orders o ON o.user_id = u.id;
CREATE FUNCTION host_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit (note) VALUES (TG_OP || ' ' || TG_TABLE_NAME);
    RETURN NULL;
END $$;
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION host_audit();
CREATE FUNCTION log(text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit (note) VALUES ('log ' || $1);
    RETURN 1;
END $$;
CREATE FUNCTION host_next() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit (note) VALUES ('host_next');
    RETURN 7;
END $$;
CREATE FUNCTION lcase(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit (note) VALUES ('lcase');
    RETURN lower($1);
END $$;
CREATE DOMAIN host_dom AS text CHECK (log(VALUE) = 1);
GRANT SELECT ON users TO host_reader;
INSERT INTO users VALUES (1, 'a@example.com', 'a'), (2, 'b@example.com', NULL),
    (3, 'c@example.com', 'c');
INSERT INTO orders (user_id, total) VALUES (1, 9.5), (1, 20), (2, 1);
INSERT INTO données VALUES (1);
INSERT INTO "{HOST_LONG_NAME}" VALUES (1);
INSERT INTO app.items VALUES (1, 'one');
SELECT setval('host_seq', 5);
TRUNCATE audit;
"""

#: The snapshot: one query, every row a (section, text) pair for objects of the template.
#: ``host`` holds the OIDs of the template's relations, functions, types and schemas.
SNAPSHOT = """
WITH host(oid) AS (SELECT unnest(%(oids)s::oid[]))
SELECT 'class', format('%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s', c.oid, c.relname,
       c.relnamespace, c.relkind, c.relowner, c.relacl, c.reloptions, c.relrowsecurity,
       c.relforcerowsecurity, concat_ws('/', c.relpersistence, c.relispartition, c.relreplident))
  FROM pg_class c JOIN host h ON h.oid = c.oid
UNION ALL
SELECT 'attribute', format('%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s|%%s', a.attrelid, a.attnum, a.attname,
       a.atttypid, a.attnotnull, a.atthasdef, a.attisdropped,
       concat_ws('/', a.attidentity, a.attgenerated), a.attacl)
  FROM pg_attribute a JOIN host h ON h.oid = a.attrelid WHERE a.attnum > 0
UNION ALL
SELECT 'default', d.adrelid || '|' || d.adnum || '|' || pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attrdef d JOIN host h ON h.oid = d.adrelid
UNION ALL
SELECT 'index', format('%%s|%%s|%%s|%%s|%%s', i.indrelid, i.indexrelid::regclass,
       pg_get_indexdef(i.indexrelid), i.indisclustered, i.indisvalid)
  FROM pg_index i JOIN host h ON h.oid = i.indrelid
UNION ALL
SELECT 'constraint', format('%%s|%%s|%%s|%%s', co.conrelid, co.contypid, co.conname,
       pg_get_constraintdef(co.oid))
  FROM pg_constraint co WHERE co.conrelid IN (SELECT oid FROM host)
                           OR co.contypid IN (SELECT oid FROM host)
UNION ALL
SELECT 'trigger', format('%%s|%%s|%%s|%%s', t.tgrelid, t.tgname, t.tgenabled,
       pg_get_triggerdef(t.oid))
  FROM pg_trigger t JOIN host h ON h.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL
SELECT 'rule', r.ev_class || '|' || r.rulename || '|' || pg_get_ruledef(r.oid)
  FROM pg_rewrite r JOIN host h ON h.oid = r.ev_class
UNION ALL
SELECT 'policy', p.polrelid || '|' || p.polname
  FROM pg_policy p JOIN host h ON h.oid = p.polrelid
UNION ALL
SELECT 'comment', d.objoid || '|' || d.objsubid || '|' || d.description
  FROM pg_description d JOIN host h ON h.oid = d.objoid
UNION ALL
SELECT 'inherits', i.inhrelid || '|' || i.inhparent
  FROM pg_inherits i WHERE i.inhparent IN (SELECT oid FROM host)
                        OR i.inhrelid IN (SELECT oid FROM host)
UNION ALL
SELECT 'proc', format('%%s|%%s|%%s|%%s|%%s|%%s|%%s', p.oid, p.proname, p.pronamespace,
       md5(p.prosrc), p.proconfig, p.proacl, concat_ws('/', p.provolatile, p.prosecdef, p.proowner))
  FROM pg_proc p JOIN host h ON h.oid = p.oid
UNION ALL
SELECT 'type', format('%%s|%%s|%%s|%%s|%%s', t.oid, t.typname, t.typnamespace,
       t.typnotnull, t.typdefault)
  FROM pg_type t JOIN host h ON h.oid = t.oid
UNION ALL
SELECT 'schema', format('%%s|%%s|%%s|%%s', n.oid, n.nspname, n.nspowner, n.nspacl)
  FROM pg_namespace n JOIN host h ON h.oid = n.oid
UNION ALL
SELECT 'default_acl', a.defaclrole || '|' || a.defaclnamespace || '|' || a.defaclacl::text
  FROM pg_default_acl a
UNION ALL
SELECT 'setting', s.setdatabase || '|' || s.setrole || '|' || s.setconfig::text
  FROM pg_db_role_setting s
UNION ALL
SELECT 'role', format('%%s|%%s|%%s|%%s', r.rolname, r.rolsuper, r.rolcanlogin,
       r.rolpassword)
  FROM pg_authid r WHERE r.rolname IN ('postgres', 'host_reader')
"""

#: OIDs of everything the host schema created (relations, functions, types, schemas).
HOST_OIDS = """
SELECT array_agg(oid) FROM (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('public', 'app')
    UNION ALL SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
    UNION ALL SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname IN ('public', 'app')
    UNION ALL SELECT n.oid FROM pg_namespace n WHERE n.nspname IN ('public', 'app')
) objects
"""

HOST_TABLES = ("users", "orders", "audit", "données", f'"{HOST_LONG_NAME}"', "app.items")
HOST_SEQUENCES = ("host_seq", "orders_id_seq", "audit_id_seq")


def _psql() -> Path:
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"


@dataclass(frozen=True)
class Outcome:
    """What one script did: the truth, and psql's error count (for the reader)."""

    changed: bool
    errors: int
    diff: tuple[str, ...]


class PgOracle:
    """One server, one template database, a fresh database per script."""

    def __init__(self, root: Path) -> None:
        import pgserver
        import psycopg

        self._psycopg = psycopg
        self.server = pgserver.get_server(root / "pgdata", cleanup_mode="delete")
        self._admin = psycopg.connect(self.server.get_uri(), autocommit=True)
        self._counter = itertools.count()
        self.strategy = "FILE_COPY"
        self._local = threading.local()
        self._connections: list[Any] = []
        self._scripts = Path(tempfile.mkdtemp(prefix="scripts", dir=root))
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            self._admin.execute(f"ALTER SYSTEM SET {setting} = off")
        self._admin.execute("SELECT pg_reload_conf()")
        self._admin.execute("DROP DATABASE IF EXISTS host_tpl")
        self._admin.execute("CREATE DATABASE host_tpl")
        with psycopg.connect(self.server.get_uri("host_tpl"), autocommit=True) as conn:
            conn.execute(HOST_SCHEMA)
            self.host_oids: list[int] = conn.execute(HOST_OIDS).fetchone()[0]
            self.baseline = self._snapshot(conn)
        self._roles = self._role_names()

    def _thread_admin(self) -> Any:
        """One connection to the maintenance database per thread (CREATE/DROP DATABASE)."""
        conn = getattr(self._local, "admin", None)
        if conn is None:
            conn = self._psycopg.connect(self.server.get_uri(), autocommit=True)
            self._local.admin = conn
            self._connections.append(conn)
        return conn

    def _role_names(self) -> set[str]:
        return {r[0] for r in self._admin.execute("SELECT rolname FROM pg_roles").fetchall()}

    def close(self) -> None:
        """Drop the roles scripts created (roles outlive databases), stop the server."""
        for conn in self._connections:
            conn.close()
        for role in self._role_names() - self._roles:
            self._admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        self._admin.close()
        self.server.cleanup()

    def _snapshot(self, conn: Any) -> tuple[str, ...]:
        rows = [
            f"{section}: {text}"
            for section, text in conn.execute(SNAPSHOT, {"oids": self.host_oids}).fetchall()
        ]
        for table in HOST_TABLES:
            try:
                content = sorted(repr(r) for r in conn.execute(f"SELECT * FROM {table}"))
                rows.append(f"rows {table}: {hashlib.sha256(repr(content).encode()).hexdigest()}")
            except self._psycopg.Error as err:
                rows.append(f"rows {table}: error {type(err).__name__}")
        for sequence in HOST_SEQUENCES:
            try:
                value = conn.execute(f"SELECT last_value, is_called FROM {sequence}").fetchone()
                rows.append(f"sequence {sequence}: {value}")
            except self._psycopg.Error as err:
                rows.append(f"sequence {sequence}: error {type(err).__name__}")
        return tuple(sorted(rows))

    def run(self, sql: str) -> Outcome:
        """Run ``sql`` with psql in a fresh copy of the host database; compare snapshots."""
        name = f"s{os.getpid()}_{next(self._counter)}"
        admin = self._thread_admin()
        admin.execute(f"CREATE DATABASE {name} TEMPLATE host_tpl STRATEGY {self.strategy}")
        script = self._scripts / f"{name}.sql"
        script.write_text(sql, encoding="utf-8")
        result = subprocess.run(
            [str(_psql()), "-X", "-q", "-d", self.server.get_uri(name), "-f", str(script)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PGOPTIONS": "-c statement_timeout=20000 -c lock_timeout=5000"},
        )
        errors = result.stderr.count("ERROR:")
        with self._psycopg.connect(self.server.get_uri(name), autocommit=True) as conn:
            after = self._snapshot(conn)
        diff = tuple(sorted(set(after) ^ set(self.baseline)))
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        return Outcome(bool(diff), errors, diff)
