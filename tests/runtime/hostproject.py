"""Build a throw-away Django host project with the ACP app installed, and serve it for real.

``django-admin startproject``, then the real installer (``echelon install --env development``)
writes the app, edits ``INSTALLED_APPS`` and the URLconf, and writes
``controlplane.bindings.json``; then ``migrate`` and ``check``. The test host also gets two
test-only modules: ``hosttest_actions`` (host actions registered through
``ACP_ACTION_MODULES``) and ``hosttest_control`` (a view that changes the server process's
``ACP_*`` environment, standing in for an operator flipping a variable).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hubstub import HubStub
from served import ENDPOINT, HUB_TIMEOUT, ServedProcess, hub_variables

REPO_ROOT = Path(__file__).resolve().parents[2]
KERNEL_ID = "kern-runtime-tests"
KERNEL_KEY = "kk-runtime-secret"

SETTINGS_TAIL = """

# --- added by tests/runtime/hostproject.py -------------------------------------------------
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES["default"]["OPTIONS"] = {"timeout": 20}
import django as _django  # noqa: E402

if _django.VERSION >= (5, 1):
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
ACP_ACTION_MODULES = ["hosttest_actions"]
import os as _os  # noqa: E402

# Test-only knobs of the host (not of the ACP app): another database file, a short busy timeout.
if _os.environ.get("HOSTTEST_DB"):
    DATABASES["default"]["NAME"] = _os.environ["HOSTTEST_DB"]
if _os.environ.get("HOSTTEST_DB_TIMEOUT"):
    DATABASES["default"]["OPTIONS"]["timeout"] = float(_os.environ["HOSTTEST_DB_TIMEOUT"])
# The same host on PostgreSQL (tests/runtime/pghost.py): the whole default database replaced.
if _os.environ.get("HOSTTEST_PG_NAME"):
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _os.environ["HOSTTEST_PG_NAME"],
        "HOST": _os.environ["HOSTTEST_PG_HOST"],
        "USER": _os.environ.get("HOSTTEST_PG_USER", "postgres"),
    }
# SQLite in WAL mode without a sync per commit, as the ACP app's README advises for concurrent
# requests (see its "SQLite" paragraph and bench/README.md); HOSTTEST_SQLITE_INIT measures others.
if _django.VERSION >= (5, 1) and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"]["init_command"] = _os.environ.get(
        "HOSTTEST_SQLITE_INIT", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"acp": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}
"""

URLS_TAIL = """

# --- added by tests/runtime/hostproject.py -------------------------------------------------
import hosttest_control  # noqa: E402

urlpatterns += [
    path("_test/env", hosttest_control.set_env),
]
"""

HOST_ACTIONS = '''"""Host actions of the test project, registered through ACP_ACTION_MODULES."""
from django.contrib.auth.models import Group
from django.db import connection

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
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_column_4410 FROM no_such_table_4410")
    return {}


def _write(ctx, params):
    return {"written": True}


def _get_status(ctx, params):
    return {"declared": "write"}


def _create_group(ctx, params):
    """A real host write (auth_group); {"unencodable": true} returns what JSON cannot hold."""
    if not isinstance(params.get("name"), str):
        raise InvalidParams("name must be a string")
    group = Group.objects.create(name=params["name"])
    if params.get("unencodable"):
        return {"group": group}
    return {"id": group.pk, "name": group.name}


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

HOST_CONTROL = '''"""Test-only view: change ACP_* variables of this running server process."""
import json
import os

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def set_env(http_request):
    changes = json.loads(http_request.body)
    for name, value in changes.items():
        if not name.startswith("ACP_"):
            return JsonResponse({"ok": False}, status=400)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return JsonResponse({"ok": True})
'''


def base_env(root: Path, **extra: str) -> dict[str, str]:
    """A minimal environment: nothing from the outer shell leaks into the host (no ACP_*)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": "hostsite.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env


