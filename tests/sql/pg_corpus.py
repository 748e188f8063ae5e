"""A PostgreSQL migration-script corpus, generated from compact templates (issue 15).

Each template is a short script with placeholders; :func:`scripts` expands it over the ways a
migration author writes the same thing (inside one explicit transaction or not, the new
table's name plain, quoted upper-case, or ``public.``-qualified). The host schema the scripts
meet is :data:`pg_oracle.HOST_SCHEMA`. ``create_only`` marks scripts that create objects and
write only to them: inside a transaction they must pass acp-lint clean.

Placeholders: ``{T}`` the new table as created, ``{t}`` the same table as later referenced,
``{n}`` a bare unique name stem, ``{u}`` a unique suffix (roles outlive databases).
"""

from __future__ import annotations

from dataclasses import dataclass

from pg_oracle import HOST_LONG_NAME


@dataclass(frozen=True)
class Script:
    id: str
    category: str
    sql: str
    create_only: bool  # creates objects and writes only to them (when run in a transaction)


#: (category, create_only, template). create_only templates are wrapped both ways.
TEMPLATES: list[tuple[str, bool, str]] = [
    # -- create-only: new objects, writes to them -------------------------------------------
    ("create table", True, "CREATE TABLE {T} (id int PRIMARY KEY, note text);"),
    (
        "create table",
        True,
        "CREATE TABLE {T} (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), "
        "key uuid DEFAULT gen_random_uuid(), note text CHECK (length(note) < 50));",
    ),
    (
        "create table",
        True,
        "CREATE TABLE {T} (id int GENERATED ALWAYS AS IDENTITY, n int, "
        "twice int GENERATED ALWAYS AS (n * 2) STORED);\nINSERT INTO {t} (n) VALUES (1), (2);",
    ),
    ("create unlogged", True, "CREATE UNLOGGED TABLE {T} (id int);\nINSERT INTO {t} VALUES (1);"),
    (
        "write new table",
        True,
        "CREATE TABLE {T} (id int PRIMARY KEY, note text);\n"
        "INSERT INTO {t} VALUES (1, 'a'), (2, 'b');\nUPDATE {t} SET note = upper(note);\n"
        "DELETE FROM {t} WHERE id = 2;",
    ),
    (
        "write new table",
        True,
        "CREATE TABLE {T} (id int, email text);\n"
        "INSERT INTO {t} SELECT id, email FROM users WHERE id < 3;\n"
        "UPDATE {t} SET email = u.nickname FROM users u WHERE u.id = {t}.id;\n"
        "DELETE FROM {t} USING users u WHERE u.id = {t}.id AND u.nickname IS NULL;",
    ),
    (
        "on conflict new table",
        True,
        "CREATE TABLE {T} (id int PRIMARY KEY, note text);\n"
        "INSERT INTO {t} VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note;\n"
        "INSERT INTO {t} VALUES (1, 'b') ON CONFLICT DO NOTHING;",
    ),
    (
        "merge new table",
        True,
        "CREATE TABLE {T} (id int PRIMARY KEY, email text);\n"
        "MERGE INTO {t} AS x USING users u ON x.id = u.id\n"
        "WHEN MATCHED THEN UPDATE SET email = u.email\n"
        "WHEN NOT MATCHED THEN INSERT (id, email) VALUES (u.id, u.email);",
    ),
    (
        "writing cte new table",
        True,
        "CREATE TABLE {T} (id int);\n"
        "WITH moved AS (INSERT INTO {t} SELECT id FROM users RETURNING id)\n"
        "SELECT count(*) FROM moved;",
    ),
    ("create table as", True, "CREATE TABLE {T} AS SELECT id, email FROM users WHERE id > 1;"),
    (
        "index new table",
        True,
        "CREATE TABLE {T} (id int, note text);\nCREATE INDEX {n}_note ON {t} (note);\n"
        "CREATE UNIQUE INDEX {n}_id ON {t} (id) WHERE id > 0;",
    ),
    (
        "tsvector index",
        True,
        "CREATE TABLE {T} (id int, body text);\n"
        "CREATE INDEX {n}_fts ON {t} USING gin (to_tsvector('english', body));",
    ),
    (
        "jsonb in values",
        True,
        "CREATE TABLE {T} (id int, data jsonb);\n"
        "INSERT INTO {t} VALUES (1, jsonb_build_object('a', 1, 'b', 'x'));",
    ),
    (
        "drop column new table",
        True,
        "CREATE TABLE {T} (id int, note text, extra int);\nALTER TABLE {t} DROP COLUMN extra;\n"
        "ALTER TABLE {t} DROP COLUMN IF EXISTS note;",
    ),
    (
        "alter new table",
        True,
        "CREATE TABLE {T} (id int);\nALTER TABLE {t} ADD COLUMN note text DEFAULT 'x';\n"
        "ALTER TABLE {t} ALTER COLUMN note SET NOT NULL;\n"
        "ALTER TABLE {t} RENAME COLUMN note TO memo;",
    ),
    (
        "partition of new table",
        True,
        "CREATE TABLE {T} (id int, kind int) PARTITION BY LIST (kind);\n"
        "CREATE TABLE {n}_one PARTITION OF {t} FOR VALUES IN (1);\n"
        "INSERT INTO {t} VALUES (1, 1);",
    ),
    (
        "row level security new",
        True,
        "CREATE TABLE {T} (id int);\nALTER TABLE {t} ENABLE ROW LEVEL SECURITY;",
    ),
    (
        "foreign key to host",
        True,
        "CREATE TABLE {T} (id int PRIMARY KEY,\n"
        "    user_id int REFERENCES users (id) ON DELETE CASCADE);\n"
        "INSERT INTO {t} VALUES (1, 1);",
    ),
    (
        "foreign key to host",
        True,
        "CREATE TABLE {T} (id int, user_id int);\n"
        "ALTER TABLE {t} ADD CONSTRAINT {n}_user FOREIGN KEY (user_id) REFERENCES users (id);",
    ),
    (
        "comment new table",
        True,
        "CREATE TABLE {T} (id int);\nCOMMENT ON TABLE {t} IS 'DROP TABLE users; -- no';\n"
        "COMMENT ON COLUMN {t}.id IS $$it's; fine$$;",
    ),
    (
        "truncate drop new table",
        True,
        "CREATE TABLE {T} (id int);\nINSERT INTO {t} VALUES (1);\nTRUNCATE {t};\nDROP TABLE {t};",
    ),
    (
        "rename new table",
        True,
        "CREATE TABLE {T} (id int);\nALTER TABLE {t} RENAME TO {n}_renamed;\n"
        "INSERT INTO {n}_renamed VALUES (1);",
    ),
    (
        "timeouts",
        True,
        "SET lock_timeout = '5s';\nSET LOCAL statement_timeout = 10000;\n"
        "CREATE TABLE {T} (id int);",
    ),
    ("read-only select", True, "SELECT count(*), max(email) FROM users;\nSELECT 1 AS one;"),
    (
        "dollar quoting",
        True,
        "CREATE TABLE {T} (id int, note text DEFAULT $tag$DELETE FROM users; $$ $tag$);\n"
        "SELECT $$ DROP TABLE users; $$ AS text;",
    ),
    (
        "comments with semicolons",
        True,
        "-- DROP TABLE users; DELETE FROM users;\n/* TRUNCATE audit; */\n"
        "CREATE TABLE {T} (id int); -- ; ALTER TABLE users ADD x int;\n"
        "INSERT INTO {t} /* ; */ VALUES (1);",
    ),
    (
        "odd splitting",
        True,
        "CREATE TABLE {T} (id int);INSERT INTO {t} VALUES (1);   INSERT INTO {t}\nVALUES\n(2)\n;",
    ),
    (
        "odd splitting",
        True,
        'CREATE TABLE "{n};x" (id int);\nINSERT INTO "{n};x" VALUES (1);\n'
        "SELECT E'\\';DELETE FROM users;--';",
    ),
    # -- host changes: each must be reported ---------------------------------------------------
    ("write host table", False, "INSERT INTO users VALUES (9, 'z@example.com', 'z');"),
    ("write host table", False, "UPDATE users SET nickname = 'changed' WHERE id = 2;"),
    ("write host table", False, "DELETE FROM users WHERE id = 3;"),
    ("write host table", False, "INSERT INTO orders (user_id, total) VALUES (3, 1);"),
    (
        "on conflict host table",
        False,
        "INSERT INTO users VALUES (1, 'a@example.com', 'x')\n"
        "ON CONFLICT (id) DO UPDATE SET nickname = 'up';",
    ),
    (
        "merge host table",
        False,
        "CREATE TABLE {T} (id int, email text);\nINSERT INTO {t} VALUES (3, 'merged');\n"
        "MERGE INTO users u USING {t} s ON u.id = s.id\n"
        "WHEN MATCHED THEN UPDATE SET email = s.email;",
    ),
    (
        "writing cte host table",
        False,
        "WITH gone AS (DELETE FROM users WHERE id = 3 RETURNING id) SELECT count(*) FROM gone;",
    ),
    ("truncate host", False, "TRUNCATE audit, orders;"),
    ("drop host", False, "DROP TABLE orders;"),
    ("drop host", False, "DROP INDEX orders_user;"),
    ("drop host", False, "DROP VIEW user_orders;"),
    ("drop host", False, "DROP SEQUENCE host_seq;"),
    ("drop host", False, "DROP FUNCTION host_next();"),
    ("drop host", False, "DROP TRIGGER users_audit ON users;"),
    ("drop host", False, "DROP TABLE IF EXISTS audit;"),
    ("alter host", False, "ALTER TABLE users ADD COLUMN acp_key text;"),
    ("alter host", False, "ALTER TABLE users DROP COLUMN nickname;"),
    ("alter host", False, "ALTER TABLE users RENAME COLUMN nickname TO nick;"),
    ("alter host", False, "ALTER TABLE orders ALTER COLUMN total SET DEFAULT 1;"),
    ("alter host", False, "ALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
    ("alter host", False, "ALTER TABLE audit RENAME TO audit_old;"),
    ("alter host", False, "ALTER TABLE users DISABLE TRIGGER ALL;"),
    ("alter host", False, "ALTER TABLE users ENABLE ROW LEVEL SECURITY;"),
    ("alter host", False, "ALTER TABLE orders SET SCHEMA app;"),
    ("alter host", False, "ALTER TABLE users OWNER TO host_reader;"),
    ("alter host", False, "ALTER SEQUENCE host_seq RESTART WITH 100;"),
    ("alter host", False, "ALTER INDEX orders_user RENAME TO orders_user_old;"),
    ("alter host", False, "ALTER VIEW user_orders RENAME TO user_orders_old;"),
    ("alter host", False, "ALTER FUNCTION host_next() SET search_path = app;"),
    ("index on host", False, "CREATE INDEX {n}_email ON users (lower(email));"),
    ("concurrently", False, "CREATE INDEX CONCURRENTLY {n}_nick ON users (nickname);"),
    ("concurrently", False, "CREATE INDEX CONCURRENTLY IF NOT EXISTS {n}_total ON orders (total);"),
    ("comment host", False, "COMMENT ON TABLE users IS 'owned by acp';"),
    ("comment host", False, "COMMENT ON COLUMN users.email IS 'x';"),
    ("grant revoke", False, "GRANT SELECT ON orders TO host_reader;"),
    ("grant revoke", False, "REVOKE SELECT ON users FROM host_reader;"),
    ("grant revoke", False, "GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;"),
    (
        "default privileges",
        False,
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO host_reader;",
    ),
    ("rules", False, "CREATE RULE {n}_rule AS ON INSERT TO users DO INSTEAD NOTHING;"),
    ("policies", False, "CREATE POLICY {n}_policy ON users USING (id > 1);"),
    (
        "create trigger on host",
        False,
        "CREATE FUNCTION {n}_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
        "CREATE TRIGGER {n}_trg BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION {n}_f();",
    ),
    (
        "or replace",
        False,
        "CREATE OR REPLACE VIEW user_orders AS\n"
        "SELECT u.email, o.total, o.id FROM users u JOIN orders o ON o.user_id = u.id;",
    ),
    (
        "or replace",
        False,
        "CREATE OR REPLACE FUNCTION host_next() RETURNS int LANGUAGE sql AS $$ SELECT 8 $$;",
    ),
    ("do block", False, "DO $$ BEGIN DELETE FROM users WHERE id = 3; END $$;"),
    ("do block", False, "DO $body$ BEGIN EXECUTE 'TRUNCATE ' || 'audit'; PERFORM 1; END $body$;"),
    (
        "call",
        False,
        "CREATE PROCEDURE {n}_p() LANGUAGE sql AS $$ DELETE FROM users WHERE id = 3 $$;\n"
        "CALL {n}_p();",
    ),
    ("side-effecting select", False, "SELECT setval('host_seq', 100);"),
    ("side-effecting select", False, "SELECT nextval('host_seq');"),
    ("side-effecting select", False, "SELECT host_next();"),
    ("side-effecting select", False, "SELECT log('x');"),
    ("side-effecting select", False, "SELECT lcase('X') AS lowered;"),
    ("side-effecting select", False, "SELECT public.log('y');"),
    ("side-effecting select", False, "SELECT \"log\"('z');"),
    ("side-effecting select", False, "SELECT * FROM users WHERE log(email) = 1;"),
    ("side-effecting select", False, "SELECT 'x'::host_dom;"),
    ("side-effecting select", False, "SELECT id FROM users FOR UPDATE;"),
    (
        "side-effecting select",
        False,
        "SELECT set_config('search_path', 'app', false);\nDELETE FROM items WHERE id = 1;",
    ),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (id int DEFAULT nextval('host_seq'), note text);\n"
        "INSERT INTO {t} (note) VALUES ('a');",
    ),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (id int DEFAULT host_next(), note text);\n"
        "INSERT INTO {t} (note) VALUES ('a');",
    ),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (note text CHECK (log(note) = 1));\nINSERT INTO {t} VALUES ('a');",
    ),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (LIKE orders INCLUDING ALL);\nINSERT INTO {t} (user_id) VALUES (1);",
    ),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (d host_dom);\nINSERT INTO {t} VALUES ('a');",
    ),
    ("hidden call in definition", False, "CREATE TABLE {T} AS SELECT log(email) AS x FROM users;"),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (id int);\nINSERT INTO {t} VALUES (host_next());",
    ),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (id int, d text);\nINSERT INTO {t} VALUES (1, 'a');\n"
        "ALTER TABLE {t} ALTER COLUMN d TYPE host_dom;",
    ),
    (
        "hidden call in definition",
        False,
        "CREATE TABLE {T} (id int);\nINSERT INTO {t} VALUES (1);\n"
        "ALTER TABLE {t} ADD COLUMN d host_dom DEFAULT 'x';",
    ),
    ("select into", False, "SELECT id, email INTO {T} FROM users;"),
    ("set search_path", False, "SET search_path TO app, public;\nDELETE FROM items WHERE id = 1;"),
    ("set search_path", False, "SET LOCAL search_path = app;\nCREATE TABLE {n}_x (id int);"),
    ("set search_path", False, "SET search_path = app;\nRESET search_path;\nSELECT 1;"),
    (
        "set other",
        False,
        "SET session_replication_role = replica;\nDELETE FROM users WHERE id = 3;",
    ),
    ("copy", False, "COPY users TO STDOUT;"),
    ("copy", False, "COPY users (id, email, nickname) FROM STDIN;\n8\tq@example.com\tq\n\\.\n"),
    ("maintenance", False, "VACUUM users;"),
    ("maintenance", False, "VACUUM FULL audit;"),
    ("maintenance", False, "ANALYZE users;"),
    ("maintenance", False, "REINDEX TABLE users;"),
    ("maintenance", False, "CLUSTER orders USING orders_user;"),
    ("lock", False, "LOCK TABLE users IN SHARE MODE;"),
    ("notify", False, "NOTIFY acp_events, 'installed';"),
    ("notify", False, "LISTEN acp_events;\nUNLISTEN acp_events;"),
    ("create other kinds", False, "CREATE VIEW {n}_v AS SELECT id FROM users;"),
    ("create other kinds", False, "CREATE MATERIALIZED VIEW {n}_mv AS SELECT id FROM users;"),
    ("create other kinds", False, "CREATE SEQUENCE {n}_seq;"),
    ("create other kinds", False, "CREATE SCHEMA {n}_schema;"),
    ("create other kinds", False, "CREATE TYPE {n}_kind AS ENUM ('a', 'b');"),
    ("create other kinds", False, "CREATE DOMAIN {n}_dom AS int CHECK (VALUE > 0);"),
    (
        "create other kinds",
        False,
        "CREATE FUNCTION {n}_fn() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    ),
    ("create other kinds", False, "CREATE ROLE acp_role_{u};"),
    ("create other kinds", False, "CREATE STATISTICS {n}_st ON id, email FROM users;"),
    ("create other kinds", False, "CREATE COLLATION {n}_coll (provider = icu, locale = 'und');"),
    ("create other kinds", False, "CREATE TEXT SEARCH CONFIGURATION {n}_ts (COPY = english);"),
    ("create other kinds", False, "CREATE PUBLICATION {n}_pub FOR TABLE users;"),
    ("create other kinds", False, "CREATE EXTENSION IF NOT EXISTS plpgsql;"),
    (
        "create other kinds",
        False,
        "CREATE TABLE {T} (id int);\nCREATE POLICY {n}_p ON {t} USING (true);",
    ),
    (
        "create other kinds",
        False,
        "CREATE TABLE {T} (id int);\nCREATE RULE {n}_r AS ON DELETE TO {t} DO INSTEAD NOTHING;",
    ),
    (
        "create other kinds",
        False,
        "CREATE TEMP TABLE {n}_tmp (id int);\nINSERT INTO {n}_tmp VALUES (1);",
    ),
    (
        "create other kinds",
        False,
        "CREATE TABLE {T} (id int) INHERITS (audit);\nINSERT INTO {t} VALUES (1);",
    ),
    # -- the measured false-negative classes of issue 15 ---------------------------------------
    (
        "if not exists host",
        False,
        "CREATE TABLE IF NOT EXISTS users (id int);\nDELETE FROM users WHERE id = 3;",
    ),
    (
        "if not exists host",
        False,
        "CREATE TABLE IF NOT EXISTS users (id int);\n"
        "INSERT INTO users VALUES (10, 'su@example.com', 'root');",
    ),
    (
        "if not exists host",
        False,
        "CREATE TABLE IF NOT EXISTS users (id int);\nUPDATE users SET email = 'x' WHERE id = 1;",
    ),
    ("if not exists host", False, "CREATE TABLE IF NOT EXISTS audit (id int);\nDROP TABLE audit;"),
    ("if not exists host", False, "CREATE TABLE IF NOT EXISTS audit (id int);\nTRUNCATE audit;"),
    (
        "if not exists host",
        False,
        "CREATE TABLE IF NOT EXISTS audit (id int);\nALTER TABLE audit RENAME TO audit_x;",
    ),
    (
        "if not exists host",
        False,
        "CREATE TABLE IF NOT EXISTS audit (id int);\nALTER TABLE audit ADD COLUMN acp int;",
    ),
    (
        "if not exists host",
        False,
        "CREATE TABLE IF NOT EXISTS users (id int);\nCOMMENT ON TABLE users IS 'x';",
    ),
    (
        "if not exists host",
        False,
        "CREATE TABLE IF NOT EXISTS users (id int);\nCREATE INDEX {n}_ix ON users (id);",
    ),
    (
        "if not exists index",
        False,
        "CREATE TABLE {T} (user_id int);\n"
        "CREATE INDEX IF NOT EXISTS orders_user ON {t} (user_id);\n"
        "DROP INDEX orders_user;",
    ),
    (
        "postgres names",
        False,
        f"CREATE TABLE {HOST_LONG_NAME}_more (id int);\nDELETE FROM {HOST_LONG_NAME}_xx;",
    ),
    (
        "postgres names",
        False,
        f'CREATE TABLE "{HOST_LONG_NAME}_more" (id int);\nDROP TABLE "{HOST_LONG_NAME}";',
    ),
    ("postgres names", False, "CREATE TABLE DONNÉES (id int);\nDROP TABLE données;"),
    ("postgres names", False, "CREATE TABLE DONNÉES (id int);\nINSERT INTO données VALUES (2);"),
    ("postgres names", False, 'CREATE TABLE "Users" (id int);\nDELETE FROM "users" WHERE id = 3;'),
    ("postgres names", False, "CREATE TABLE app.users (id int);\nDELETE FROM users WHERE id = 3;"),
    ("postgres names", False, "CREATE TABLE pg_class (id int);\nSELECT count(*) FROM pg_class;"),
    (
        "temp table rollback",
        False,
        "BEGIN;\nSAVEPOINT a;\nCREATE TEMP TABLE users (id int);\nROLLBACK TO SAVEPOINT a;\n"
        "DELETE FROM users WHERE id = 3;\nCOMMIT;",
    ),
    (
        "temp table rollback",
        False,
        "BEGIN;\nCREATE TEMP TABLE users (id int);\nROLLBACK;\nDELETE FROM users WHERE id = 3;",
    ),
    (
        "temp table rollback",
        False,
        "BEGIN;\nSAVEPOINT a;\nSAVEPOINT a;\nCREATE TEMP TABLE users (id int);\nROLLBACK TO a;\n"
        "ROLLBACK TO a;\nDELETE FROM users WHERE id = 3;\nCOMMIT;",
    ),
    (
        "temp table rollback",
        False,
        "CREATE TEMP TABLE users (id int);\nDROP TABLE users;\nDELETE FROM users WHERE id = 3;",
    ),
    (
        "failed create carries on",
        False,
        "CREATE TABLE users (id int);\nDELETE FROM users WHERE id = 3;",
    ),
    (
        "failed create carries on",
        False,
        "BEGIN;\nCREATE TABLE users (id int);\nCOMMIT;\nDELETE FROM users WHERE id = 3;",
    ),
    (
        "failed create carries on",
        False,
        "BEGIN;\nCREATE TABLE audit (id int);\nROLLBACK;\nBEGIN;\nTRUNCATE audit;\nCOMMIT;",
    ),
    (
        "odd splitting host",
        False,
        "SELECT 'a\\'; DELETE FROM users WHERE id = 3; --';",
    ),
    (
        "odd splitting host",
        False,
        "/* outer /* inner */ DELETE FROM users WHERE id = 3; */ SELECT 1;",
    ),
    (
        "odd splitting host",
        False,
        "SELECT 1; DELETE FROM users WHERE id = 3",
    ),
]

