"""Real Alembic as the oracle: run ``alembic upgrade heads`` with one ACP revision over a
database that holds host tables and rows, and say whether anything that existed before changed.

An :class:`AlembicHost` is a real Alembic environment in a directory: ``alembic.ini`` whose
``script_location`` names ``migrations/``, the usual online ``env.py`` and a ``versions/``
directory with the host's own revision (``host0001``), already applied (the database is
stamped). :meth:`AlembicHost.upgrade` writes the ACP revision (``branch_labels = ("acp",)``,
``down_revision = None``) next to it, copies the seeded database (SQLite) or clones the template
database (PostgreSQL), runs Alembic's own ``command.upgrade(config, "heads")`` (or the ``alembic``
command line), and compares snapshots taken with SQLAlchemy's inspector (tables, columns,
indexes, keys, constraints) plus every row of every host table; on SQLite the ``sqlite_master``
rows of host objects too. ``alembic_version`` is Alembic's bookkeeping and is left out.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HOST_TABLES = ("host_user", "host_order", "acp_hostthing")

HOST_SQL = """
CREATE TABLE host_user (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE, name TEXT);
CREATE TABLE host_order (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES host_user (id),
    total NUMERIC(10, 2) DEFAULT 0
);
CREATE INDEX host_order_user ON host_order (user_id);
CREATE TABLE acp_hostthing (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO host_user (id, email, name) VALUES (1, 'a@x.org', 'a'), (2, 'b@x.org', NULL);
INSERT INTO host_order (id, user_id, total) VALUES (1, 1, 9.5), (2, 1, 20), (3, 2, 1);
INSERT INTO acp_hostthing (id, name) VALUES (1, 'kept');
CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('host0001');
"""

ALEMBIC_INI = """[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = sqlite://
"""

ENV_PY = """from alembic import context
from sqlalchemy import create_engine

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
"""

HOST_REVISION = '''"""the host's own schema (already applied)"""
from alembic import op
import sqlalchemy as sa

revision = "host0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("host_user", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("host_user")
'''

HEADER = '''"""generated ACP revision {number}"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = None
branch_labels = ("acp",)
depends_on = None

'''


def revision_text(number: int, body: str, prelude: str = "") -> str:
    """A complete ACP revision module whose ``upgrade()`` body is ``body`` (indented)."""
    return (
        HEADER.format(number=number, revision=f"acp{number:06d}")
        + prelude
        + "\n\ndef upgrade() -> None:\n"
        + (body if body.strip() else "    pass\n")
        + "\n\ndef downgrade() -> None:\n    pass\n"
    )


@dataclass(frozen=True)
class Outcome:
    """What one ``alembic upgrade heads`` did to the host objects."""

    changed: tuple[str, ...]
    error: str | None
    applied: bool  # alembic_version holds the ACP revision afterwards


class AlembicHost:
    """One Alembic environment; a fresh copy of the seeded database per revision."""

    def __init__(self, root: Path, pg_uri: str | None = None) -> None:
        self.root = root
        self.pg_uri = pg_uri  # a PostgreSQL server (postgresql://...) or None for SQLite
        (root / "migrations" / "versions").mkdir(parents=True)
        (root / "alembic.ini").write_text(ALEMBIC_INI)
        (root / "migrations" / "env.py").write_text(ENV_PY)
        (root / "migrations" / "versions" / "host0001_host.py").write_text(HOST_REVISION)
        self._count = itertools.count()
        self._pg_admin = None
        self.strategy = "WAL_LOG"  # CREATE DATABASE without the checkpoint FILE_COPY forces
        if pg_uri is None:
            self.base = root / "base.sqlite3"
            conn = sqlite3.connect(self.base)
            conn.executescript(HOST_SQL)
            conn.commit()
            conn.close()
            self.before = self.snapshot(self.url_for(self.base))
        else:
            import psycopg

            self._pg_admin = psycopg.connect(pg_uri, autocommit=True)
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                self._pg_admin.execute(f"ALTER SYSTEM SET {setting} = off")  # a throwaway server
            self._pg_admin.execute("SELECT pg_reload_conf()")
            self._pg_admin.execute("DROP DATABASE IF EXISTS alembic_host_tpl")
            self._pg_admin.execute("CREATE DATABASE alembic_host_tpl")
            with psycopg.connect(_pg_db(pg_uri, "alembic_host_tpl"), autocommit=True) as conn:
                conn.execute(HOST_SQL.replace("INTEGER PRIMARY KEY", "int PRIMARY KEY"))
            self.before = self.snapshot(self._sa_url("alembic_host_tpl"))

    def close(self) -> None:
        if self._pg_admin is not None:
            self._pg_admin.execute("DROP DATABASE IF EXISTS alembic_host_tpl")
            self._pg_admin.close()

    # -- databases --------------------------------------------------------------------------
    @staticmethod
    def url_for(path: Path) -> str:
        return f"sqlite:///{path}"

    def _sa_url(self, name: str) -> str:
        assert self.pg_uri is not None
        return _pg_db(self.pg_uri, name).replace("postgresql://", "postgresql+psycopg://", 1)

    def _fresh_database(self, number: int) -> tuple[str, str]:
        """A copy of the seeded host database: (SQLAlchemy URL, handle to drop it)."""
        if self.pg_uri is None:
            path = self.root / f"run{number}.sqlite3"
            shutil.copy(self.base, path)
            return self.url_for(path), str(path)
        name = f"alembic_run_{os.getpid()}_{number}"
        assert self._pg_admin is not None
        self._pg_admin.execute(
            f"CREATE DATABASE {name} TEMPLATE alembic_host_tpl STRATEGY {self.strategy}"
        )
        return self._sa_url(name), name

    def _drop_database(self, handle: str) -> None:
        if self.pg_uri is None:
            Path(handle).unlink(missing_ok=True)
        else:
            assert self._pg_admin is not None
            self._pg_admin.execute(f"DROP DATABASE IF EXISTS {handle} WITH (FORCE)")

    def snapshot(self, url: str) -> dict[str, str]:
        """Schema and rows of every host table, as SQLAlchemy's inspector and a SELECT see them.

        The inspector's ``get_multi_*`` calls read each kind of object for all tables at once
        (one catalog query each on PostgreSQL).
        """
        import sqlalchemy as sa

        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        out: dict[str, str] = {}
        try:
            with engine.connect() as conn:
                inspector = sa.inspect(conn)
                names = inspector.get_table_names()
                if conn.dialect.name == "sqlite":  # names ignore case there
                    present = {name.lower(): name for name in names}
                else:  # "HOST_USER" is another table than host_user
                    present = {name: name for name in names}
                found = [present[t] for t in HOST_TABLES if t in present]
                kinds = {
                    "columns": inspector.get_multi_columns(filter_names=found),
                    "pk": inspector.get_multi_pk_constraint(filter_names=found),
                    "indexes": inspector.get_multi_indexes(filter_names=found),
                    "fks": inspector.get_multi_foreign_keys(filter_names=found),
                    "unique": inspector.get_multi_unique_constraints(filter_names=found),
                    "checks": inspector.get_multi_check_constraints(filter_names=found),
                }
                for table in HOST_TABLES:
                    if table not in present:
                        out[table] = "<missing>"
                        continue
                    name = present[table]
                    parts = [name]
                    for kind, values in kinds.items():
                        value = values.get((None, name))
                        if kind == "columns":
                            value = [
                                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                                for c in value or []
                            ]
                        elif isinstance(value, list):
                            value = sorted(value, key=repr)
                        parts.append(f"{kind}: {value!r}")
                    rows = conn.execute(sa.text(f'SELECT * FROM "{name}"')).fetchall()
                    parts.append(repr(sorted((tuple(r) for r in rows), key=repr)))
                    if conn.dialect.name == "sqlite":
                        master = conn.execute(
                            sa.text(
                                "SELECT type, name, sql FROM sqlite_master "
                                "WHERE lower(tbl_name) = :t ORDER BY type, name"
                            ),
                            {"t": table},
                        ).fetchall()
                        parts.append(repr([tuple(r) for r in master]))
                    out[table] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
                out["<applied>"] = " ".join(
                    sorted(
                        row[0]
                        for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                    )
                )
        finally:
            engine.dispose()
        return out

    # -- running Alembic --------------------------------------------------------------------
    def upgrade(self, text: str, cli: bool = False) -> Outcome:
        """Run ``alembic upgrade heads`` with ``text`` as the ACP revision; what changed."""
        number = next(self._count)
        url, handle = self._fresh_database(number)
        revision = self.root / "migrations" / "versions" / f"acp_{os.getpid()}_{number}.py"
        revision.write_text(text)
        error: str | None = None
        try:
            if cli:
                error = self._cli(url)
            else:
                error = self._api(url)
            after = self.snapshot(url)
            ids = re.findall(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)", text, re.M)
            applied = bool(ids) and ids[0] in after["<applied>"].split()
        finally:
            revision.unlink()
            self._drop_database(handle)
        changed = tuple(t for t in HOST_TABLES if after[t] != self.before[t])
        return Outcome(changed, error, applied)

    def _api(self, url: str) -> str | None:
        from alembic import command
        from alembic.config import Config

        config = Config(str(self.root / "alembic.ini"))
        config.attributes["url"] = url
        try:
            command.upgrade(config, "heads")
        except BaseException as problem:  # noqa: BLE001 - the revision fails as under alembic
            if isinstance(problem, KeyboardInterrupt):
                raise
            return f"{type(problem).__name__}: {problem}"[:300]
        return None

    def _cli(self, url: str) -> str | None:
        """The real ``alembic`` command line in a subprocess (sqlalchemy.url set per run)."""
        ini = self.root / "run.ini"
        ini.write_text(ALEMBIC_INI.replace("sqlite://", url.replace("%", "%%")))
        alembic = Path(sys.executable).with_name("alembic")
        result = subprocess.run(
            [str(alembic), "-c", str(ini), "upgrade", "heads"],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return None if result.returncode == 0 else result.stderr.strip()[-300:]


def _pg_db(uri: str, name: str) -> str:
    """``uri`` (pgserver's ``postgresql://user:@/db?host=...``) pointed at database ``name``."""
    head, _, query = uri.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")
