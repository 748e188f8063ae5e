"""A throw-away FastAPI host with the generated ACP package, served by a real uvicorn.

The host is ``main.py`` with ``app = FastAPI()``, into which the real ``echelon install``
writes the ACP package, ``app.include_router(acp_router, prefix="/api")`` and
``controlplane.bindings.json``; the ACP tables come from the real
``python -m acp.create_tables``. The test host also has host
actions (``hosttest_actions``, through ``ACP_ACTION_MODULES``), a host table ``host_group``
they write to, and ``/_test/env``, which changes the server process's ``ACP_*`` variables
(an operator flipping a variable).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hubstub import HubStub
from served import ENDPOINT, HUB_TIMEOUT, Reply, ServedProcess, hub_variables

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = REPO_ROOT / "installer" / "hosts" / "fastapi" / "templates"
KERNEL_ID = "kern-fastapi-tests"
KERNEL_KEY = "kk-fastapi-secret"

MAIN = '''"""A FastAPI host; `echelon install` includes the ACP router after the app."""
import logging
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()

_handler = logging.StreamHandler()
_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
logging.getLogger("acp").addHandler(_handler)
logging.getLogger("acp").setLevel(logging.INFO)


@app.get("/_test/ping")
async def ping():
    return {"ok": True}


@app.post("/_test/env")
async def set_env(request: Request):
    """Test-only: change ACP_* variables of this running server process."""
    changes = await request.json()
    for name, value in changes.items():
        if not name.startswith("ACP_"):
            return JSONResponse({"ok": False}, status_code=400)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return {"ok": True}
'''

HOST_ACTIONS = '''"""Host actions of the test project, registered through ACP_ACTION_MODULES."""
from sqlalchemy import text

from acp.actions import action
from acp.errors import InvalidParams


@action("test.delete_everything", kind="read", scope="manage.read")
def named_like_a_write(ctx, params):
    """A read whose name sounds destructive: the declared kind decides, not the name."""
    return {"declared": "read"}


@action("test.echo", kind="read", scope="manage.read")
def echo(ctx, params):
    """Return params["value"]."""
    if "value" not in params:
        raise InvalidParams("value is required")
    return {"value": params["value"], "request_id": ctx.request_id}


@action("test.crash", kind="read", scope="manage.read")
def crash(ctx, params):
    raise RuntimeError("secret-crash-detail-7731 in /srv/app/secret.py")


@action("test.dberror", kind="read", scope="manage.read")
def db_error(ctx, params):
    ctx.connection.execute(text("SELECT secret_column_4410 FROM no_such_table_4410"))
    return {}


def _write(ctx, params):
    return {"written": True}


def _get_status(ctx, params):
    return {"declared": "write"}


def _create_group(ctx, params):
    """A real host write (host_group); {"unencodable": true} returns what JSON cannot hold."""
    if not isinstance(params.get("name"), str):
        raise InvalidParams("name must be a string")
    ctx.connection.execute(text("INSERT INTO host_group (name) VALUES (:n)"), {"n": params["name"]})
    if params.get("unencodable"):
        return {"group": object()}
    return {"name": params["name"]}


def register(registry):
    registry.add("test.write", kind="write", scope="manage.write", handler=_write)
    registry.add("test.get_status", kind="write", scope="manage.write", handler=_get_status)
    registry.add("test.group.create", kind="write", scope="manage.write", handler=_create_group)
    registry.add(
        "test.group.create_direct",
        kind="write",
        scope="manage.write",
        handler=_create_group,
        atomic=False,
    )
'''


def hub_env(hub: HubStub, timeout: str = HUB_TIMEOUT) -> dict[str, str]:
    """The variables that point a server at ``hub``."""
    return hub_variables(hub, KERNEL_KEY, timeout)


def base_env(root: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A minimal environment: nothing from the outer shell leaks into the host (no ACP_*)."""
    import os

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(root),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "LANG": "C.UTF-8",
        "DATABASE_URL": database_url,
        "ACP_ACTION_MODULES": "hosttest_actions",
    }
    env.update(extra)
    return env


def write_bindings(path: Path, kernel_id: str = KERNEL_ID) -> None:
    path.write_text(
        json.dumps({"kernel_id": kernel_id, "base_path": "/api", "endpoint_path": ENDPOINT}),
        encoding="utf-8",
    )