@dataclass
class HostProject:
    root: Path
    env: dict[str, str] = field(default_factory=dict)  # e.g. HOSTTEST_PG_* for PostgreSQL
    pg_uri: str | None = None  # the host's PostgreSQL database, when it runs on one

    @property
    def vendor(self) -> str:
        return "postgresql" if self.pg_uri else "sqlite"

    @property
    def db_path(self) -> Path:
        return self.root / "db.sqlite3"

    @property
    def bindings_path(self) -> Path:
        return self.root / "controlplane.bindings.json"

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run ``manage.py`` and return its stdout; raise with its output if it fails."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.root,
            env=env or base_env(self.root, **self.env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {args} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def create_key(self, name: str, scopes: str) -> str:
        out = self.manage("acp_create_key", "--name", name, "--scopes", scopes)
        return out.rstrip("\n").splitlines()[-1]

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the host's database (SQLite: read-only, with a generous busy timeout)."""
        if self.pg_uri:
            import psycopg

            with psycopg.connect(self.pg_uri, autocommit=True) as pg:
                return [tuple(r) for r in pg.execute(sql.replace("?", "%s"), tuple(params))]
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=20)
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


def hub_env(hub: HubStub, timeout: str = HUB_TIMEOUT) -> dict[str, str]:
    """The variables that point a server at ``hub``."""
    return hub_variables(hub, KERNEL_KEY, timeout)


def write_bindings(path: Path, kernel_id: str = KERNEL_ID) -> None:
    path.write_text(
        json.dumps({"kernel_id": kernel_id, "base_path": "/api", "endpoint_path": ENDPOINT}),
        encoding="utf-8",
    )


def build_host_project(
    parent: Path, env: dict[str, str] | None = None, pg_uri: str | None = None
) -> HostProject:
    """``startproject``, ``echelon install`` (the real installer), migrate, check.

    ``env`` reaches every ``manage.py`` and server of the host (``HOSTTEST_PG_*`` selects
    PostgreSQL, whose database ``pg_uri`` names for the tests' own queries).
    """
    root = parent / "host"
    root.mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "hostsite", str(root)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    install = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from acp_installer.cli import main; sys.exit(main(sys.argv[1:]))",
            "install",
            "--yes",
            "--env",
            "development",
            "--kernel-id",
            KERNEL_ID,
            "--base-path",
            "/api",
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    with (root / "hostsite" / "settings.py").open("a", encoding="utf-8") as fh:
        fh.write(SETTINGS_TAIL)
    with (root / "hostsite" / "urls.py").open("a", encoding="utf-8") as fh:
        fh.write(URLS_TAIL)
    (root / "hosttest_actions.py").write_text(HOST_ACTIONS, encoding="utf-8")
    (root / "hosttest_control.py").write_text(HOST_CONTROL, encoding="utf-8")
    project = HostProject(root, dict(env or {}), pg_uri)
    project.manage("migrate", "--noinput", "-v", "0")
    project.manage("check")
    return project


# ``manage.py`` with one change: the listen backlog of runserver's WSGIServer (10 in Django,
# where gunicorn has 2048). With 20 clients a full accept queue drops SYNs, and each dropped
# client waits 1 s for the retransmission: the load test measured the dev server, not the app.
LAUNCH = (
    "import sys; from django.core.servers import basehttp; "
    "basehttp.WSGIServer.request_queue_size = int(sys.argv.pop(1)); "
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', *sys.argv[1:]])"
)


@dataclass
class Server(ServedProcess):
    """``manage.py runserver --noreload`` (threaded WSGI) for ``project`` with ``env``."""

    project: HostProject
    env: dict[str, str]
    log_path: Path
    port: int = 0
    backlog: int = 128
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    what = "runserver"

    def launch(self) -> tuple[list[str], Path, dict[str, str]]:
        argv = [sys.executable, "-c", LAUNCH, str(self.backlog), "runserver"]
        argv += [f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"]
        env = base_env(self.project.root, **{**self.project.env, **self.env})
        return argv, self.project.root, env
