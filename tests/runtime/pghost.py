"""One real PostgreSQL 16 (``pgserver``) for the runtime tests, a database per host.

The server runs in a plain temporary directory, not under pytest's basetemp: as root,
pgserver runs postgres as its own user, which cannot enter root's 0700 ``/tmp/pytest-of-root``.
Settings are PostgreSQL's defaults (fsync on): the load test's latencies are measured on them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hostproject import HostProject, build_host_project


class PgCluster:
    """A started server; ``database()`` creates an empty database, ``clone()`` copies one."""

    def __init__(self) -> None:
        import pgserver
        import psycopg

        self._psycopg = psycopg
        self.root = Path(tempfile.mkdtemp(prefix="acp-pgrt-"))
        self.server = pgserver.get_server(self.root / "pgdata", cleanup_mode="delete")
        self.socket_dir = parse_qs(urlsplit(self.server.get_uri()).query)["host"][0]
        self._admin = psycopg.connect(self.server.get_uri(), autocommit=True)
        self._names = (f"h{os.getpid()}_{n}" for n in itertools.count())

    def uri(self, name: str) -> str:
        return self.server.get_uri(name)

    def env(self, name: str) -> dict[str, str]:
        """What the test host's settings read to use database ``name`` (hostproject.py)."""
        return {
            "HOSTTEST_PG_NAME": name,
            "HOSTTEST_PG_HOST": self.socket_dir,
            "HOSTTEST_PG_USER": "postgres",
        }

    def database(self, template: str | None = None) -> str:
        """CREATE DATABASE (a copy of ``template`` if given; nobody may be connected to it)."""
        name = next(self._names)
        if template is None:
            self._admin.execute(f"CREATE DATABASE {name}")
        else:
            self._admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def execute(
        self, name: str, sql: str, params: tuple[Any, ...] | None = None
    ) -> list[tuple[Any, ...]]:
        with self._psycopg.connect(self.uri(name), autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []

    def close(self) -> None:
        self._admin.close()
        self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


def build_pg_host(parent: Path, cluster: PgCluster) -> HostProject:
    """The runtime tests' host (hostproject.py), installed and migrated on its own database."""
    name = cluster.database()
    return build_host_project(parent, cluster.env(name), cluster.uri(name))