@dataclass
class FastApiHost:
    root: Path
    database_url: str
    pg_uri: str | None = None  # psycopg's URI of the same database, for the tests' queries

    @property
    def vendor(self) -> str:
        return "postgresql" if self.pg_uri else "sqlite"

    def env(self, **extra: str) -> dict[str, str]:
        return base_env(self.root, self.database_url, **extra)

    def run_module(self, module: str, *args: str, env: dict[str, str] | None = None):
        """``python -m module args`` in the host, as an operator runs it."""
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=self.root,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def create_key(self, name: str, scopes: str) -> str:
        result = self.run_module("acp.create_key", "--name", name, "--scopes", scopes)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.rstrip("\n").splitlines()[-1]

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        if self.pg_uri:
            import psycopg

            with psycopg.connect(self.pg_uri, autocommit=True) as pg:
                cursor = pg.execute(sql.replace("?", "%s"), tuple(params) or None)
                return [tuple(r) for r in cursor.fetchall()] if cursor.description else []
        path = self.database_url.removeprefix("sqlite:///")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)
        try:
            return conn.execute(sql, tuple(params)).fetchall()
        finally:
            conn.close()

    def audit_rows(self, request_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Audit rows by request id (a list, to catch duplicates)."""
        ids = list(request_ids)
        found: dict[str, list[dict[str, Any]]] = {}
        columns = ("request_id", "action", "kind", "key_prefix", "status", "code", "outcome")
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                f"SELECT {', '.join(columns)} FROM acp_audit_log WHERE request_id IN ({marks})",
                chunk,
            )
            for row in rows:
                found.setdefault(row[0], []).append(dict(zip(columns, row, strict=True)))
        return found

    def audit_count(self) -> int:
        return self.query("SELECT COUNT(*) FROM acp_audit_log")[0][0]


def write_host(root: Path) -> None:
    """The host's files (main.py, host actions), then the real ``echelon install``: the ACP
    package, the include_router edit of main.py, bindings.json."""
    from acp_installer.install import install
    from acp_installer.plan import InstallOptions

    root.mkdir(parents=True)
    (root / "main.py").write_text(MAIN, encoding="utf-8")
    (root / "hosttest_actions.py").write_text(HOST_ACTIONS, encoding="utf-8")
    result = install(InstallOptions(root, kernel_id=KERNEL_ID), verify=False)
    assert result.status == "installed", result.gate.diagnostics
    assert 'app.include_router(acp_router, prefix="/api")' in (root / "main.py").read_text()


def build_fastapi_host(parent: Path, pg: tuple[str, str] | None = None) -> FastApiHost:
    """Write the host, create its host table, then the ACP tables with create_tables.

    ``pg`` is (SQLAlchemy URL, psycopg URI) of an empty PostgreSQL database; else SQLite, in
    WAL mode (a host choice the ACP README recommends for concurrent requests).
    """
    root = parent / "host"
    write_host(root)
    if pg is None:
        db_path = root / "app.db"
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE host_group (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
        conn.commit()
        conn.close()
        host = FastApiHost(root, f"sqlite:///{db_path}")
    else:
        host = FastApiHost(root, pg[0], pg[1])
        host.query("CREATE TABLE host_group (id SERIAL PRIMARY KEY, name TEXT UNIQUE)")
    result = host.run_module("acp.create_tables")
    assert result.returncode == 0, result.stdout + result.stderr
    return host


@dataclass
class UvicornServer(ServedProcess):
    """``uvicorn main:app`` on 127.0.0.1 and a free port, one process, for ``host``."""

    host: FastApiHost
    env: dict[str, str]
    log_path: Path
    workers: int = 1
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    what = "uvicorn"

    def launch(self) -> tuple[list[str], Path, dict[str, str]]:
        argv = [sys.executable, "-m", "uvicorn", "main:app", "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--backlog", "2048", "--no-access-log"]
        argv += ["--log-level", "warning"]
        argv += ["--workers", str(self.workers)] if self.workers > 1 else []
        return argv, self.host.root, self.host.env(**self.env)

    def is_up(self, reply: Reply) -> bool:
        return reply.status == 200
