"""The ACP Alembic revision, applied by real Alembic next to a host's own revisions.

``alembic init``, a host revision that creates and fills a host table, then the template
revision (its placeholder replaced, as the installer does) in the same versions directory:
``alembic upgrade heads`` applies both branches, leaves the host's table and rows alone, and
creates exactly the schema that ``python -m acp.create_tables`` creates. The generated app
then serves requests on that database (host and ACP tables side by side).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fahost import TEMPLATES, FastApiHost, UvicornServer, hub_env, write_host
from hubstub import HubStub

REVISION = "acp0001a1b2c"
HOST_REVISION = '''"""host: items"""
import sqlalchemy as sa
from alembic import op

revision = "host0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    item = op.create_table(
        "host_item", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text)
    )
    op.bulk_insert(item, [{"id": 1, "name": "kept"}])
'''


def alembic(root: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def schema(url: str) -> dict[str, Any]:
    """Tables, columns (type, nullability), indexes and unique constraints, as SQLAlchemy
    reflects them from the database."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        found: dict[str, Any] = {}
        for table in sorted(t for t in inspector.get_table_names() if t.startswith("acp_")):
            found[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ],
                "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
            }
        return found
    finally:
        engine.dispose()


def test_revision_applies_beside_host_revisions_and_serves(
    tmp_path: Path, fa_host: FastApiHost
) -> None:
    project = tmp_path / "host"
    write_host(project)
    alembic(project, "init", "migrations")
    db_url = f"sqlite:///{project / 'app.db'}"
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace("driver://user:pass@localhost/dbname", db_url), encoding="utf-8"
    )
    versions = project / "migrations" / "versions"
    (versions / "host0001_items.py").write_text(HOST_REVISION, encoding="utf-8")
    template = TEMPLATES / "alembic" / "acp_0001_create_acp_tables.py"
    (versions / f"{REVISION}_create_acp_tables.py").write_text(
        template.read_text(encoding="utf-8").replace("__ACP_REVISION__", REVISION),
        encoding="utf-8",
    )

    heads = alembic(project, "heads")
    assert f"{REVISION} (acp) (head)" in heads and "host0001 (head)" in heads
    alembic(project, "upgrade", "heads")
    current = alembic(project, "current")
    assert REVISION in current and "host0001" in current

    host = FastApiHost(project, db_url)
    assert host.query("SELECT id, name FROM host_item") == [(1, "kept")]
    assert schema(db_url) == schema(fa_host.database_url)
    assert set(schema(db_url)) == {"acp_api_key", "acp_audit_log"}

    # The app serves on it: keys and audit rows land in the tables the revision made.
    key = host.create_key("alembic", "manage.read")
    hub = HubStub()
    hub.start()
    server = UvicornServer(
        host, {"ACP_ENABLED": "true", **hub_env(hub)}, tmp_path / "uvicorn.log"
    ).start()
    try:
        reply = server.call("meta.version", key=key)
        assert reply.status == 200, reply.text
        assert host.audit_rows([reply.request_id])[reply.request_id][0]["status"] == 200
    finally:
        server.stop()
        hub.stop()
    assert host.query("SELECT id, name FROM host_item") == [(1, "kept")]
