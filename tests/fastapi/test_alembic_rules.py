"""ACP301-ACP303 on Alembic revisions: each ``op`` kind, valid and invalid, with positions.

Every case is a complete revision module; ``upgrade()``'s body starts on line 10, indented four
spaces, so an ``op`` call on the first body line is at 10:5. The branch finder is tested on
real directory layouts (``alembic.ini`` with ``script_location`` / ``version_locations``,
``[tool.alembic]`` in ``pyproject.toml``, merges).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from acp_lint.hosts.fastapi.alembic_migrations import (
    acp_revisions,
    check_revision,
    is_acp_revision,
    looks_like_alembic_revision,
    read_header,
    versions_directories,
)

HEAD = """from alembic import op
import sqlalchemy as sa

revision = "acp0001"
down_revision = None
branch_labels = ("acp",)


def upgrade() -> None:
"""
FIRST = 10  # the first line of upgrade()'s body


def revision(body: str, prelude: str = "") -> str:
    return (prelude or HEAD) + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


def found(body: str, dialect: str = "postgres", prelude: str = "") -> list[tuple]:
    """(line, column, code, message) of every diagnostic."""
    text = revision(body, prelude)
    return [
        (d.line, d.column, d.code, d.message)
        for d in check_revision("migrations/versions/acp0001.py", text, dialect)
    ]


def one(body: str, dialect: str = "postgres") -> tuple:
    results = found(body, dialect)
    assert len(results) == 1, results
    return results[0]


# -- allowed ------------------------------------------------------------------------------------

VALID = {
    "with_variant_type": """
        op.create_table(
            "acp_log",
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        )
        op.create_index("ix_acp_log_id", "acp_log", ["id"])
    """,
    "create_table": """
        op.create_table(
            "acp_key",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(100), nullable=False, server_default="x"),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE")),
            sa.Column("created", sa.DateTime, server_default=sa.func.now()),
            sa.Column("flag", sa.Boolean, server_default=sa.text("false")),
            sa.UniqueConstraint("name", name="acp_key_name"),
            sa.CheckConstraint("length(name) > 0"),
            sa.Index("acp_key_user", "user_id"),
            schema="public",
        )
    """,
    "create_index": """
        op.create_table("acp_key", sa.Column("id", sa.Integer), sa.Column("name", sa.Text))
        op.create_index(op.f("ix_acp_key_name"), "acp_key", ["name"], unique=True)
        op.create_index("ix_acp_key_lower", "acp_key", [sa.text("lower(name)")])
    """,
    "add_column": """
        op.create_table("acp_key", sa.Column("id", sa.Integer))
        op.add_column("acp_key", sa.Column("note", sa.Text(), nullable=True))
    """,
    "create_foreign_key": """
        op.create_table("acp_key", sa.Column("id", sa.Integer), sa.Column("user_id", sa.Integer))
        op.create_foreign_key("fk_acp_user", "acp_key", "users", ["user_id"], ["id"])
    """,
    "create_unique_constraint": """
        op.create_table("acp_key", sa.Column("id", sa.Integer))
        op.create_unique_constraint("uq_acp_key_id", "acp_key", ["id"])
    """,
    "create_check_constraint": """
        op.create_table("acp_key", sa.Column("id", sa.Integer))
        op.create_check_constraint("ck_acp_id", "acp_key", "id > 0")
    """,
    "bulk_insert_create_table_result": """
        keys = op.create_table("acp_key", sa.Column("id", sa.Integer))
        op.bulk_insert(keys, [{"id": 1}, {"id": 2}])
    """,
    "bulk_insert_lightweight_table": """
        op.create_table("acp_key", sa.Column("id", sa.Integer))
        op.bulk_insert(sa.table("acp_key", sa.column("id")), [{"id": 1}])
    """,
    "execute_create_only_sql": """
        op.execute("CREATE TABLE acp_log (id int PRIMARY KEY, note text)")
        op.execute(sa.text("CREATE INDEX acp_log_note ON acp_log (note)"))
        op.execute("INSERT INTO acp_log (id, note) VALUES (1, 'x')")
        op.create_index("ix_acp_log_id", "acp_log", ["id"])
    """,
    "execute_after_create_table": """
        op.create_table("acp_key", sa.Column("id", sa.Integer))
        op.execute("INSERT INTO acp_key (id) VALUES (1)")
    """,
    "module_constant_table": """
        op.create_table(TABLE, sa.Column("id", sa.Integer))
        op.create_index("ix", TABLE, ["id"])
    """,
    "dialect_branch": """
        if op.get_bind().dialect.name == "postgresql":
            op.create_table("acp_key", sa.Column("id", sa.BigInteger))
        else:
            op.create_table("acp_key", sa.Column("id", sa.Integer))
        op.create_index("ix_acp_key", "acp_key", ["id"])
    """,
    "bind_dialect_name": """
        bind = op.get_bind()
        if bind.dialect.name == "sqlite":
            op.create_table("acp_key", sa.Column("id", sa.Integer))
    """,
    "literal_loop": """
        for name in ("acp_a", "acp_b"):
            op.create_table(name, sa.Column("id", sa.Integer))
            op.create_index(f"ix_{name}", name, ["id"])
    """,
    "helper_function": """
        _create()
        op.create_index("ix_acp_h", "acp_h", ["id"])
    """,
    "docstring_pass_and_return": '''
        """Create the ACP tables."""
        pass
        op.create_table("acp_key", sa.Column("id", sa.Integer))
        return
    ''',
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_revisions_pass(case: str) -> None:
    prelude = HEAD
    if case == "module_constant_table":
        prelude = HEAD.replace(
            'branch_labels = ("acp",)', 'branch_labels = ("acp",)\nTABLE = "acp_t"'
        )
    if case == "helper_function":
        prelude = HEAD.replace(
            "\n\ndef upgrade",
            '\n\ndef _create() -> None:\n    op.create_table("acp_h", sa.Column("id", sa.Integer))'
            "\n\n\ndef upgrade",
        )
    assert found(VALID[case], prelude=prelude) == []


def test_the_modern_template_header_and_downgrade_are_not_judged() -> None:
    text = '''"""acp tables

