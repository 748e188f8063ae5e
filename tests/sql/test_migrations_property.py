"""Property: a migration module acp-lint passes changes nothing that existed before.

Hypothesis writes adversarial migration modules (the shapes of issue 10 item 10, and more:
operations built in branches, edits, constants; unmanaged models over host tables; rebound
names; import-time work; patched classes), and real Django applies each one to a SQLite
database holding host tables with rows and an index (``migration_runner.py``). Every module
the linter passes must leave every pre-existing table, index and row as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from acp_lint.hosts.django.django_migrations import check_migration_module

RUNNER = Path(__file__).with_name("migration_runner.py")

ID = '("id", models.AutoField(primary_key=True))'
OPS = {
    "own": f'migrations.CreateModel("Widget", [{ID}, ("name", models.TextField(null=True))])',
    "own_table": f'migrations.CreateModel("Gadget", [{ID}], options={{"db_table": "acp_gadget"}})',
    "unmanaged_default": f'migrations.CreateModel("HostThing", [{ID}, ("name", '
    'models.TextField(null=True))], options={"managed": False})',
    "unmanaged_customer": f'migrations.CreateModel("Customer", [{ID}, ("email", '
    'models.TextField()), ("note", models.TextField(null=True))], '
    'options={"db_table": "host_customer", "managed": False})',
    "manage_thing": 'migrations.AlterModelOptions("hostthing", {"managed": True})',
    "manage_customer": 'migrations.AlterModelOptions("customer", {"managed": True})',
    "remove_note": 'migrations.RemoveField("customer", "note")',
    "alter_name": 'migrations.AlterField("hostthing", "name", models.TextField(default="x"))',
    "delete_thing": 'migrations.DeleteModel("HostThing")',
    "delete_widget": 'migrations.DeleteModel("Widget")',
    "add_widget": 'migrations.AddField("widget", "extra", models.IntegerField(null=True))',
    "add_customer": 'migrations.AddField("customer", "extra", models.IntegerField(null=True))',
    "rename_widget": 'migrations.RenameModel("Widget", "Widget2")',
    "sql_own": "migrations.RunSQL(\"INSERT INTO acp_widget (name) VALUES ('x')\")",
    "sql_own_delete": 'migrations.RunSQL("DELETE FROM acp_widget")',
    "sql_gadget": 'migrations.RunSQL("INSERT INTO acp_gadget (id) VALUES (5)")',
    "sql_thing": 'migrations.RunSQL("DELETE FROM acp_hostthing")',
    "sql_customer": "migrations.RunSQL(\"UPDATE host_customer SET note = 'z'\")",
    "sql_user": 'migrations.RunSQL("DELETE FROM auth_user")',
    "sql_drop_index": 'migrations.RunSQL("DROP INDEX host_customer_email")',
    "sql_new": 'migrations.RunSQL("CREATE TABLE acp_t (id int); INSERT INTO acp_t VALUES (1)")',
    # IF NOT EXISTS over a host table creates nothing: the DELETE after it hits host rows.
    "sql_ine_host": 'migrations.RunSQL("CREATE TABLE IF NOT EXISTS host_customer (id int); '
    'DELETE FROM host_customer")',
    "separate": "migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL("
    '"DELETE FROM auth_group")])',
    "noop": "migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)",
}
SAFE = [
    "own",
    "own_table",
    "add_widget",
    "rename_widget",
    "delete_widget",
    "sql_own",
    "sql_own_delete",
    "sql_gadget",
    "sql_new",
    "noop",
]
# safe steps sixteen times as likely, so that many modules pass and really run
NAMES = SAFE * 16 + sorted(set(OPS) - set(SAFE))
HEAD = "from django.db import connection, migrations, models\n"


def _list(names: list[str]) -> str:
    return "[" + ", ".join(OPS[n] for n in names) + "]"


@st.composite
def modules(draw: st.DrawFn) -> str:
    """One migration module: a shape and the operations it carries."""
    ops = draw(st.lists(st.sampled_from(NAMES), max_size=5))
    more = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3))
    shape = draw(st.sampled_from(SHAPES[:6] * 2 + SHAPES[6:]))
    index = draw(st.integers(-3, 3))
    body = shape(ops, more, index)
    return HEAD + textwrap.dedent(body)


def _plain(ops: list[str], more: list[str], index: int) -> str:
    return f"class Migration(migrations.Migration):\n    operations = {_list(ops + more)}\n"


def _edits(ops: list[str], more: list[str], index: int) -> str:
    lines = [f"    operations = {_list(ops)}"]
    for position, name in enumerate(more):
        kind = ("+=", "append", "extend", "insert")[(position + index) % 4]
        if kind == "+=":
            lines.append(f"    operations += [{OPS[name]}]")
        elif kind == "insert":
            lines.append(f"    operations.insert({index}, {OPS[name]})")
        else:
            argument = f"[{OPS[name]}]" if kind == "extend" else OPS[name]
            lines.append(f"    operations.{kind}({argument})")
    return "class Migration(migrations.Migration):\n" + "\n".join(lines) + "\n"


def _branches(ops: list[str], more: list[str], index: int) -> str:
    test = ('connection.vendor == "sqlite"', 'connection.vendor != "sqlite"')[index % 2]
    return f"""
    class Migration(migrations.Migration):
        operations = {_list(ops)}
        if {test}:
            operations = operations + {_list(more)}
        elif connection.vendor == "mysql":
            operations = []
        else:
            if True:
                operations.append({OPS[more[0]]})
    """


def _try(ops: list[str], more: list[str], index: int) -> str:
    return f"""
    class Migration(migrations.Migration):
        operations = {_list(ops)}
        try:
            import acp_no_such_module_xyz
            operations += {_list(more)}
        except ImportError:
            operations.extend({_list(more[::-1])})
    """


def _constants(ops: list[str], more: list[str], index: int) -> str:
    return f"""
    FIRST = {_list(ops)}
    SECOND = ({", ".join(OPS[n] for n in more)},)

    class Migration(migrations.Migration):
        operations = [*FIRST, *SECOND] if {index} > 0 else FIRST + list(SECOND)
    """


def _constants_plain(ops: list[str], more: list[str], index: int) -> str:
    return f"""
    FIRST = {_list(ops)}

    class Migration(migrations.Migration):
        LATER = {_list(more)}
        operations = FIRST + LATER
    """


def _sql_name(ops: list[str], more: list[str], index: int) -> str:
    edit = (
        'SQL += " DELETE FROM host_customer;"',
        'if connection.vendor == "sqlite":\n    SQL = "DELETE FROM host_customer"',
        "SQLS.append('DELETE FROM host_customer')",
    )[index % 3]
    return f"""
    SQL = "CREATE TABLE acp_s (id int);"
    SQLS = ["CREATE TABLE acp_l (id int)"]
{textwrap.indent(edit, "    ")}

    class Migration(migrations.Migration):
        operations = {_list(ops)} + [migrations.RunSQL(SQL), migrations.RunSQL(SQLS)]
    """


def _rebound(ops: list[str], more: list[str], index: int) -> str:
    where = index % 3
    if where == 0:
        return f"""
        CreateModel = migrations.RunSQL

        class Migration(migrations.Migration):
            operations = {_list(ops)} + [CreateModel("DELETE FROM host_customer")]
        """
    if where == 1:
        return f"""
        class Migration(migrations.Migration):
            CreateModel = migrations.RunSQL
            operations = {_list(ops)} + [CreateModel("DELETE FROM host_customer")]
        """
    return """
    from django.db.migrations import *

    class CreateModel(RunSQL):
        pass

    class Migration(Migration):
        operations = [CreateModel("DELETE FROM host_customer")]
    """


def _patched(ops: list[str], more: list[str], index: int) -> str:
    patch = (
        f"Migration.operations.append({OPS[more[0]]})",
        f"setattr(Migration, 'operations', {_list(more)})",
        f"class Migration(migrations.Migration):\n    operations = {_list(more)}",
        f"Migration = type('Migration', (migrations.Migration,), {{'operations': {_list(more)}}})",
    )[index % 4]
    return f"class Migration(migrations.Migration):\n    operations = {_list(ops)}\n\n{patch}\n"


def _inherited(ops: list[str], more: list[str], index: int) -> str:
    if index % 2:
        return f"""
        class Base(migrations.Migration):
            operations = {_list(more)}

        class Migration(Base):
            pass
        """
    return f"""
    class Migration(migrations.Migration):
        operations = {_list(ops)}

        def __init__(self, name, app_label):
            super().__init__(name, app_label)
            self.operations = self.operations + {_list(more)}
    """


def _import_time(ops: list[str], more: list[str], index: int) -> str:
    return f"""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM host_customer")

    class Migration(migrations.Migration):
        operations = {_list(ops)}
    """


SHAPES = [
    _plain,
    _edits,
    _branches,
    _try,
    _constants,
    _constants_plain,
    _sql_name,
    _rebound,
    _patched,
    _inherited,
    _import_time,
]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen]:
    work = tmp_path_factory.mktemp("oracle")
    proc = subprocess.Popen(
        [sys.executable, str(RUNNER), str(work)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    ready = json.loads(proc.stdout.readline())
    assert "host_customer" in ready["ready"] and "auth_user" in ready["ready"]
    yield proc
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=30)


def _apply(runner: subprocess.Popen, source: str) -> dict:
    assert runner.stdin is not None and runner.stdout is not None
    runner.stdin.write(json.dumps({"source": source}) + "\n")
    return json.loads(runner.stdout.readline())


@pytest.mark.slow
def test_passed_modules_change_nothing_that_existed(runner: subprocess.Popen) -> None:
    seen = {"passed": 0, "passed_and_ran": 0, "flagged_and_changed": 0}

    @settings(
        max_examples=120,
        deadline=None,
        derandomize=True,
        database=None,  # the same examples on every machine: the counts below are stable
        suppress_health_check=[HealthCheck.too_slow],
    )
    # Explicit examples make the test non-vacuous on every machine: one module that passes and
    # really runs, one that is flagged and really changes host rows, whatever is generated.
    @example(HEAD + _plain(["own"], ["sql_own"], 0))
    @example(HEAD + _edits(["own"], ["sql_user"], 0))
    @given(modules())
    def check(source: str) -> None:
        findings = check_migration_module(source, "sqlite", "acp")
        result = _apply(runner, source)
        if findings:
            seen["flagged_and_changed"] += bool(result["changed"])
            return
        seen["passed"] += 1
        seen["passed_and_ran"] += result["error"] is None
        assert result["changed"] == [], (source, result)

    check()
    # the generator is adversarial (some modules really change host data) and not vacuous
    # (some modules pass the linter and really run)
    assert seen["flagged_and_changed"] >= 1, seen
    assert seen["passed_and_ran"] >= 1, seen


def test_oracle_sees_host_changes(runner: subprocess.Popen) -> None:
    """The oracle itself: a destructive module changes a host table, a clean one does not."""
    clean = HEAD + _plain(["own", "sql_own"], ["own_table"], 0)
    assert check_migration_module(clean, "sqlite", "acp") == []
    assert _apply(runner, clean) == {"changed": [], "error": None}
    bad = HEAD + _plain(["unmanaged_customer", "manage_customer"], ["remove_note"], 0)
    assert _apply(runner, bad)["changed"] == ["host_customer"]
    assert [f.code for f in check_migration_module(bad, "sqlite", "acp")] == ["ACP301"]
