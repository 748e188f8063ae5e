"""Installer shapes met in real public FastAPI projects (bench/README.md, "FastAPI on real
projects"), as small fixtures of our own: the API router included under a prefix read from a
settings object (full-stack-fastapi-template's ``settings.API_V1_STR``), so the gate must ask
the project's own Starlette; with no ``framework`` in the config it must not ask Django."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from fastapi_host import alembic, build_fastapi_host, git
from installer_helpers import echelon, run, tree_hash

KERNEL = "k-real"

SETTINGS = """\
import os


class Settings:
    API_STR: str = os.environ.get("API_STR", "{prefix}")


settings = Settings()
"""

MAIN = """\
from fastapi import APIRouter, FastAPI

from app.settings import settings

app = FastAPI(title="host")
api_router = APIRouter()


@api_router.post("/manage")
def host_manage():
    return {"host": True}


app.include_router(api_router, prefix=settings.API_STR)
"""


def _host(root: Path, prefix: str) -> Path:
    build_fastapi_host(root, alembic=False)
    (root / "app" / "settings.py").write_text(SETTINGS.format(prefix=prefix))
    (root / "app" / "main.py").write_text(MAIN)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "settings prefix")
    return root


@pytest.mark.parametrize("prefix", ["/v1", "/api"])
def test_a_settings_prefix_is_verified_with_starlette_not_django(
    tmp_path: Path, prefix: str
) -> None:
    root = _host(tmp_path / "host", prefix)
    before = tree_hash(root)
    done = echelon("install", "--kernel-id", KERNEL, "--python", sys.executable, ".", cwd=root)
    output = done.stdout + done.stderr
    assert "Django" not in output and "under settings" not in output, output
    if prefix == "/v1":  # Starlette: POST /api/manage is free, the ACP204 becomes a note
        assert done.returncode == 0, output
        assert "verified with Starlette: POST /api/manage is free in app.main:app" in output
        assert (root / ".acp" / "manifest.json").is_file()
    else:  # Starlette: the host's router serves it today, one ACP201 naming its view
        assert done.returncode == 1 and tree_hash(root) == before, output
        assert (
            "ACP201 The FastAPI app serves the ACP endpoint path /api/manage today: "
            "app.main.host_manage (POST /api/manage), verified with Starlette in app.main:app"
        ) in output, output


def test_an_alembic_ini_echelon_cannot_read_gets_the_sql_file_and_the_right_next_step(
    tmp_path: Path,
) -> None:
    """Netflix/dispatch's shape: ``alembic.ini`` with named sections and ``package:path``
    script locations, so no versions directory is found and the SQL file is written; the next
    step printed is the command that creates the tables, and running it does."""
    root = _host(tmp_path / "host", "/v1")
    (root / "alembic.ini").write_text(
        "[alembic]\n\n[core]\nscript_location = app:database/revisions/core\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "named alembic sections")
    done = echelon("install", "--kernel-id", KERNEL, "--python", sys.executable, ".", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "acp" / "sql" / "0001_create_acp_tables.sql").is_file()
    next_line = next(line for line in done.stdout.splitlines() if line.startswith("next:"))
    assert next_line == "next: python -m acp.create_tables; then set ACP_ENABLED=true to serve"
    db = tmp_path / "acp.db"
    made = run(
        [sys.executable, "-B", "-m", "acp.create_tables"],
        root,
        env={"ACP_DATABASE_URL": f"sqlite:///{db}", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"acp_api_key", "acp_audit_log"}


def test_a_deploy_script_running_alembic_upgrade_head_is_warned_about(tmp_path: Path) -> None:
    """full-stack-fastapi-template's ``scripts/prestart.sh`` runs ``alembic upgrade head``;
    with the ACP branch beside the host's there are two heads and real Alembic refuses it, so
    the install says where; ``heads`` (and a project without such a script) gets no warning."""
    root = build_fastapi_host(tmp_path / "host")
    (root / "scripts").mkdir()
    (root / "scripts" / "prestart.sh").write_text("#!/bin/sh\nset -e\nalembic upgrade head\n")
    (root / "Makefile").write_text("migrate:\n\talembic upgrade heads\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "prestart")
    done = echelon("install", "--kernel-id", KERNEL, ".", cwd=root)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stdout.splitlines() if "warning:" in line]
    assert warnings == [
        "  note: warning: scripts/prestart.sh:3 runs `alembic upgrade head`, which stops with "
        '"Multiple head revisions" once the ACP branch is there: make it `alembic upgrade heads`'
    ], done.stdout
    refused = alembic(root, "upgrade", "head")
    assert refused.returncode != 0 and "Multiple head revisions" in refused.stderr
    assert alembic(root, "upgrade", "heads").returncode == 0
    (root / "scripts" / "prestart.sh").write_text("#!/bin/sh\nalembic upgrade heads\n")
    again = echelon("install", "--dry-run", "--kernel-id", KERNEL, ".", cwd=root)
    assert again.returncode == 0 and "warning:" not in again.stdout, again.stdout
