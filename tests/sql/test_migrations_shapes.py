"""Every operation Django would run is read, and the module's shape is allow-listed.

Each case is a small migration module of our own (DESIGN §2.4, issue 10 items 1 and 10): the
operations built after the class-body literal, in ``if``/``try`` branches, through names and
concatenations; and the shapes that used to slip through (a second ``Migration``, ``type()``,
patching, rebound operation names, import-time database work, mutated SQL names).
"""

from __future__ import annotations

import textwrap

import pytest

from acp_lint.hosts.django.django_migrations import check_migration_module, list_operations

HEAD = "from django.db import connection, migrations, models\n\n"
OWN = 'migrations.CreateModel("Own", [("id", models.AutoField(primary_key=True))])'
DROP = 'migrations.RunSQL("DROP TABLE auth_user")'


def findings(body: str, label: str | None = "acp") -> list[tuple[int, str, str]]:
    source = HEAD + textwrap.dedent(body)
    return [(f.line, f.code, f.message) for f in check_migration_module(source, "sqlite", label)]


def codes(body: str, label: str | None = "acp") -> list[tuple[int, str]]:
    return [(line, code) for line, code, _ in findings(body, label)]


# -- operations built after the literal ------------------------------------------------------


def test_plain_literal_is_clean() -> None:
    assert codes(f"class Migration(migrations.Migration):\n    operations = [{OWN}]\n") == []


@pytest.mark.parametrize(
    "edit",
    [
        f"operations += [{DROP}]",
        f"operations.append({DROP})",
        f"operations.extend([{DROP}])",
        f"operations.insert(0, {DROP})",
        f"operations = operations + [{DROP}]",
        f"operations = [*operations, {DROP}]",
    ],
)
def test_edits_after_the_literal_are_judged(edit: str) -> None:
    body = f"class Migration(migrations.Migration):\n    operations = [{OWN}]\n    {edit}\n"
    assert codes(body) == [(5, "ACP301")]


def test_insert_order_matters() -> None:
    # the AddField lands before the CreateModel: it alters a model that does not exist yet
    add = 'migrations.AddField("own", "x", models.IntegerField(null=True))'
    body = (
        f"class Migration(migrations.Migration):\n    operations = [{OWN}]\n"
        f"    operations.insert(0, {add})\n"
    )
    assert codes(body) == [(5, "ACP301")]
    appended = body.replace("operations.insert(0, ", "operations.append(")
    assert codes(appended) == []


def test_every_branch_is_judged() -> None:
    body = f"""
    class Migration(migrations.Migration):
        if connection.vendor == "postgresql":
            operations = [{OWN}]
        elif connection.vendor == "mysql":
            operations = [{OWN}]
            if connection.mysql_is_mariadb:
                operations.append({DROP})
        else:
            operations = []
    """
    assert codes(body) == [(10, "ACP301")]


def test_if_without_else_forks_too() -> None:
    add = 'migrations.AddField("own", "x", models.IntegerField(null=True))'
    body = f"""
    class Migration(migrations.Migration):
        operations = [{add}]
        if connection.vendor == "sqlite":
            operations.insert(0, {OWN})
    """
    # without the branch, the AddField alters a model this file did not create
    assert codes(body) == [(5, "ACP301")]


def test_try_branches_and_partial_try_bodies() -> None:
    body = f"""
    class Migration(migrations.Migration):
        operations = [{OWN}]
        try:
            from django.contrib.postgres.operations import CreateExtension
            operations.append(migrations.RunSQL("CREATE TABLE acp_a (id int)"))
        except ImportError:
            operations.append({DROP})
        finally:
            operations.append(migrations.RunSQL("DELETE FROM acp_own"))
    """
    assert codes(body) == [(10, "ACP301")]


def test_names_and_concatenations_resolve() -> None:
    body = f"""
    BASE = [{OWN}]
    EXTRA = (migrations.RunSQL("INSERT INTO acp_own (id) VALUES (1)"),)

    class Migration(migrations.Migration):
        LOCAL = [migrations.AddField("own", "x", models.IntegerField(null=True))]
        operations = BASE + list(EXTRA) if False else [*BASE, *EXTRA, *LOCAL]
    """
    # the conditional expression is not static: one ACP303 at the statement
    assert codes(body) == [(9, "ACP303")]
    resolved = body.replace("BASE + list(EXTRA) if False else ", "")
    assert codes(resolved) == []
    assert [op.name for op in list_operations(HEAD + textwrap.dedent(resolved))] == [
        "CreateModel",
        "RunSQL",
        "AddField",
    ]
    bad = resolved.replace("VALUES (1)", "VALUES (1); DELETE FROM auth_user")
    assert codes(bad) == [(5, "ACP301")]


