"""Real Django as the oracle for migration modules: apply one to a seeded SQLite database and
say whether anything that existed before changed.

Run as a script, it is a long-lived worker: one JSON request per line on stdin
(``{"source": "<module text>"}``), one JSON answer per line on stdout
(``{"changed": [...], "error": "..."}``). Per request it copies a database seeded once
(Django's auth and contenttypes tables plus host tables with rows and an index), points the
connection at the copy, imports the module (its import-time code runs against the copy), and
applies ``Migration`` with Django's own ``Migration.apply`` in a schema editor, as ``migrate``
does. Whatever fails (import, apply) fails as it would under ``migrate``; the snapshot of every
table, index and row that existed before is compared afterwards.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import sys
import types
from pathlib import Path

HOST_SQL = """
CREATE TABLE host_customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL, note TEXT);
CREATE INDEX host_customer_email ON host_customer (email);
INSERT INTO host_customer (email, note) VALUES ('a@x.org', 'a'), ('b@x.org', NULL);
CREATE TABLE acp_hostthing (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO acp_hostthing (name) VALUES ('kept');
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined)
    VALUES ('x', 1, 'root', '', '', 'r@x.org', 1, 1, '2020-01-01');
INSERT INTO auth_group (name) VALUES ('staff');
"""


def snapshot(db: Path, names: list[str] | None = None) -> dict[str, list]:
    """Schema rows and row hashes of the given tables (all tables when None)."""
    conn = sqlite3.connect(db)
    try:
        if names is None:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
        out: dict[str, list] = {}
        for name in names:
            schema = conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name",
                (name,),
            ).fetchall()
            try:
                rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
            except sqlite3.Error as error:
                rows = [("<error>", str(error))]
            digest = hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()
            out[name] = [schema, digest]
        return out
    finally:
        conn.close()


def main(workdir: str) -> None:
    work = Path(workdir)
    app = work / "acp"
    (app / "migrations").mkdir(parents=True, exist_ok=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    sys.path.insert(0, str(work))
    base = work / "base.sqlite3"
    current = work / "current.sqlite3"

    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "acp"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(base)}},
        USE_TZ=True,
    )
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", verbosity=0)
    connection.close()
    conn = sqlite3.connect(base)
    conn.executescript(HOST_SQL)
    conn.commit()
    conn.close()
    existing = list(snapshot(base))
    before = snapshot(base, existing)
    print(json.dumps({"ready": existing}), flush=True)

    for count, line in enumerate(sys.stdin):
        source = json.loads(line)["source"]
        connection.close()
        shutil.copy(base, current)
        connection.settings_dict["NAME"] = str(current)
        error = None
        name = f"acp.migrations.m{count}"
        try:
            module = types.ModuleType(name)
            module.__file__ = str(app / "migrations" / f"m{count}.py")
            sys.modules[name] = module
            exec(compile(source, module.__file__, "exec"), module.__dict__)
            migration = module.Migration(f"m{count}", "acp")
            executor = MigrationExecutor(connection)
            state = executor.loader.project_state()
            with connection.schema_editor(atomic=migration.atomic) as editor:
                migration.apply(state, editor)
        except BaseException as problem:  # noqa: BLE001 - the migration fails as under migrate
            error = f"{type(problem).__name__}: {problem}"[:200]
        finally:
            sys.modules.pop(name, None)
            connection.close()
        after = snapshot(current, existing)
        changed = sorted(t for t in existing if after[t] != before[t])
        print(json.dumps({"changed": changed, "error": error}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
