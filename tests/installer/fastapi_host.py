"""A FastAPI host project for the installer tests: a package ``app`` whose ``app/main.py``
creates ``app = FastAPI(...)``, a git work tree, and (optionally) a real Alembic environment
made by ``alembic init`` with one host revision that creates the host table ``host_user``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from installer_helpers import PYTHON, run

MAIN = '''"""The host's FastAPI application."""

from fastapi import FastAPI

from app.models import ping

app = FastAPI(title="host")


@app.get("/health")
def health():
    return {"ok": ping()}


@app.post("/api/users")
def create_user():
    return {"created": True}
'''

MODELS = """def ping():
    return True
"""

HOST_REVISION = '''"""host users

Revision ID: host0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "host0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.create_index("ix_host_user_name", "host_user", ["name"])


def downgrade() -> None:
    op.drop_table("host_user")
'''


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def build_fastapi_host(root: Path, alembic: bool = True) -> Path:
    """Write the host at ``root`` and commit it (``app.db`` is git-ignored)."""
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(MAIN)
    (root / "app" / "models.py").write_text(MODELS)
    (root / ".gitignore").write_text("app.db\n__pycache__/\n")
    if alembic:
        done = run([PYTHON, "-m", "alembic", "init", "alembic"], root)
        assert done.returncode == 0, done.stderr
        ini = root / "alembic.ini"
        text = ini.read_text()
        lines = [
            "sqlalchemy.url = sqlite:///app.db" if line.startswith("sqlalchemy.url") else line
            for line in text.splitlines()
        ]
        ini.write_text("\n".join(lines) + "\n")
        (root / "alembic" / "versions" / "host0001_host_users.py").write_text(HOST_REVISION)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "host")
    return root


def alembic(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([PYTHON, "-m", "alembic", *args], root, env={"PYTHONDONTWRITEBYTECODE": "1"})


def in_host(root: Path, code: str, env: dict[str, str] | None = None):
    """``python -c code`` in the host (its directory first on sys.path, no bytecode)."""
    return run(
        [sys.executable, "-B", "-c", code],
        root,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
    )


PROBE = """
import json, os, warnings
ENDPOINT = os.environ.get("PROBE_ENDPOINT", "/api/manage")
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from app.main import app
client = TestClient(app)
answer = client.post(ENDPOINT, json={"action": "meta.version"})
health = client.get("/health")
print(json.dumps([answer.status_code, answer.json(), health.status_code]))
"""