@pytest.mark.parametrize(
    "edit",
    [
        "operations = build()",
        "operations.extend(more())",
        "operations.insert(position, migrations.RunSQL('SELECT 1'))",
        "operations.remove(operations[0])",
        "operations.pop()",
        "operations[0] = migrations.RunSQL('SELECT 1')",
        "operations = ops = []",
        "operations *= 2",
    ],
)
def test_unreadable_edits_are_one_acp303_there(edit: str) -> None:
    body = f"class Migration(migrations.Migration):\n    operations = [{OWN}]\n    {edit}\n"
    assert [(line, code) for line, code, _ in findings(body)][:1] == [(5, "ACP303")]
    assert all(line == 5 for line, _, _ in findings(body))


# -- the module's shape (issue 10, item 10) ----------------------------------------------------

SHAPES = {
    "import-time cursor": (
        f"""
        with connection.cursor() as c:
            c.execute("DELETE FROM auth_user")

        class Migration(migrations.Migration):
            operations = [{OWN}]
        """,
        "with statement",
    ),
    "module-level loop": (
        f"""
        for name in ["a"]:
            pass

        class Migration(migrations.Migration):
            operations = [{OWN}]
        """,
        "for loop",
    ),
    "patched after the class": (
        f"""
        class Migration(migrations.Migration):
            operations = [{OWN}]

        Migration.operations.append({DROP})
        """,
        "Migration.operations.append",
    ),
    "second Migration": (
        f"""
        class Migration(migrations.Migration):
            operations = [{OWN}]

        class Migration(migrations.Migration):
            operations = [{DROP}]
        """,
        "second class Migration",
    ),
    "type()": (
        f"""
        Migration = type("Migration", (migrations.Migration,), {{"operations": [{DROP}]}})
        """,
        "Migration is bound by an assignment",
    ),
    "inherited operations": (
        f"""
        class Base(migrations.Migration):
            operations = [{DROP}]

        class Migration(Base):
            pass
        """,
        "does not inherit directly",
    ),
    "__init__": (
        f"""
        class Migration(migrations.Migration):
            operations = [{OWN}]

            def __init__(self, name, app_label):
                super().__init__(name, app_label)
                self.operations = [{DROP}]
        """,
        "method __init__()",
    ),
    "setattr": (
        f"""
        class Migration(migrations.Migration):
            operations = [{OWN}]

        setattr(Migration, "operations", [{DROP}])
        """,
        "setattr",
    ),
    "rebound operation name": (
        """
        CreateModel = migrations.RunSQL

        class Migration(migrations.Migration):
            operations = [CreateModel("DROP TABLE auth_user")]
        """,
        "not a known Django operation",
    ),
    "rebound in the class body": (
        """
        class Migration(migrations.Migration):
            CreateModel = migrations.RunSQL
            operations = [CreateModel("DROP TABLE auth_user")]
        """,
        "not a known Django operation",
    ),
    "shadowed after star import": (
        """
        from django.db.migrations import *

        class CreateModel(RunSQL):
            pass

        class Migration(Migration):
            operations = [CreateModel("DROP TABLE auth_user")]
        """,
        "class CreateModel at module level",
    ),
    "augmented SQL name": (
        """
        SQL = "CREATE TABLE acp_t (id int);"
        SQL += " DROP TABLE auth_user;"

        class Migration(migrations.Migration):
            operations = [migrations.RunSQL(SQL)]
        """,
        "augmented assignment",
    ),
    "SQL reassigned under if": (
        """
        SQL = "CREATE TABLE acp_t (id int);"
        if connection.vendor == "sqlite":
            SQL = "DROP TABLE auth_user"

        class Migration(migrations.Migration):
            operations = [migrations.RunSQL(SQL)]
        """,
        "if statement",
    ),
    "appended SQL list": (
        """
        SQL = ["CREATE TABLE acp_t (id int)"]
        SQL.append("DROP TABLE auth_user")

        class Migration(migrations.Migration):
            operations = [migrations.RunSQL(SQL)]
        """,
        "SQL.append",
    ),
    "class-level SQL reassigned": (
        """
        class Migration(migrations.Migration):
            SQL = "CREATE TABLE acp_t (id int)"
            if connection.vendor == "sqlite":
                SQL = "DROP TABLE auth_user"
            operations = [migrations.RunSQL(SQL)]
        """,
        "bound more than once",
    ),
    "Migration imported from elsewhere": (
        """
        from myapp.evil import Migration
        """,
        "Migration is imported",
    ),
    "foreign star import": (
        f"""
        from myapp.ops import *

        class Migration(migrations.Migration):
            operations = [{OWN}]
        """,
        "star import from myapp.ops",
    ),
    "work in a field argument": (
        """
        class Migration(migrations.Migration):
            operations = [
                migrations.CreateModel(
                    "Own",
                    [("n", models.IntegerField(default=connection.cursor().execute("x")))],
                )
            ]
        """,
        "call connection.cursor().execute",
    ),
    "helper used as a default": (
        """
        def wipe():
            return 0

        class Migration(migrations.Migration):
            operations = [
                migrations.CreateModel("Own", [("id", models.AutoField(primary_key=True))]),
                migrations.AddField("own", "n", models.IntegerField(default=wipe)),
            ]
        """,
        "helper function wipe is used outside RunPython",
    ),
    "decorated helper": (
        f"""
        @connection.execute_wrapper
        def forwards(apps, schema_editor):
            pass

        class Migration(migrations.Migration):
            operations = [{OWN}]
        """,
        "decorator on forwards",
    ),
    "module __getattr__": (
        f"""
        def __getattr__(name):
            return None

        class Migration(migrations.Migration):
            operations = [{OWN}]
        """,
        "module-level __getattr__",
    ),
    "operations imported in the class": (
        f"""
        class Migration(migrations.Migration):
            operations = [{OWN}]
            from myapp.more import operations
        """,
        "an import in class Migration binds operations",
    ),
    "operations bound by a walrus": (
        f"""
        class Migration(migrations.Migration):
            dependencies = [(operations := [{DROP}])]
        """,
        "assignment expression",
    ),
    "operations bound by except as": (
        f"""
        class Migration(migrations.Migration):
            operations = [{OWN}]
            try:
                pass
            except Exception as operations:
                pass
        """,
        "except ... as operations",
    ),
    "metaclass": (
        f"""
        class Migration(migrations.Migration, metaclass=type):
            operations = [{OWN}]
        """,
        "keyword",
    ),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_outside_the_allow_list_is_acp303(name: str) -> None:
    body, construct = SHAPES[name]
    found = findings(body)
    assert found, name
    assert any(code == "ACP303" and construct in message for _, code, message in found), found


def test_allowed_shape_passes() -> None:
    body = f'''
    """Docstring."""
    import datetime
    from decimal import Decimal

    CREATE = "CREATE TABLE acp_t (id int);"
    SEED = CREATE + " INSERT INTO acp_t VALUES (1);"
    LIMIT: int = 3


    def forwards(apps, schema_editor, limit=LIMIT):
        schema_editor.execute("anything: RunPython is ACP303 on its own")


    class Migration(migrations.Migration):
        """Docstring."""

        initial = True
        atomic = True
        dependencies = [migrations.swappable_dependency("auth.User")]
        operations = [
            {OWN},
            migrations.AddField(
                "own", "d", models.DecimalField(default=Decimal("0"), max_digits=5,
                decimal_places=2),
            ),
            migrations.AddField(
                "own", "t", models.DateTimeField(default=datetime.datetime(2020, 1, 1)),
            ),
            migrations.RunSQL(SEED, reverse_sql=migrations.RunSQL.noop),
            migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
        ]
    '''
    assert codes(body) == []
    with_helper = body.replace(
        "migrations.RunPython(migrations.RunPython.noop,", "migrations.RunPython(forwards,"
    )
    assert [code for _, code in codes(with_helper)] == ["ACP303"]  # RunPython itself only


# -- CreateModel's table and unmanaged models (issue 10, items 4 and 11) ----------------------


def test_default_table_is_new() -> None:
    body = """
    class Migration(migrations.Migration):
        operations = [
            migrations.CreateModel("ApiKey", [("id", models.AutoField(primary_key=True))]),
            migrations.RunSQL("INSERT INTO shop_apikey (id) VALUES (1)"),
        ]
    """
    assert codes(body, "shop") == []
    assert codes(body, "other") == [(7, "ACP301")]
    assert codes(body, None) == [(7, "ACP301")]  # label unknown: fail closed


def test_rename_model_moves_the_default_table() -> None:
    body = """
    class Migration(migrations.Migration):
        operations = [
            migrations.CreateModel("A", [("id", models.AutoField(primary_key=True))]),
            migrations.RenameModel("A", "B"),
            migrations.RunSQL("INSERT INTO shop_b (id) VALUES (1)"),
            migrations.RunSQL("DELETE FROM shop_a"),
        ]
    """
    assert codes(body, "shop") == [(9, "ACP301")]


@pytest.mark.parametrize(
    "later",
    [
        'migrations.RunSQL("DELETE FROM auth_user")',
        'migrations.RemoveField("hostuser", "email")',
        'migrations.AlterField("hostuser", "email", models.TextField())',
        'migrations.DeleteModel("HostUser")',
        'migrations.AddField("hostuser", "x", models.IntegerField(null=True))',
    ],
)
@pytest.mark.parametrize("option", ['"managed": False', '"proxy": True'])
def test_unmanaged_model_creates_nothing(later: str, option: str) -> None:
    body = f"""
    class Migration(migrations.Migration):
        operations = [
            migrations.CreateModel(
                "HostUser",
                [("id", models.AutoField(primary_key=True))],
                options={{"db_table": "auth_user", {option}}},
            ),
            migrations.AlterModelOptions("hostuser", {{"managed": True}}),
            {later},
        ]
    """
    assert codes(body) == [(12, "ACP301")]


def test_options_that_cannot_be_read() -> None:
    body = """
    OPTIONS = {"db_table": "acp_t", "managed": connection.vendor == "sqlite"}

    class Migration(migrations.Migration):
        operations = [migrations.CreateModel("T", [], options=OPTIONS)]
    """
    assert ("ACP303" in [code for _, code in codes(body)]) is True
