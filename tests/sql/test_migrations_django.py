"""Django migration modules: static findings, resolved operation classes vs. real Django,
and a real ``migrate`` on SQLite of a migration the linter passes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from acp_lint.hosts.django.django_migrations import list_operations
from acp_lint.sql import check_migration_module, looks_like_django_migration

HERE = Path(__file__).parent
CORPUS = HERE / "migrations_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
FILES = sorted(EXPECTED)
PYTHON = sys.executable
ROOT = HERE.parents[1]


@pytest.mark.parametrize("name", FILES)
def test_migration_findings(name: str) -> None:
    source = (CORPUS / name).read_text()
    assert looks_like_django_migration(source)
    findings = check_migration_module(source, "sqlite")
    got = [[f.line, f.column, f.code] for f in findings]
    assert got == EXPECTED[name], [(f.line, f.column, f.code, f.message) for f in findings]
    for f in findings:
        first, last = f.statement_lines
        assert first <= f.line <= last


_REAL_CLASSES = """
import importlib.util, json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
django.setup()
out = {}
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("mig_" + str(len(out)), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out[path] = [
        type(op).__module__ + "." + type(op).__qualname__ for op in module.Migration.operations
    ]
print(json.dumps(out))
"""


def test_resolved_classes_match_real_django() -> None:
    paths = [str(CORPUS / name) for name in FILES]
    proc = subprocess.run(
        [PYTHON, "-c", _REAL_CLASSES, *paths], capture_output=True, text=True, check=True
    )
    real = json.loads(proc.stdout)
    total = 0
    for path in paths:
        seen = [op.qualified_class for op in list_operations(Path(path).read_text())]
        assert seen == real[path], path
        total += len(seen)
    assert total >= 50
    kinds = {q.rsplit(".", 1)[1] for qs in real.values() for q in qs}
    # every Django operation class in django.db.migrations.operations.__all__ appears
    assert kinds >= {
        "CreateModel", "DeleteModel", "RenameModel", "AlterModelTable", "AlterModelTableComment",
        "AlterUniqueTogether", "AlterIndexTogether", "AlterOrderWithRespectTo",
        "AlterModelOptions", "AlterModelManagers", "AddIndex", "RemoveIndex", "RenameIndex",
        "AddConstraint", "RemoveConstraint", "AddField", "RemoveField", "AlterField",
        "RenameField", "SeparateDatabaseAndState", "RunSQL", "RunPython",
    }  # fmt: skip


def test_unknown_and_postgres_operations() -> None:
    source = textwrap.dedent(
        """
        from django.contrib.postgres.operations import CreateExtension, AddIndexConcurrently
        from django.contrib.postgres import operations as pg
        from django.db import migrations
        from myapp.ops import Custom

        class Migration(migrations.Migration):
            operations = [
                migrations.CreateModel("Own", []),
                CreateExtension("pgcrypto"),
                AddIndexConcurrently("own", None),
                AddIndexConcurrently("user", None),
                pg.RemoveCollation("c", "und"),
                Custom(),
                *extra,
            ]
        """
    )
    codes = [(f.line, f.code) for f in check_migration_module(source)]
    assert codes == [(10, "ACP303"), (12, "ACP301"), (13, "ACP301"), (14, "ACP303"), (15, "ACP303")]
    ops = list_operations(source)
    assert ops[1].qualified_class == "django.contrib.postgres.operations.CreateExtension"
    assert ops[5].qualified_class is None


def test_operations_not_a_literal_list() -> None:
    source = "from django.db import migrations\nclass Migration(migrations.Migration):\n"
    source += "    operations = build()\n"
    (finding,) = check_migration_module(source)
    assert (finding.code, finding.line, finding.column) == ("ACP303", 3, 5)


def test_runsql_positions_triple_quoted_and_suppression() -> None:
    source = (
        "from django.db import migrations\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.RunSQL('''CREATE TABLE acp_x (id int);\n"
        "   ALTER TABLE users ADD x int;\n"
        "DROP TABLE users; -- noqa: ACP301\n"
        "  GRANT ALL ON acp_x TO bob;''', reverse_sql='DROP TABLE users'),\n"
        "    ]\n"
    )
    findings = check_migration_module(source)
    assert [(f.code, f.line, f.column) for f in findings] == [
        ("ACP301", 5, 4),
        ("ACP301", 7, 3),
    ]
    assert all(f.statement_lines == (4, 7) for f in findings)


def test_invalid_python_raises() -> None:
    with pytest.raises(SyntaxError):
        check_migration_module("class Migration(:\n    operations = [\n")


def test_looks_like_django_migration() -> None:
    assert looks_like_django_migration("class Migration(migrations.Migration):\n operations=[]")
    assert not looks_like_django_migration("import os\nprint('Migration operations')\n")


# -- a real migrate ---------------------------------------------------------------------------

ACP_MIGRATION = """
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ApiKey",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
            ],
            options={"db_table": "acp_api_key"},
        ),
        migrations.CreateModel(
            name="AuditLog",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("key", models.ForeignKey("acp.ApiKey", on_delete=models.CASCADE)),
                ("action", models.CharField(max_length=100)),
            ],
            options={"db_table": "acp_audit_log"},
        ),
        migrations.AddIndex("auditlog", models.Index(fields=["action"], name="acp_audit_action")),
        migrations.RunSQL(
            "CREATE INDEX acp_key_name ON acp_api_key (name);"
            " INSERT INTO acp_api_key (name) SELECT 'seed-' || email FROM host_customer;",
            reverse_sql="DELETE FROM host_customer",
        ),
    ]
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, check=True)