#: Ways to write the new table: (created as, referenced as).
NAMES: list[tuple[str, str]] = [
    ("{n}", "{n}"),
    ('"{N}"', '"{N}"'),
    ("public.{n}", "{n}"),
]


def _render(template: str, created: str, referenced: str, stem: str, unique: str) -> str:
    created = created.format(n=stem, N=stem.upper())
    referenced = referenced.format(n=stem, N=stem.upper())
    return template.format(T=created, t=referenced, n=stem, u=unique)


def scripts() -> list[Script]:
    """Every template inside a transaction and not; create-only ones name the table 3 ways."""
    out: list[Script] = []
    for index, (category, create_only, template) in enumerate(TEMPLATES):
        names = NAMES if "{T}" in template and create_only else NAMES[:1]
        for name_index, (created, referenced) in enumerate(names):
            for wrap in ("txn", "plain") if name_index == 0 else ("txn",):
                stem = f"acp_t{index}"
                unique = f"{index}_{name_index}_{wrap}"
                body = _render(template, created, referenced, stem, unique)
                already = body.lstrip().upper().startswith(("BEGIN", "START"))
                if wrap == "txn" and already:
                    continue
                sql = f"BEGIN;\n{body}\nCOMMIT;\n" if wrap == "txn" else body + "\n"
                out.append(
                    Script(
                        f"{index:03d}-{name_index}-{wrap}",
                        category,
                        sql,
                        create_only and wrap == "txn",
                    )
                )
    return out
