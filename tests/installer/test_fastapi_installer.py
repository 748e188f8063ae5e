"""``echelon install / uninstall / doctor`` on a FastAPI host, end to end through the CLI.

The host is real: a FastAPI app in ``app/main.py``, an Alembic environment made by
``alembic init`` with a host revision, a git work tree. The oracles are the real parts:
FastAPI's TestClient on the installed app (503 FEATURE_DISABLED with ACP_ENABLED unset),
``alembic upgrade heads`` on SQLite (the ACP tables beside the host branch, the host table and
its rows unchanged), ``git status`` after uninstall (byte-identical).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from fastapi_host import PROBE, alembic, build_fastapi_host, git, in_host
from installer_helpers import echelon, tree_hash

KERNEL = "k-fastapi"
IGNORED = (".git", "__pycache__", "app.db")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        "alembic": build_fastapi_host(tmp_path_factory.mktemp("fa-alembic") / "host"),
        "plain": build_fastapi_host(tmp_path_factory.mktemp("fa-plain") / "host", alembic=False),
    }


@pytest.fixture
def host(templates: dict[str, Path], tmp_path: Path) -> Path:
    target = tmp_path / "host"
    shutil.copytree(templates["alembic"], target, symlinks=True)
    return target


@pytest.fixture
def plain_host(templates: dict[str, Path], tmp_path: Path) -> Path:
    target = tmp_path / "plain"
    shutil.copytree(templates["plain"], target, symlinks=True)
    return target


def _probe(root: Path, env: dict[str, str] | None = None) -> list:
    done = in_host(root, PROBE, env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _schema(db: Path) -> tuple[list, list]:
    with sqlite3.connect(db) as conn:
        schema = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
        rows = conn.execute("SELECT id, name FROM host_user ORDER BY id").fetchall()
    return schema, rows


def test_install_serves_503_migrates_reruns_and_uninstalls_byte_identical(host: Path) -> None:
    before = tree_hash(host, ignore=IGNORED)
    # The host's own branch first, with rows, as a live database has them.
    assert alembic(host, "upgrade", "host0001").returncode == 0
    with sqlite3.connect(host / "app.db") as conn:
        conn.executemany("INSERT INTO host_user (name) VALUES (?)", [("ada",), ("bob",)])
    host_schema, host_rows = _schema(host / "app.db")

    done = echelon("install", "--kernel-id", KERNEL, "--json", ".", cwd=host)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "installed" and report["framework"] == "fastapi"
    assert report["endpoint_path"] == "/api/manage"
    main = (host / "app" / "main.py").read_text()
    assert 'app = FastAPI(title="host")\napp.include_router(acp_router, prefix="/api")\n' in main
    revisions = sorted((host / "alembic" / "versions").glob("*_acp_0001_create_acp_tables.py"))
    assert len(revisions) == 1
    manifest = json.loads((host / ".acp" / "manifest.json").read_text())
    assert manifest["framework"] == "fastapi"
    assert manifest["host"]["app"] == "app.main:app"
    assert manifest["host"]["alembic_revision"] == revisions[0].relative_to(host).as_posix()
    assert manifest["files"][manifest["host"]["alembic_revision"]]["role"] == "migration"

    # The real app imports, answers 503 FEATURE_DISABLED, and still serves its own routes.
    status, body, health = _probe(host)
    assert (status, body["code"], health) == (503, "FEATURE_DISABLED", 200)

    # Alembic applies the ACP branch beside the host's; nothing of the host's changed.
    heads = alembic(host, "heads")
    assert heads.returncode == 0 and "(acp)" in heads.stdout and "host0001" in heads.stdout
    assert alembic(host, "upgrade", "heads").returncode == 0
    schema, rows = _schema(host / "app.db")
    assert rows == host_rows
    new = {entry[1] for entry in schema} - {entry[1] for entry in host_schema}
    assert {"acp_api_key", "acp_audit_log"} <= new
    assert all(name.startswith(("acp_", "ix_acp_", "sqlite_autoindex_acp_")) for name in new)
    assert [e for e in schema if e[1] in {h[1] for h in host_schema}] == host_schema

    installed = tree_hash(host, ignore=IGNORED)
    again = echelon("install", "--kernel-id", KERNEL, ".", cwd=host)
    assert again.returncode == 0 and "already installed" in again.stdout, again.stderr
    assert tree_hash(host, ignore=IGNORED) == installed

    doctor = echelon("doctor", "--json", ".", cwd=host)
    checks = json.loads(doctor.stdout)
    assert doctor.returncode == 0, checks
    assert any(
        c["check"] == "route" and c["ok"] and "/api/manage" in c["message"]
        for c in checks["checks"]
    )

    removed = echelon("uninstall", ".", cwd=host)
    assert removed.returncode == 0, removed.stderr
    assert tree_hash(host, ignore=IGNORED) == before
    assert git(host, "status", "--porcelain") == ""


def test_migrations_only_then_the_full_install(host: Path) -> None:
    original_main = (host / "app" / "main.py").read_bytes()
    done = echelon("install", "--migrations-only", "--kernel-id", KERNEL, ".", cwd=host)
    assert done.returncode == 0, done.stderr
    assert (host / "app" / "main.py").read_bytes() == original_main  # no route yet
    assert not (host / "acp" / "router.py").exists()
    assert (host / "acp" / "create_tables.py").is_file()
    revision = next((host / "alembic" / "versions").glob("*_acp_0001_create_acp_tables.py"))
    assert alembic(host, "upgrade", "heads").returncode == 0
    with sqlite3.connect(host / "app.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"acp_api_key", "acp_audit_log", "host_user"} <= tables
    doctor = echelon("doctor", ".", cwd=host)
    assert doctor.returncode == 0, doctor.stdout
    assert "migrations only" in doctor.stdout

    full = echelon("install", "--no-migrations", "--kernel-id", KERNEL, ".", cwd=host)
    assert full.returncode == 0, full.stderr
    assert "app.include_router(acp_router" in (host / "app" / "main.py").read_text()
    # The revision of the first stage is kept, not duplicated.
    assert list((host / "alembic" / "versions").glob("*_acp_*")) == [revision]
    assert _probe(host)[:1] == [503]
    assert alembic(host, "upgrade", "heads").returncode == 0  # nothing left to apply


def test_dry_run_writes_nothing_and_says_what_it_would_do(host: Path) -> None:
    before = tree_hash(host)
    done = echelon("install", "--dry-run", "--json", "--base-path", "/api/acp", ".", cwd=host)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "planned" and report["endpoint_path"] == "/api/acp/manage"
    assert '+app.include_router(acp_router, prefix="/api/acp")' in report["diffs"]["app/main.py"]
    operations = {op["operation"] for op in report["migration_operations"]}
    assert {"create_table(acp_api_key)", "create_table(acp_audit_log)"} <= operations
    assert tree_hash(host) == before


def test_without_alembic_the_sql_file_and_create_tables(plain_host: Path, tmp_path: Path) -> None:
    before = tree_hash(plain_host, ignore=IGNORED)
    done = echelon("install", "--kernel-id", KERNEL, ".", cwd=plain_host)
    assert done.returncode == 0, done.stderr
    sql = plain_host / "acp" / "sql" / "0001_create_acp_tables.sql"
    assert sql.is_file()
    code = "\n".join(line for line in sql.read_text().splitlines() if not line.startswith("--"))
    statements = [s.split()[:3] for s in code.split(";") if s.strip()]
    # one transaction (psql stops at a failed CREATE TABLE, so the indexes can only be built on
    # the new tables: acp-lint passes them), the two tables, then the audit log's two indexes
    assert [s[:2] for s in statements] == [["BEGIN"]] + [["CREATE", "TABLE"]] * 2 + [
        ["CREATE", "INDEX"]
    ] * 2 + [["COMMIT"]]
    sql_indexes = {s[2] for s in statements if s[:2] == ["CREATE", "INDEX"]}
    db = tmp_path / "plain.db"
    made = in_host(
        plain_host,
        "import sys; from acp.create_tables import main; sys.exit(main([]))",
        {"ACP_DATABASE_URL": f"sqlite:///{db}"},
    )
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert tables == {"acp_api_key", "acp_audit_log"}
    assert sql_indexes <= indexes  # the SQL file names the indexes create_tables builds
    assert _probe(plain_host)[:1] == [503]
    assert echelon("uninstall", ".", cwd=plain_host).returncode == 0
    assert tree_hash(plain_host, ignore=IGNORED) == before


def _refused(root: Path, *args: str) -> tuple[int, str]:
    before = tree_hash(root)
    done = echelon("install", "--kernel-id", KERNEL, *args, ".", cwd=root)
    assert "Traceback" not in done.stderr
    assert tree_hash(root) == before, "a refused install wrote something"
    return done.returncode, done.stderr


def test_an_app_created_only_inside_a_function_is_a_usage_error(host: Path) -> None:
    (host / "app" / "main.py").write_text(
        "from fastapi import FastAPI\n\n\ndef create_app():\n    return FastAPI()\n"
    )
    code, err = _refused(host)
    assert code == 2 and "no FastAPI application" in err


def test_two_apps_and_django_beside_fastapi_ask_which(host: Path) -> None:
    (host / "app" / "admin.py").write_text("from fastapi import FastAPI\n\nadmin = FastAPI()\n")
    code, err = _refused(host)
    assert code == 2 and "2 FastAPI applications" in err and 'app = "pkg.module:app"' in err
    (host / "app" / "admin.py").unlink()
    (host / "manage.py").write_text("import os\nos.environ.setdefault('X', 'y')\n")
    # As acp-lint detects: beside a manage.py, a FastAPI app is looked for only when the
    # project's own dependencies name FastAPI; then both are found and echelon asks.
    (host / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    code, err = _refused(host)
    assert code == 2 and 'framework = "django" or "fastapi"' in err
    # Without that declaration it is a Django project to both tools, and this one's settings
    # cannot be found: Django's detection says so.
    (host / "requirements.txt").unlink()
    code, err = _refused(host)
    assert code == 2 and "cannot find the Django settings of manage.py" in err, err


def test_a_symlinked_app_module_pointing_outside_is_refused(host: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = outside / "main.py"
    shutil.move(host / "app" / "main.py", target)
    (host / "app" / "main.py").symlink_to(target)
    outside_before = target.read_bytes()
    code, err = _refused(host)
    assert code in (1, 2) and "main.py" in err
    assert target.read_bytes() == outside_before


def test_a_symlinked_app_package_pointing_outside_is_refused(host: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "app"
    shutil.move(host / "app", outside)
    (host / "app").symlink_to(outside, target_is_directory=True)
    code, err = _refused(host)
    assert code in (1, 2) and "outside the project" in err


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("x = " + "[" * 150 + "1" + "]" * 150 + "\n", "nest"),
        ("y = [\n" + "    1,\n" * 60_000 + "]\n", "bytes"),
    ],
    ids=["deep", "huge"],
)
def test_a_deep_or_huge_app_module_is_refused(host: Path, extra: str, expected: str) -> None:
    with (host / "app" / "main.py").open("a") as handle:
        handle.write(extra)
    code, err = _refused(host)
    assert code in (1, 2) and expected in err and "app/main.py" in err


def test_alembic_versions_outside_the_project_is_refused(host: Path, tmp_path: Path) -> None:
    ini = host / "alembic.ini"
    text = ini.read_text().replace("script_location = %(here)s/alembic", "")
    text = text.replace("script_location = alembic", "")
    elsewhere = tmp_path / "scripts"
    shutil.copytree(host / "alembic", elsewhere)
    text = text.replace("[alembic]", f"[alembic]\nscript_location = {elsewhere}", 1)
    ini.write_text(text)
    code, err = _refused(host)
    assert code == 2 and "outside the project" in err


def test_a_crafted_fastapi_manifest_cannot_name_a_host_module_as_the_revision(
    host: Path,
) -> None:
    done = echelon("install", "--kernel-id", KERNEL, ".", cwd=host)
    assert done.returncode == 0, done.stderr
    path = host / ".acp" / "manifest.json"
    manifest = json.loads(path.read_text())
    revision = manifest["host"]["alembic_revision"]
    entry = manifest["files"].pop(revision)
    # The app module, listed as "the revision echelon wrote" with its current hash.
    manifest["host"]["alembic_revision"] = "app/models.py"
    entry["sha256"] = hashlib.sha256((host / "app" / "models.py").read_bytes()).hexdigest()
    manifest["files"]["app/models.py"] = entry
    path.write_text(json.dumps(manifest))
    before = tree_hash(host)
    removed = echelon("uninstall", ".", cwd=host)
    assert removed.returncode == 2 and "app/models.py" in removed.stderr, removed.stderr
    assert tree_hash(host) == before


def test_a_custom_base_path_is_served_and_doctor_agrees(host: Path) -> None:
    done = echelon("install", "--base-path", "/api/acp", "--kernel-id", KERNEL, ".", cwd=host)
    assert done.returncode == 0, done.stderr
    bindings = json.loads((host / "controlplane.bindings.json").read_text())
    assert bindings["endpoint_path"] == "/api/acp/manage"
    status, body, _ = _probe(host, {"PROBE_ENDPOINT": "/api/acp/manage"})
    assert (status, body["code"]) == (503, "FEATURE_DISABLED")
    assert _probe(host)[0] == 404  # nothing at the default path
    assert echelon("doctor", ".", cwd=host).returncode == 0
    # The include edited by hand to another prefix: doctor names the disagreement.
    main = host / "app" / "main.py"
    main.write_text(main.read_text().replace('prefix="/api/acp"', 'prefix="/v2"'))
    doctor = echelon("doctor", ".", cwd=host)
    assert doctor.returncode == 1
    assert "/v2/manage" in doctor.stdout and "/api/acp/manage" in doctor.stdout


def test_a_crlf_app_module_keeps_its_line_endings_and_is_restored(host: Path) -> None:
    main = host / "app" / "main.py"
    main.write_bytes(main.read_text().replace("\n", "\r\n").encode())
    before = tree_hash(host, ignore=IGNORED)
    done = echelon("install", "--kernel-id", KERNEL, ".", cwd=host)
    assert done.returncode == 0, done.stderr
    edited = main.read_bytes()
    assert b'app.include_router(acp_router, prefix="/api")\r\n' in edited
    assert edited.count(b"\n") == edited.count(b"\r\n")
    assert _probe(host)[:1] == [503]
    assert echelon("uninstall", ".", cwd=host).returncode == 0
    assert tree_hash(host, ignore=IGNORED) == before


def test_a_latin1_app_module_is_refused_not_rewritten(host: Path) -> None:
    main = host / "app" / "main.py"
    text = "# -*- coding: latin-1 -*-\n# caf\u00e9 au lait\n" + main.read_text()
    main.write_bytes(text.encode("latin-1"))
    code, err = _refused(host)
    assert code == 1 and "app/main.py is not UTF-8" in err


def test_doctor_names_a_removed_include_and_a_changed_package_file(host: Path) -> None:
    assert echelon("install", "--kernel-id", KERNEL, ".", cwd=host).returncode == 0
    main = host / "app" / "main.py"
    main.write_text(main.read_text().replace('app.include_router(acp_router, prefix="/api")\n', ""))
    with (host / "acp" / "keys.py").open("a") as handle:
        handle.write("# changed\n")
    doctor = echelon("doctor", "--json", ".", cwd=host)
    assert doctor.returncode == 1
    failed = {
        (c["check"], c["message"]) for c in json.loads(doctor.stdout)["checks"] if not c["ok"]
    }
    assert ("file", "acp/keys.py was modified since install") in failed
    # the linter reads the FastAPI routes: the neutral mount check and the edited file agree
    assert ("route", "the ACP app is not mounted; bindings say /api/manage") in failed
    assert ("file", "app/main.py: the ACP mount is missing, not '/api'") in failed


def test_a_host_route_serving_the_endpoint_refuses_and_a_free_base_path_installs(
    host: Path,
) -> None:
    """The gate reads the FastAPI routes: a host catch-all under /api serves /api/manage today
    (Starlette confirms), so the install is refused with ACP201 and free base paths; the first
    suggested one installs and is served by ACP while the host route keeps its paths."""
    main = host / "app" / "main.py"
    main.write_text(
        main.read_text()
        + '\n\n@app.post("/api/{name}")\ndef catch(name: str):\n    return {"name": name}\n'
    )
    git(host, "add", "-A")
    git(host, "commit", "-qm", "catch-all")
    assert _probe(host)[:2] == [200, {"name": "manage"}]  # Starlette: the host serves it
    before = tree_hash(host)
    refused = echelon("install", "--kernel-id", KERNEL, ".", cwd=host)
    assert refused.returncode == 1 and tree_hash(host) == before
    assert "app/main.py:20:2: ACP201 route '/api/{name}' serves /api/manage" in refused.stdout
    hint = next(line for line in refused.stderr.splitlines() if "free base paths:" in line)
    base = hint.split("--base-path ")[1].rstrip(")")
    done = echelon("install", "--kernel-id", KERNEL, "--base-path", base, ".", cwd=host)
    assert done.returncode == 0, done.stderr
    assert _probe(host, {"PROBE_ENDPOINT": f"{base}/manage"})[:1] == [503]  # ACP, disabled
    assert _probe(host)[:2] == [200, {"name": "manage"}]  # the host keeps its route