def _snapshot(db: Path, tables: list[str]) -> dict:
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in tables:
            schema = conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name",
                (table,),
            ).fetchall()
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            out[table] = (schema, rows)
        return out
    finally:
        conn.close()


BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}


@pytest.mark.slow
def test_real_migrate_changes_no_host_table(tmp_path: Path) -> None:
    assert check_migration_module(ACP_MIGRATION, "sqlite") == []
    admin = str(Path(PYTHON).with_name("django-admin"))
    _run([admin, "startproject", "hostsite", "."], tmp_path)
    manage = [PYTHON, "manage.py"]
    _run([*manage, "migrate", "--noinput"], tmp_path)
    db = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE host_customer (id INTEGER PRIMARY KEY, email TEXT);"
        "INSERT INTO host_customer (email) VALUES ('a@x.org'), ('b@x.org');"
    )
    conn.close()
    existing = [
        r[0]
        for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")
    ]
    assert "host_customer" in existing and "auth_user" in existing
    before = _snapshot(db, existing)

    app = tmp_path / "acp"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "migrations" / "0001_initial.py").write_text(ACP_MIGRATION)
    settings = tmp_path / "hostsite" / "settings.py"
    settings.write_text(
        settings.read_text().replace("INSTALLED_APPS = [", 'INSTALLED_APPS = [\n    "acp",')
    )
    _run([*manage, "migrate", "acp", "--noinput"], tmp_path)

    after = _snapshot(db, existing)
    for table in existing:
        schema_before, rows_before = before[table]
        schema_after, rows_after = after[table]
        assert schema_after == schema_before, table
        if table in BOOKKEEPING:
            # migrate records itself and post_migrate adds the new app's content types and
            # permissions: rows are only added, never changed or removed
            assert set(rows_before) <= set(rows_after) or table == "sqlite_sequence", table
        else:
            assert rows_after == rows_before, table
    assert after["host_customer"] == before["host_customer"]
    conn = sqlite3.connect(db)
    seeded = conn.execute("SELECT name FROM acp_api_key ORDER BY name").fetchall()
    applied = conn.execute("SELECT count(*) FROM django_migrations WHERE app = 'acp'").fetchone()
    conn.close()
    assert seeded == [("seed-a@x.org",), ("seed-b@x.org",)]
    assert applied == (1,)