Revision ID: acp0001
Revises:
Create Date: 2026-01-01 00:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "acp0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = ("acp",)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("acp_key", sa.Column("id", sa.Integer))


def downgrade() -> None:
    op.drop_table("acp_key")
    op.drop_table("users")
'''
    assert check_revision("v.py", text) == []


# -- ACP301 -------------------------------------------------------------------------------------

DESTRUCTIVE = {
    "drop_table": (
        'op.drop_table("users")',
        (
            FIRST,
            5,
            "ACP301",
            "op.drop_table on table 'users': drops, alters or renames an "
            "existing object; an ACP revision only creates",
        ),
    ),
    "drop_index": (
        'op.drop_index("ix_users_email", table_name="users")',
        (
            FIRST,
            5,
            "ACP301",
            "op.drop_index on table 'users': drops, alters or renames an "
            "existing object; an ACP revision only creates",
        ),
    ),
    "drop_column": (
        'op.drop_column("users", "email")',
        (
            FIRST,
            5,
            "ACP301",
            "op.drop_column on table 'users': drops, alters or renames an "
            "existing object; an ACP revision only creates",
        ),
    ),
    "drop_constraint": (
        'op.drop_constraint("uq_email", "users", type_="unique")',
        (
            FIRST,
            5,
            "ACP301",
            "op.drop_constraint on table 'users': drops, alters or renames "
            "an existing object; an ACP revision only creates",
        ),
    ),
    "alter_column": (
        'op.alter_column("users", "email", nullable=True)',
        (
            FIRST,
            5,
            "ACP301",
            "op.alter_column on table 'users': drops, alters or renames an "
            "existing object; an ACP revision only creates",
        ),
    ),
    "rename_table": (
        'op.rename_table("users", "people")',
        (
            FIRST,
            5,
            "ACP301",
            "op.rename_table on table 'users': drops, alters or renames an "
            "existing object; an ACP revision only creates",
        ),
    ),
    "add_column_host": (
        'op.add_column("users", sa.Column("acp_key", sa.Text))',
        (
            FIRST,
            5,
            "ACP301",
            "op.add_column on table 'users': works on a table this revision did not create",
        ),
    ),
    "create_index_host": (
        'op.create_index("ix_users_name", "users", ["name"])',
        (
            FIRST,
            5,
            "ACP301",
            "op.create_index on table 'users': works on a table this revision did not create",
        ),
    ),
    "create_foreign_key_from_host": (
        'op.create_foreign_key("fk", "users", "acp_key", ["key_id"], ["id"])',
        (
            FIRST,
            5,
            "ACP301",
            "op.create_foreign_key on table 'users': works on a table this revision did not create",
        ),
    ),
    "create_unique_constraint_host": (
        'op.create_unique_constraint("uq", "users", ["email"])',
        (
            FIRST,
            5,
            "ACP301",
            "op.create_unique_constraint on table 'users': works on a table "
            "this revision did not create",
        ),
    ),
    "bulk_insert_host": (
        'op.bulk_insert(sa.table("users", sa.column("id")), [{"id": 1}])',
        (
            FIRST,
            5,
            "ACP301",
            "op.bulk_insert into table 'users': writes rows to a table this "
            "revision did not create",
        ),
    ),
    "execute_delete": (
        'op.execute("DELETE FROM users")',
        (FIRST, 17, "ACP301", "DELETE FROM users: writes a table this migration did not create"),
    ),
}


@pytest.mark.parametrize("case", sorted(DESTRUCTIVE))
def test_destructive_steps_are_acp301(case: str) -> None:
    body, expected = DESTRUCTIVE[case]
    assert found(body) == [expected]


def test_batch_alter_table_is_acp301_even_on_a_new_table() -> None:
    body = """
        op.create_table("acp_key", sa.Column("id", sa.Integer))
        with op.batch_alter_table("acp_key") as batch_op:
            batch_op.add_column(sa.Column("note", sa.Text))
    """
    assert found(body) == [
        (
            FIRST + 1,
            10,
            "ACP301",
            "op.batch_alter_table on table 'acp_key': a batch alters (and on SQLite re-creates) "
            "an existing table; an ACP revision only creates",
        )
    ]


def test_drop_of_an_own_table_is_still_acp301() -> None:
    body = """
        op.create_table("acp_tmp", sa.Column("id", sa.Integer))
        op.drop_table("acp_tmp")
    """
    assert [f[:3] for f in found(body)] == [(FIRST + 1, 5, "ACP301")]


def test_sql_positions_map_into_the_py_file() -> None:
    body = '''
        op.execute(
            """
            CREATE TABLE acp_t (id int);
            UPDATE users SET email = NULL;
            """
        )
    '''
    # the UPDATE starts on the 4th line of the call, after the string's 4+4 spaces of indent
    assert found(body) == [
        (
            FIRST + 3,
            9,
            "ACP301",
            "UPDATE users: writes a table this migration did not create",
        )
    ]


def test_names_compare_by_the_dialect_rules() -> None:
    body = """
        op.create_table("AcpKey", sa.Column("id", sa.Integer))
        op.execute("INSERT INTO AcpKey (id) VALUES (1)")
        op.execute('INSERT INTO "AcpKey" (id) VALUES (1)')
    """
    # PostgreSQL: SQLAlchemy quotes the mixed-case name, unquoted AcpKey is acpkey: a host table
    assert [f[:3] for f in found(body)] == [(FIRST + 1, 17, "ACP301")]
    assert found(body, dialect="sqlite") == []  # SQLite ignores case, quoted or not


def test_if_not_exists_proves_nothing_new() -> None:
    body = """
        op.create_table("users", sa.Column("id", sa.Integer), if_not_exists=True)
        op.execute("DELETE FROM users")
    """
    assert [f[:3] for f in found(body)] == [(FIRST + 1, 17, "ACP301")]


def test_a_table_created_in_one_branch_only_is_not_new_after_the_if() -> None:
    body = """
        if op.get_bind().dialect.name == "postgresql":
            op.create_table("users", sa.Column("id", sa.Integer))
        op.execute("DELETE FROM users")
    """
    assert [f[:3] for f in found(body)] == [(FIRST + 2, 17, "ACP301")]


def test_a_rebound_table_name_is_followed() -> None:
    body = """
        t = op.create_table("acp_t", sa.Column("id", sa.Integer))
        t = sa.table("users", sa.column("id"))
        op.bulk_insert(t, [{"id": 1}])
    """
    assert [f[:3] for f in found(body)] == [(FIRST + 2, 5, "ACP301")]


# -- ACP302 -------------------------------------------------------------------------------------


def test_sql_that_does_not_parse_is_acp302() -> None:
    line, column, code, message = one('op.execute("CREATE TABLE acp_t (id int")')
    assert (line, code) == (FIRST, "ACP302") and column >= 17
    assert "does not parse" in message


# -- ACP303 -------------------------------------------------------------------------------------

UNVERIFIABLE = {
    "get_bind_execute": (
        'op.get_bind().execute(sa.text("DELETE FROM users"))',
        (
            FIRST,
            5,
            "ACP303",
            "op.get_bind(): work through the connection cannot be read "
            "statically, so it cannot be proven CREATE-only",
        ),
    ),
    "get_bind_assigned": (
        "conn = op.get_bind()\nconn.execute(sa.text('DELETE FROM users'))",
        (
            FIRST + 1,
            5,
            "ACP303",
            "op.get_bind(): work through the connection cannot be read "
            "statically, so it cannot be proven CREATE-only",
        ),
    ),
    "reflected_loop": (
        "for name in sa.inspect(op.get_bind()).get_table_names():\n    pass",
        (
            FIRST,
            5,
            "ACP303",
            "a loop over values that cannot be read statically (reflected "
            "tables, a computed list): its steps cannot be proven CREATE-only",
        ),
    ),
    "dynamic_table_name": (
        'op.create_index("ix", "acp_" + suffix(), ["id"])',
        (
            FIRST,
            27,
            "ACP303",
            "the table name of op.create_index cannot be read statically "
            "(a dynamic name), so its effect cannot be proven CREATE-only",
        ),
    ),
    "dynamic_sql": (
        'op.execute(f"DELETE FROM {name}")',
        (
            FIRST,
            16,
            "ACP303",
            "op.execute: the SQL is not a literal string (or sa.text of "
            "one), so it cannot be proven CREATE-only",
        ),
    ),
    "with_variant_on_a_host_object": (
        'op.create_table("acp_t", sa.Column("id", make_type().with_variant(sa.Integer(), "x")))',
        (FIRST, 46, "ACP303", None),
    ),
    "unknown_op": (
        "op.invoke(operation)",
        (FIRST, 5, "ACP303", "op.invoke: not an operation the linter can prove CREATE-only"),
    ),
    "host_function_default": (
        'op.create_table("acp_t", sa.Column("id", sa.Integer, '
        "server_default=sa.text(\"nextval('users_id_seq')\")))",
        (
            FIRST,
            82,
            "ACP303",
            "sa.text: SELECT nextval('users_id_seq'): calls nextval, which "
            "is not a known pure built-in function (it may run host code or advance a host "
            "sequence); cannot be proven CREATE-only",
        ),
    ),
    "host_sequence": (
        'op.create_table("acp_t", sa.Column("id", sa.Integer, sa.Sequence("users_id_seq")))',
        (
            FIRST,
            58,
            "ACP303",
            "sa.Sequence uses a named sequence, perhaps the host's, whose "
            "values it would take; it cannot be proven CREATE-only",
        ),
    ),
    "sa_func_not_builtin": (
        'op.create_table("acp_t", sa.Column("n", sa.Text, server_default=sa.func.host_fn()))',
        (
            FIRST,
            69,
            "ACP303",
            "sa.func.host_fn() calls a database function that is not a known "
            "pure built-in (it may be the host's); it cannot be proven CREATE-only",
        ),
    ),
    "foreign_type": (
        'op.create_table("acp_t", sa.Column("s", postgresql.ENUM(name="host_status", '
        "create_type=False)))",
        (
            FIRST,
            45,
            "ACP303",
            "sa.ENUM(create_type=False) uses a type this revision does not "
            "create; it cannot be proven CREATE-only",
        ),
    ),
    "arbitrary_call": (
        "cleanup_host_tables()",
        (
            FIRST,
            5,
            "ACP303",
            "calls cleanup_host_tables, which may run any code; it cannot be proven CREATE-only",
        ),
    ),
    "try_block": (
        'try:\n    op.create_table("acp_t")\nexcept Exception:\n    pass',
        (
            FIRST,
            5,
            "ACP303",
            "a try statement in upgrade() cannot be read statically, so its "
            "effect cannot be proven CREATE-only",
        ),
    ),
    "with_block": (
        "with open('x') as f:\n    pass",
        (
            FIRST,
            5,
            "ACP303",
            "a with block runs code on entry and exit that cannot be proven CREATE-only",
        ),
    ),
    "do_block": (
        "op.execute(\"DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$\")",
        (FIRST, 17, "ACP303", None),
    ),
}


@pytest.mark.parametrize("case", sorted(UNVERIFIABLE))
def test_unverifiable_steps_are_acp303(case: str) -> None:
    body, expected = UNVERIFIABLE[case]
    prelude = HEAD
    if case == "foreign_type":
        prelude = HEAD.replace(
            "import sqlalchemy as sa",
            "import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql",
        )
    results = found(body, prelude=prelude)
    if prelude != HEAD:  # one more import line moves the body down
        expected = (expected[0] + 1, *expected[1:])
    if expected[3] is None:
        assert [r[:3] for r in results] == [expected[:3]], results
    else:
        assert results == [expected]


def test_module_level_code_is_acp303() -> None:
    text = (
        HEAD.replace(
            "\n\ndef upgrade",
            '\nprint("loading")\n\n\n@decorate\ndef helper():\n    pass\n\n\ndef upgrade',
        )
        + '    op.create_table("acp_t", sa.Column("id", sa.Integer))\n'
    )
    results = [(d.line, d.column, d.code, d.message) for d in check_revision("v.py", text)]
    assert results == [
        (
            8,
            1,
            "ACP303",
            "an expression statement at module level runs when Alembic loads the "
            "revision; it cannot be proven CREATE-only",
        ),
        (
            11,
            2,
            "ACP303",
            "the decorator of helper() runs when Alembic loads the revision; it "
            "cannot be proven CREATE-only",
        ),
    ]


def test_a_revision_without_upgrade_or_with_two_is_acp303() -> None:
    missing = HEAD.replace("def upgrade() -> None:\n", "def downgrade() -> None:\n    pass\n")
    assert [(d.line, d.code) for d in check_revision("v.py", missing)] == [(1, "ACP303")]
    twice = revision('op.create_table("acp_t")') + "\n\ndef upgrade():\n    op.drop_table('x')\n"
    results = check_revision("v.py", twice)
    assert [(d.line, d.code) for d in results] == [(13, "ACP303")]
    assert "more than once" in results[0].message


def test_the_connection_may_only_be_asked_its_dialect() -> None:
    body = """
        bind = op.get_bind()
        sa.Table("users", sa.MetaData(), autoload_with=bind)
        op.execute(bind)
    """
    assert [f[:3] for f in found(body)] == [(FIRST + 1, 52, "ACP303"), (FIRST + 2, 16, "ACP303")]


def test_a_name_bound_to_an_unreadable_value_is_reported_where_used() -> None:
    body = """
        name = compute()  # noqa: ACP303 (a reviewed helper)
        op.drop_table(name)
        op.create_index("ix", name, ["id"])
    """
    results = found(body)
    assert [r[:3] for r in results] == [
        (FIRST, 12, "ACP303"),
        (FIRST + 1, 5, "ACP301"),
        (FIRST + 2, 27, "ACP303"),
    ]
    assert results[2][3] == (
        "name holds the value on line 10 that cannot be read, so this step cannot be proven "
        "CREATE-only"
    )


def test_a_local_name_shadowing_op_is_not_op() -> None:
    body = """
        op = make_ops()
        op.create_table("acp_t", sa.Column("id", sa.Integer))
    """
    assert [f[:3] for f in found(body)] == [(FIRST, 10, "ACP303"), (FIRST + 1, 5, "ACP303")]


def test_suppression_inside_sql_and_statement_lines() -> None:
    body = """
        op.execute(
            "DELETE FROM users -- noqa: ACP301"
        )
        op.execute("UPDATE users SET email = NULL")
    """
    text = revision(body)
    results = check_revision("v.py", text)
    assert [(d.line, d.code) for d in results] == [(FIRST + 3, "ACP301")]
    assert results[0].statement_lines == (FIRST + 3, FIRST + 3)
    assert results[0].name == "destructive-migration" and results[0].path == "v.py"


def test_syntax_error_is_acp000() -> None:
    results = check_revision("v.py", "def upgrade(:\n")
    assert [(d.code, d.line) for d in results] == [("ACP000", 1)]


def test_an_unknown_dialect_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown SQL dialect 'oracle'"):
        check_revision("v.py", revision("pass"), "oracle")


def test_sqlglot_and_libcst_are_imported_only_for_sql() -> None:
    clean = revision('op.create_table("acp_t", sa.Column("id", sa.Integer))')
    script = (
        "import sys\n"
        "from acp_lint.hosts.fastapi.alembic_migrations import check_revision\n"
        f"text = {clean!r}\n"
        "assert check_revision('v.py', text) == []\n"
        "print('sqlglot' in sys.modules, 'libcst' in sys.modules)\n"
        "check_revision('v.py', text + '    op.execute(\"DELETE FROM users\")\\n')\n"
        "print('sqlglot' in sys.modules, 'libcst' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True", "False"]


# -- the ACP branch -----------------------------------------------------------------------------


def _rev(rid: str, down: object, labels: object = None) -> str:
    return (
        f"from alembic import op\n\nrevision = {rid!r}\ndown_revision = {down!r}\n"
        f"branch_labels = {labels!r}\n\n\ndef upgrade():\n    pass\n"
    )


def test_header_and_root_detection() -> None:
    assert looks_like_alembic_revision(_rev("a1", None, ("acp",)))
    assert looks_like_alembic_revision(revision("pass"))
    assert not looks_like_alembic_revision("class Migration:\n    operations = []\n")
    assert not looks_like_alembic_revision("revision = 'x'\n    def upgrade(self): pass\n")
    assert is_acp_revision(_rev("a1", None, ("acp",)))
    assert is_acp_revision(_rev("a1", None, "acp"))
    assert not is_acp_revision(_rev("h1", None, ("host",)))
    assert not is_acp_revision("def (")
    header = read_header(_rev("m1", ("h2", "a2")))
    assert header is not None
    assert header.down_revisions == ("a2", "h2") and header.revision == "m1"


def test_acp_revisions_follow_the_chain_from_alembic_ini(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/db\n")
    versions = tmp_path / "db" / "versions"
    versions.mkdir(parents=True)
    files = {
        "h1.py": _rev("h1", None),
        "h2.py": _rev("h2", "h1"),
        "a1.py": _rev("a1", None, ("acp",)),
        "a2.py": _rev("a2", "a1"),
        "a3.py": _rev("a3", ("a2",)),
        "merge.py": _rev("m1", ("h2", "a3")),
        "after_merge.py": _rev("m2", "m1"),
        "broken.py": "def (",
    }
    for name, text in files.items():
        (versions / name).write_text(text)
    (versions / "__pycache__").mkdir()
    (versions / "__pycache__" / "a9.py").write_text(_rev("a9", "a1"))
    assert versions_directories(tmp_path) == [versions]
    names = [p.name for p in acp_revisions(tmp_path)]
    assert names == ["a1.py", "a2.py", "a3.py", "after_merge.py", "merge.py"]


def test_version_locations_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = migrations\n"
        "version_locations = %(here)s/host_versions %(here)s/acp_versions\n"
    )
    for folder, text in (
        ("host_versions", _rev("h1", None)),
        ("acp_versions", _rev("a1", None, "acp")),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "r.py").write_text(text)
    assert versions_directories(tmp_path) == [tmp_path / "host_versions", tmp_path / "acp_versions"]
    assert acp_revisions(tmp_path) == [tmp_path / "acp_versions" / "r.py"]

    other = tmp_path / "other"
    (other / "alembic" / "versions").mkdir(parents=True)
    (other / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "alembic"\n')
    (other / "alembic" / "versions" / "x.py").write_text(_rev("a1", None, ("acp",)))
    assert acp_revisions(other) == [other / "alembic" / "versions" / "x.py"]
    assert acp_revisions(tmp_path / "nowhere") == []


# -- hostile input ------------------------------------------------------------------------------

SAMPLE = revision(
    """
    keys = op.create_table("acp_key", sa.Column("id", sa.Integer, server_default=sa.text("0")))
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix", "acp_key", ["id"], if_not_exists={[]: 1})
    for name in ("acp_a", "acp_b"):
        op.execute(f"DELETE FROM {name}")
    op.bulk_insert(keys, [{"id": 1}])
    op.execute("CREATE TABLE acp_x (id int); INSERT INTO users VALUES (1)")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("x")
    """
)


# MigrationModule._literal (shared with the Django walker) evaluates a literal with an invalid
# escape, which Python reports with a DeprecationWarning; the mutations insert backslashes.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_truncation_and_mutation_gives_findings_never_a_crash() -> None:
    import random

    rng = random.Random(7)
    texts = [SAMPLE[:end] for end in range(0, len(SAMPLE), 5)]
    for _ in range(150):
        chars = list(SAMPLE)
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(len(chars))
            choice = rng.random()
            if choice < 0.4:
                del chars[position]
            elif choice < 0.8:
                chars.insert(position, rng.choice("()[]{}\"':,.=\n #*\\\x00é"))
            else:
                chars[position] = rng.choice("abcop_ \n")
        texts.append("".join(chars))
    for text in texts:
        results = check_revision("v.py", text)
        line_count = text.count("\n") + 1
        for d in results:
            assert d.code in {"ACP000", "ACP301", "ACP302", "ACP303"}, d
            assert 1 <= d.line <= d.end_line <= line_count + 1 and d.column >= 1, (d, text)


def test_deep_nesting_is_one_acp000() -> None:
    text = revision("op.execute(" + " + ".join(['"x"'] * 3000) + ")")
    results = check_revision("v.py", text)
    assert [(d.code, d.line) for d in results] == [("ACP000", 1)]
    assert "too deeply nested" in results[0].message


def test_crlf_bom_and_non_ascii_keep_character_positions() -> None:
    body = """
        op.create_table("acp_é", sa.Column("é", sa.Text)); op.execute("DELETE FROM users")
    """
    plain = found(body)
    assert [r[:3] for r in plain] == [(FIRST, 68, "ACP301")]
    crlf = revision(body).replace("\n", "\r\n")
    assert [(d.line, d.column) for d in check_revision("v.py", crlf)] == [(FIRST, 68)]


def test_a_literal_that_is_no_value_is_unreadable_not_a_crash() -> None:
    body = 'op.create_table("acp_t", sa.Column("id", sa.Integer), if_not_exists={[]: 1})'
    assert [r[2] for r in found(body)] == ["ACP303"]


def test_types_and_values_from_host_code_are_acp303() -> None:
    prelude = HEAD.replace(
        "import sqlalchemy as sa",
        "import sqlalchemy as sa\nfrom myapp.types import HostJSON\nimport sqlalchemy_utils",
    )
    body = """
        op.create_table("acp_t", sa.Column("doc", HostJSON))
        op.create_table("acp_v", sa.Column("u", sqlalchemy_utils.UUIDType))
        op.create_table("acp_u", sa.Column("doc", sa.JSON), sa.Column("at", sa.DateTime))
    """
    results = found(body, prelude=prelude)
    assert [r[:3] for r in results] == [(FIRST + 2, 47, "ACP303"), (FIRST + 3, 45, "ACP303")]
    assert results[0][3] == (
        "HostJSON comes from myapp.types, not from SQLAlchemy: its code runs when the DDL or "
        "rows are built, so it cannot be proven CREATE-only"
    )
    constant = HEAD.replace("\n\ndef upgrade", "\nKIND = HostJSON\n\n\ndef upgrade").replace(
        "import sqlalchemy as sa", "import sqlalchemy as sa\nfrom myapp.types import HostJSON"
    )
    text = constant + '    op.create_table("acp_t", sa.Column("doc", KIND))\n'
    results = check_revision("v.py", text)
    assert [(d.line, d.column, d.code) for d in results] == [(9, 8, "ACP303")]


def test_statement_lines_are_the_inner_statement_or_the_helper_call() -> None:
    prelude = HEAD.replace(
        "\n\ndef upgrade",
        '\n\ndef _cleanup() -> None:\n    op.execute("DELETE FROM users")\n\n\ndef upgrade',
    )
    body = """
        if op.get_bind().dialect.name == "sqlite":
            op.drop_table(
                "users"
            )
        _cleanup()
    """
    text = revision(body, prelude)
    results = check_revision("v.py", text)
    assert [(d.line, d.code, d.statement_lines) for d in results] == [
        (10, "ACP301", (18, 18)),  # inside the helper: suppressed at the call
        (15, "ACP301", (15, 17)),
    ]


def test_version_path_separators(tmp_path: Path) -> None:
    for name in ("a", "b c"):
        (tmp_path / name).mkdir()
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = m\nversion_locations = a;b c\nversion_path_separator = ;\n"
    )
    assert versions_directories(tmp_path) == [tmp_path / "a", tmp_path / "b c"]
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = m\nversion_locations = a,a\n"
    )
    assert versions_directories(tmp_path) == [tmp_path / "a"]
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = pkg:migrations\n")
    assert versions_directories(tmp_path) == []
    (tmp_path / "alembic.ini").write_text("[alembic\nbroken")
    assert versions_directories(tmp_path) == []


@pytest.mark.parametrize(
    "test",
    [
        'False and op.create_table("users", sa.Column("id", sa.Integer))',
        'True or op.create_table("users", sa.Column("id", sa.Integer))',
        'op.create_table("users", sa.Column("id", sa.Integer)) if False else None',
        '1 > 2 > op.create_table("users", sa.Column("id", sa.Integer))',
    ],
)
def test_a_creation_python_may_skip_proves_nothing(test: str) -> None:
    body = f"""
        if {test}:
            pass
        op.execute("DELETE FROM users")
    """
    assert [f[:3] for f in found(body)] == [(FIRST + 2, 17, "ACP301")]


def test_blocks_of_an_unreadable_construct_are_judged_too() -> None:
    body = """
        try:
            op.create_table("users", sa.Column("id", sa.Integer))
            op.drop_column("users", "email")
        except Exception:
            op.execute("DELETE FROM users")
        with op.batch_alter_table("acp_t") as batch_op:
            batch_op.drop_column("x")
            op.execute("DELETE FROM orders")
        for name in sa.inspect(op.get_bind()).get_table_names():
            op.drop_table(name)
        op.execute("INSERT INTO users (id) VALUES (1)")
    """
    assert [f[:3] for f in found(body)] == [
        (FIRST, 5, "ACP303"),  # the try
        (FIRST + 2, 9, "ACP301"),  # drop_column, whatever the try
        (FIRST + 4, 21, "ACP301"),  # the handler's DELETE
        (FIRST + 5, 10, "ACP301"),  # the batch
        (FIRST + 7, 21, "ACP301"),  # DELETE inside the batch block
        (FIRST + 8, 5, "ACP303"),  # the loop over reflected tables
        (FIRST + 9, 9, "ACP301"),  # drop_table of the loop variable
        (FIRST + 10, 17, "ACP301"),  # the try's create_table proved nothing
    ]
