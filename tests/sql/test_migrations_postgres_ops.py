"""The PostgreSQL-only operations (``django.contrib.postgres.operations``), judged by what
their real classes do: the table of the walker is checked against the installed module
(importable now that psycopg is a test dependency), and each class's verdict follows the SQL
it runs, on PostgreSQL only."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from acp_lint.hosts.django.django_migrations import (
    DJANGO_OPERATIONS,
    EXTENSIONS,
    OWN_MODEL_ONLY,
    VENDOR_SQL,
    check_migration_module,
)

_REAL = """
import inspect, json
import django
from django.conf import settings
settings.configure()
django.setup()
from django.contrib.postgres import operations as pg
from django.db.migrations.operations.base import Operation
out = {}
for name, cls in vars(pg).items():
    if inspect.isclass(cls) and issubclass(cls, Operation) and cls.__module__ == pg.__name__:
        if name.endswith("Mixin") or name == "CollationOperation":
            continue
        source = "".join(inspect.getsource(k) for k in cls.__mro__ if k.__module__ == pg.__name__)
        extension = issubclass(cls, pg.CreateExtension)
        out[name] = {
            "extension": getattr(cls, "name", None) if extension else None,
            "vendor_checked": 'connection.vendor != "postgresql"' in source,
            "sql": [s for s in ("CREATE EXTENSION IF NOT EXISTS", "CREATE COLLATION",
                                "DROP COLLATION") if s in source],
            "model_op": any(k.__name__ in ("AddIndex", "RemoveIndex", "AddConstraint")
                            for k in cls.__mro__) or "model_name" in
                            inspect.signature(cls.__init__).parameters,
        }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def real() -> dict:
    import json

    proc = subprocess.run([sys.executable, "-c", _REAL], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def test_table_matches_the_real_module(real: dict) -> None:
    ours = {n for n, m in DJANGO_OPERATIONS.items() if m == "django.contrib.postgres.operations"}
    assert ours == set(real)
    for name, facts in real.items():
        if facts["extension"] is not None and name != "CreateExtension":
            assert EXTENSIONS[name] == facts["extension"], name
        if facts["sql"]:  # SQL of its own, on PostgreSQL only
            assert name in VENDOR_SQL and facts["vendor_checked"], name
        else:  # works on a model: allowed on the migration's own models only
            assert facts["model_op"] and name in OWN_MODEL_ONLY, name


HEAD = "from django.contrib.postgres import operations as pg\nfrom django.db import migrations\n"


def _codes(ops: str, dialect: str) -> list[str]:
    source = HEAD + textwrap.dedent(
        f"""
        class Migration(migrations.Migration):
            operations = [
                migrations.CreateModel("Own", []),
                {ops},
            ]
        """
    )
    return [f.code for f in check_migration_module(source, dialect, "acp")]


@pytest.mark.parametrize(
    ("op", "postgres"),
    [
        ("pg.CreateExtension('hstore')", ["ACP303"]),
        ("pg.TrigramExtension()", ["ACP303"]),
        ("pg.BtreeGinExtension()", ["ACP303"]),
        ("pg.CreateCollation('c', locale='und')", ["ACP303"]),
        ("pg.RemoveCollation('c', locale='und')", ["ACP301"]),
        ("pg.AddIndexConcurrently('own', None)", []),
        ("pg.AddIndexConcurrently('hostmodel', None)", ["ACP301"]),
        ("pg.RemoveIndexConcurrently('own', 'i')", []),
        ("pg.AddConstraintNotValid('own', None)", []),
        ("pg.ValidateConstraint('hostmodel', 'c')", ["ACP301"]),
    ],
)
def test_verdicts(op: str, postgres: list[str]) -> None:
    assert _codes(op, "postgres") == postgres
    # the SQL-running classes return at once on another vendor: nothing runs there
    expected_elsewhere = [] if op.split("(")[0].split(".")[1] in VENDOR_SQL else postgres
    assert _codes(op, "sqlite") == expected_elsewhere
