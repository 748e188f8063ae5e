"""Alembic is the oracle: every ACP revision the linter passes leaves every host object alone.

Revisions are generated from a seed, mixing steps the contract allows (``op.create_table``, then
indexes, columns, rows and ``op.execute`` CREATE/INSERT on those tables), traps that look
allowed (``create_table`` of a host name, ``if_not_exists=True``, another case of a host name)
and forbidden steps (drops, alters, renames, batches, writes to host tables, ``get_bind()`` work,
loops over reflected tables, dynamic names). Each runs under the real ``alembic upgrade heads``
(:mod:`alembic_oracle`) on a fresh copy of a SQLite database with host tables and rows; the
snapshot before and after decides the truth. Non-vacuity: the passed revisions really ran (their
revision id is in ``alembic_version``), and for each forbidden kind an explicit example is both
refused and really changes a host object.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic_oracle import HOST_TABLES, AlembicHost, Outcome, revision_text

from acp_lint.hosts.fastapi.alembic_migrations import check_revision

SEED = 20261201
GENERATED = 80


@pytest.fixture(scope="module")
def host() -> AlembicHost:
    root = Path(tempfile.mkdtemp(prefix="acp-alembic-"))
    try:
        yield AlembicHost(root / "env")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def codes(text: str) -> list[str]:
    return sorted({d.code for d in check_revision("versions/acp.py", text, "sqlite")})


# -- the generator ------------------------------------------------------------------------------


class Revision:
    """Builds one ``upgrade()`` body step by step, remembering the tables it created."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.own: list[str] = []
        self.vars: dict[str, str] = {}
        self.lines: list[str] = []
        self.kinds: list[str] = []
        self.count = 0

    def fresh(self, prefix: str = "acp_t") -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def own_table(self) -> str | None:
        return self.rng.choice(self.own) if self.own else None

    def add(self, kind: str, *lines: str) -> None:
        self.kinds.append(kind)
        self.lines.extend("    " + line for line in lines)

    def body(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def _create_table(r: Revision) -> None:
    name = r.fresh()
    fk = ', sa.ForeignKey("host_user.id")' if r.rng.random() < 0.3 else ""
    default = r.rng.choice(["", ', server_default="n"', ", server_default=sa.text(\"'n'\")"])
    var = f"v_{name}"
    r.add(
        "create_table",
        f'{var} = op.create_table("{name}", sa.Column("id", sa.Integer, primary_key=True), '
        f'sa.Column("note", sa.String(50){default}), sa.Column("user_id", sa.Integer{fk}))',
    )
    r.own.append(name)
    r.vars[name] = var


def _create_index_own(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add("create_index", f'op.create_index("{r.fresh("ix_")}", "{table}", ["note"])')


def _add_column_own(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add("add_column", f'op.add_column("{table}", sa.Column("{r.fresh("c")}", sa.Integer))')


def _bulk_insert_own(r: Revision) -> None:
    table = r.own_table()
    if not table:
        return
    row = f'[{{"id": {r.rng.randint(1, 3)}, "note": "b"}}]'
    if table in r.vars and r.rng.random() < 0.5:
        r.add("bulk_insert", f"op.bulk_insert({r.vars[table]}, {row})")
    else:
        r.add(
            "bulk_insert",
            f'op.bulk_insert(sa.table("{table}", sa.column("id"), sa.column("note")), {row})',
        )


def _execute_insert_own(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add(
            "execute_insert",
            f"op.execute(\"INSERT INTO {table} (id, note) VALUES ({r.rng.randint(4, 9)}, 'e')\")",
        )


def _execute_create(r: Revision) -> None:
    name = r.fresh("acp_s")
    r.add(
        "execute_create", f'op.execute("CREATE TABLE {name} (id INTEGER PRIMARY KEY, note TEXT)")'
    )
    r.own.append(name)


def _execute_index_own(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add("execute_index", f'op.execute("CREATE INDEX {r.fresh("acp_ix")} ON {table} (id)")')


def _unique_own(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add("unique", f'op.create_unique_constraint("{r.fresh("uq")}", "{table}", ["note"])')


def _dialect_branch(r: Revision) -> None:
    name = r.fresh()
    r.add(
        "if_dialect",
        'if op.get_bind().dialect.name == "sqlite":',
        f'    op.create_table("{name}", sa.Column("id", sa.Integer), sa.Column("note", sa.Text))',
        "else:",
        f'    op.create_table("{name}", sa.Column("id", sa.BigInteger), '
        'sa.Column("note", sa.Text))',
    )
    r.own.append(name)


def _bind_dialect_branch(r: Revision) -> None:
    name = r.fresh()
    r.add(
        "bind_dialect",
        "bind = op.get_bind()",
        'if bind.dialect.name in ("sqlite", "postgresql"):',
        f'    op.create_table("{name}", sa.Column("id", sa.Integer), sa.Column("note", sa.Text))',
    )
    r.own.append(name)


def _literal_loop(r: Revision) -> None:
    names = [r.fresh("acp_l"), r.fresh("acp_l")]
    r.add(
        "for_literal",
        f"for name in {tuple(names)!r}:",
        '    op.create_table(name, sa.Column("id", sa.Integer), sa.Column("note", sa.Text))',
    )
    r.own.extend(names)


def _create_as_select(r: Revision) -> None:
    name = r.fresh("acp_copy")
    r.add(
        "create_as_select",
        f'op.execute("CREATE TABLE {name} AS SELECT id, email AS note FROM host_user")',
    )
    r.own.append(name)


def _insert_select_own(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add(
            "insert_select",
            f'op.execute("INSERT INTO {table} (id, note) SELECT id + 100, email FROM host_user")',
        )


def _index_name_of_host(r: Revision) -> None:
    table = r.own_table()
    if table:
        flag = r.rng.choice(["", ", if_not_exists=True"])
        r.add("index_host_name", f'op.create_index("host_order_user", "{table}", ["id"]{flag})')


def _host(r: Revision) -> str:
    return r.rng.choice(HOST_TABLES)


# traps: look like creation, but the table may be the host's
def _create_host_name(r: Revision) -> None:
    name = r.rng.choice(["host_user", "HOST_USER", "Host_Order", "acp_hostthing"])
    r.add("create_host_name", f'op.create_table("{name}", sa.Column("id", sa.Integer))')
    r.own.append(name)  # the generator believes it; Alembic stops at the failure


def _if_not_exists_then_write(r: Revision) -> None:
    table = _host(r)
    r.add(
        "if_not_exists_write",
        f'op.create_table("{table}", sa.Column("id", sa.Integer), if_not_exists=True)',
        f'op.execute("DELETE FROM {table}")',
    )


def _sql_if_not_exists_then_write(r: Revision) -> None:
    r.add(
        "sql_if_not_exists_write",
        'op.execute("CREATE TABLE IF NOT EXISTS host_user (id INTEGER, email TEXT)")',
        "op.execute(\"INSERT INTO host_user (id, email) VALUES (77, 'z@x.org')\")",
    )


# forbidden: on host tables, or never allowed
def _drop_table(r: Revision) -> None:
    r.add("drop_table", f'op.drop_table("{r.rng.choice(["acp_hostthing", "host_order"])}")')


def _drop_index(r: Revision) -> None:
    r.add("drop_index", 'op.drop_index("host_order_user", table_name="host_order")')


def _drop_column(r: Revision) -> None:
    r.add("drop_column", 'op.drop_column("host_user", "name")')


def _alter_column(r: Revision) -> None:
    r.add("alter_column", 'op.alter_column("host_user", "name", new_column_name="nick")')


def _rename_table(r: Revision) -> None:
    r.add("rename_table", f'op.rename_table("acp_hostthing", "{r.fresh("acp_renamed")}")')


def _batch(r: Revision) -> None:
    r.add(
        "batch_alter_table",
        'with op.batch_alter_table("host_user") as batch_op:',
        '    batch_op.drop_column("name")',
    )


def _add_column_host(r: Revision) -> None:
    r.add("add_column_host", f'op.add_column("{_host(r)}", sa.Column("{r.fresh("c")}", sa.Text))')


def _index_host(r: Revision) -> None:
    r.add("create_index_host", f'op.create_index("{r.fresh("ix_")}", "{_host(r)}", ["id"])')


def _execute_host(r: Revision) -> None:
    statement = r.rng.choice(
        [
            f"DELETE FROM {_host(r)}",
            "UPDATE host_user SET name = 'x'",
            "DROP TABLE acp_hostthing",
            "delete from HOST_ORDER",
            "INSERT INTO acp_hostthing (id, name) VALUES (5, 'n')",
        ]
    )
    r.add("execute_host", f'op.execute("{statement}")')


def _bulk_insert_host(r: Revision) -> None:
    r.add(
        "bulk_insert_host",
        'op.bulk_insert(sa.table("acp_hostthing", sa.column("id"), sa.column("name")), '
        f'[{{"id": {r.rng.randint(10, 99)}, "name": "n"}}])',
    )


def _get_bind(r: Revision) -> None:
    r.add("get_bind", 'op.get_bind().execute(sa.text("DELETE FROM host_order"))')


def _reflected_loop(r: Revision) -> None:
    r.add(
        "reflected_loop",
        "for name in sa.inspect(op.get_bind()).get_table_names():",
        '    if name.startswith("acp_"):',
        '        op.execute(f"DELETE FROM {name}")',
    )


def _dynamic_name(r: Revision) -> None:
    r.add(
        "dynamic_name",
        'name = "".join(["host_", "user"])',
        "op.execute(f\"UPDATE {name} SET email = email || '.x'\")",
    )


def _branch_only_then_write(r: Revision) -> None:
    table = _host(r)
    r.add(
        "branch_only_create",
        'if op.get_bind().dialect.name == "mssql":',
        f'    op.create_table("{table}", sa.Column("id", sa.Integer))',
        f'op.execute("DELETE FROM {table}")',
    )


def _trigger(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add(
            "trigger",
            f'op.execute("CREATE TRIGGER {r.fresh("acp_tr")} AFTER INSERT ON {table} '
            'BEGIN DELETE FROM host_order; END")',
            f"op.execute(\"INSERT INTO {table} (id, note) VALUES (50, 't')\")",
        )


def _rebound_table(r: Revision) -> None:
    table = r.own_table()
    if table and table in r.vars:
        var = r.vars[table]
        r.add(
            "rebound_table",
            f'{var} = sa.table("host_user", sa.column("id"), sa.column("email"))',
            f'op.bulk_insert({var}, [{{"id": 60, "email": "r@x.org"}}])',
        )
        del r.vars[table]


def _drop_own(r: Revision) -> None:
    table = r.own_table()
    if table:
        r.add("drop_own", f'op.drop_table("{table}")')
        r.own.remove(table)


ALLOWED: list[Callable[[Revision], None]] = [
    _create_table,
    _create_table,
    _create_index_own,
    _add_column_own,
    _bulk_insert_own,
    _execute_insert_own,
    _execute_create,
    _execute_index_own,
    _unique_own,
    _dialect_branch,
    _bind_dialect_branch,
    _literal_loop,
    _create_as_select,
    _insert_select_own,
    _index_name_of_host,
]
RISKY: list[Callable[[Revision], None]] = [
    _create_host_name,
    _if_not_exists_then_write,
    _sql_if_not_exists_then_write,
    _drop_table,
    _drop_index,
    _drop_column,
    _alter_column,
    _rename_table,
    _batch,
    _add_column_host,
    _index_host,
    _execute_host,
    _bulk_insert_host,
    _get_bind,
    _reflected_loop,
    _dynamic_name,
    _drop_own,
    _branch_only_then_write,
    _trigger,
    _rebound_table,
]


def generate(rng: random.Random) -> Revision:
    revision = Revision(rng)
    for _ in range(rng.randint(1, 5)):
        step = rng.choice(RISKY if rng.random() < 0.25 else ALLOWED)
        step(revision)
    return revision


# -- the tests ----------------------------------------------------------------------------------


def test_generated_revisions_that_pass_change_no_host_object(host: AlembicHost) -> None:
    rng = random.Random(SEED)
    passed = refused = refused_changed = applied = 0
    kinds_refused_changed: Counter[str] = Counter()
    wrong: list[tuple[str, Outcome]] = []
    for number in range(GENERATED):
        revision = generate(rng)
        text = revision_text(number, revision.body())
        found = codes(text)
        outcome = host.upgrade(text)
        if not found:
            passed += 1
            applied += outcome.applied
            if outcome.changed:
                wrong.append((text, outcome))
        else:
            refused += 1
            if outcome.changed:
                refused_changed += 1
                kinds_refused_changed.update(set(revision.kinds))
    print(
        f"\nalembic oracle: {GENERATED} revisions, {passed} passed ({applied} applied in full), "
        f"{refused} refused, of which {refused_changed} really changed a host object; "
        f"kinds in those: {dict(sorted(kinds_refused_changed.items()))}"
    )
    assert not wrong, wrong[0]
    # non-vacuity: both verdicts are common, passes really ran, refusals really mattered
    assert passed >= GENERATED // 4 and refused >= GENERATED // 4, (passed, refused)
    assert applied >= passed // 2, (applied, passed)
    assert refused_changed >= refused // 3, (refused_changed, refused)


#: One revision per forbidden kind: (upgrade body, code the linter must report).
FORBIDDEN = {
    "drop_table": ('    op.drop_table("acp_hostthing")\n', "ACP301"),
    "drop_index": ('    op.drop_index("host_order_user", table_name="host_order")\n', "ACP301"),
    "drop_column": ('    op.drop_column("host_user", "name")\n', "ACP301"),
    "alter_column": (
        '    op.alter_column("host_user", "name", new_column_name="nick")\n',
        "ACP301",
    ),
    "rename_table": ('    op.rename_table("acp_hostthing", "acp_other")\n', "ACP301"),
    "batch_alter_table": (
        '    with op.batch_alter_table("host_user") as batch_op:\n'
        '        batch_op.drop_column("name")\n',
        "ACP301",
    ),
    "add_column_host": ('    op.add_column("host_order", sa.Column("acp_x", sa.Text))\n', "ACP301"),
    "create_index_host": ('    op.create_index("acp_ix", "host_user", ["name"])\n', "ACP301"),
    "bulk_insert_host": (
        '    op.bulk_insert(sa.table("host_user", sa.column("id"), sa.column("email")),\n'
        '                   [{"id": 9, "email": "n@x.org"}])\n',
        "ACP301",
    ),
    "execute_delete": ('    op.execute("DELETE FROM host_order")\n', "ACP301"),
    "execute_update_case": ("    op.execute(\"update HOST_USER set name = 'x'\")\n", "ACP301"),
    "execute_drop": ('    op.execute(sa.text("DROP TABLE acp_hostthing"))\n', "ACP301"),
    "if_not_exists_then_write": (
        '    op.create_table("host_order", sa.Column("id", sa.Integer), if_not_exists=True)\n'
        '    op.execute("DELETE FROM host_order")\n',
        "ACP301",
    ),
    "sql_if_not_exists_then_write": (
        '    op.execute("CREATE TABLE IF NOT EXISTS acp_hostthing (id INTEGER)")\n'
        '    op.create_index("acp_ix2", "acp_hostthing", ["name"])\n',
        "ACP301",
    ),
    "get_bind": ('    op.get_bind().execute(sa.text("DELETE FROM host_order"))\n', "ACP303"),
    "get_bind_name": (
        '    bind = op.get_bind()\n    bind.execute(sa.text("DELETE FROM host_order"))\n',
        "ACP303",
    ),
    "reflected_loop": (
        "    for name in sa.inspect(op.get_bind()).get_table_names():\n"
        '        if name.startswith("acp_"):\n'
        '            op.execute(f"DELETE FROM {name}")\n',
        "ACP303",
    ),
    "dynamic_name": (
        '    name = "".join(["host_", "order"])\n    op.drop_table(name)\n',
        "ACP301",
    ),
    "dynamic_sql": (
        '    name = "".join(["host_", "order"])\n    op.execute(f"DELETE FROM {name}")\n',
        "ACP303",
    ),
    "branch_only_create": (
        '    if op.get_bind().dialect.name == "mssql":\n'
        '        op.create_table("host_order", sa.Column("id", sa.Integer))\n'
        '    op.execute("DELETE FROM host_order")\n',
        "ACP301",
    ),
    "trigger_on_new_table": (
        '    op.create_table("acp_t", sa.Column("id", sa.Integer))\n'
        '    op.execute("CREATE TRIGGER acp_tr AFTER INSERT ON acp_t '
        'BEGIN DELETE FROM host_user; END")\n'
        '    op.execute("INSERT INTO acp_t (id) VALUES (1)")\n',
        "ACP303",
    ),
    "rebound_table": (
        '    t = op.create_table("acp_t", sa.Column("id", sa.Integer))\n'
        '    t = sa.table("acp_hostthing", sa.column("id"))\n'
        '    op.bulk_insert(t, [{"id": 42}])\n',
        "ACP301",
    ),
    "short_circuit_create": (
        '    if False and op.create_table("host_order", sa.Column("id", sa.Integer)):\n'
        "        pass\n"
        '    op.execute("DELETE FROM host_order")\n',
        "ACP301",
    ),
    "inside_try": (
        "    try:\n"
        '        op.drop_column("host_user", "name")\n'
        "    except Exception:\n"
        "        pass\n",
        "ACP301",
    ),
    "helper_function": (
        "    _cleanup()\n",
        "ACP301",
    ),
    "write_through_new_table": (
        '    op.create_table("acp_d", sa.Column("id", sa.Integer))\n'
        '    op.execute("INSERT INTO acp_d SELECT id FROM host_order")\n'
        '    op.execute("DELETE FROM host_order WHERE id IN (SELECT id FROM acp_d)")\n',
        "ACP301",
    ),
}
_HELPER = '\ndef _cleanup() -> None:\n    op.execute("DELETE FROM acp_hostthing")\n'


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_each_forbidden_kind_is_refused_and_really_changes_the_host(
    host: AlembicHost, kind: str
) -> None:
    body, code = FORBIDDEN[kind]
    text = revision_text(1000, body, _HELPER if kind == "helper_function" else "")
    assert code in codes(text), (kind, codes(text))
    outcome = host.upgrade(text)
    assert outcome.changed, (kind, outcome)


REALISTIC = """\
    keys = op.create_table(
        "acp_api_key",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(128), nullable=False, unique=True),
        sa.Column("scopes", sa.Text(), nullable=False, server_default=""),
        sa.Column("revoked", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now()),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("host_user.id"), nullable=True),
    )
    op.create_index(op.f("ix_acp_api_key_name"), "acp_api_key", ["name"])
    op.create_table(
        "acp_audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.CheckConstraint("length(action) > 0", name="acp_audit_action_nonempty"),
    )
    op.create_index("ix_acp_audit_log_action", "acp_audit_log", [sa.text("lower(action)")])
    op.add_column("acp_audit_log", sa.Column("key_id", sa.Integer(), nullable=True))
    op.bulk_insert(keys, [{"id": 1, "name": "seed", "key_hash": "h", "scopes": "manage.read"}])
    op.execute("INSERT INTO acp_audit_log (action) VALUES ('installed')")
"""


@pytest.mark.parametrize("cli", [False, True], ids=["command-api", "alembic-cli"])
def test_a_realistic_acp_revision_passes_applies_and_leaves_the_host_alone(
    host: AlembicHost, cli: bool
) -> None:
    text = revision_text(2000 + cli, REALISTIC)
    assert check_revision("versions/acp.py", text, "sqlite") == []
    outcome = host.upgrade(text, cli=cli)
    assert outcome.error is None and outcome.applied and not outcome.changed, outcome


def test_the_cli_run_sees_a_forbidden_revision_change_the_host(host: AlembicHost) -> None:
    text = revision_text(3000, '    op.execute("DELETE FROM host_order")\n')
    assert codes(text) == ["ACP301"]
    outcome = host.upgrade(text, cli=True)
    assert outcome.changed == ("host_order",) and outcome.applied, outcome
