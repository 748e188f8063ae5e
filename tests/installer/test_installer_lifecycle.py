"""Staged production flow, updates, uninstall of changed files, .env.example, doctor."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from acp_installer.cli import main
from acp_installer.doctor import doctor
from acp_installer.install import install
from acp_installer.plan import ENV_MARKER, InstallOptions
from installer_helpers import PYTHON, echelon, run, tree_hash

HEALTHY_ENV = {
    "ACP_ENABLED": "false",
    "ACP_BASE_URL": "https://hub.example.com",
    "ACP_KERNEL_KEY": "not-printed-secret",
    "ACP_FAIL_MODE": "closed",
}


def _tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'acp_%' ORDER BY name"
        ).fetchall()
    return [row[0] for row in rows]


def test_staged_flow_migrations_only_migrate_then_no_migrations(project: Path) -> None:
    args = ["--env", "production", "--kernel-id", "shop-prod", "--yes"]
    first = echelon("install", *args, "--migrations-only", ".", cwd=project)
    assert first.returncode == 0, first.stderr
    urls = (project / "mysite" / "urls.py").read_text()
    assert "acp.urls" not in urls  # no route yet
    assert not (project / "acp" / "views.py").exists()
    assert (project / "acp" / "migrations" / "0001_initial.py").exists()
    assert "'acp'" in (project / "mysite" / "settings.py").read_text()

    migrate = run([PYTHON, "manage.py", "migrate", "--noinput"], project)
    assert migrate.returncode == 0, migrate.stderr
    assert migrate.stdout.count("Applying acp.0001_initial... OK") == 1
    assert _tables(project / "db.sqlite3") == ["acp_api_key", "acp_audit_log"]

    second = echelon("install", *args, "--no-migrations", ".", cwd=project)
    assert second.returncode == 0, second.stderr
    assert "must already exist" in second.stdout
    assert "path('api/', include('acp.urls'))" in (project / "mysite" / "urls.py").read_text()
    assert (project / "acp" / "views.py").exists()
    assert sorted(p.name for p in (project / "acp" / "migrations").glob("*.py")) == [
        "0001_initial.py",
        "__init__.py",
    ]
    again = run([PYTHON, "manage.py", "migrate", "--noinput"], project)
    assert again.returncode == 0, again.stderr
    assert "No migrations to apply." in again.stdout
    pending = run([PYTHON, "manage.py", "makemigrations", "acp", "--check", "--dry-run"], project)
    assert pending.returncode == 0, pending.stdout + pending.stderr
    assert run([PYTHON, "-m", "acp_lint"], project).returncode == 0


def test_new_base_path_moves_mount_and_bindings_together(project: Path, capsys) -> None:
    assert main(["install", str(project)]) == 0
    kernel = json.loads((project / "controlplane.bindings.json").read_text())["kernel_id"]
    assert main(["install", "--base-path", "/api/v2/acp", str(project)]) == 0
    urls = (project / "mysite" / "urls.py").read_text()
    assert "path('api/v2/acp/', include('acp.urls'))" in urls and "'api/'" not in urls
    bindings = json.loads((project / "controlplane.bindings.json").read_text())
    assert bindings == {
        "kernel_id": kernel,
        "base_path": "/api/v2/acp",
        "endpoint_path": "/api/v2/acp/manage",
        "env": "development",
    }
    capsys.readouterr()
    assert main(["doctor", "--json", str(project)]) == 0  # env vars unset: installed, disabled
    report = json.loads(capsys.readouterr().out)
    assert report["state"] == "installed, disabled"
    route = [c for c in report["checks"] if c["check"] == "route"]
    assert route and route[0]["ok"] and "/api/v2/acp/manage" in route[0]["message"]


def test_uninstall_keeps_changed_files_unless_forced(project: Path, capsys) -> None:
    original = tree_hash(project)
    assert main(["install", str(project)]) == 0
    views = project / "acp" / "views.py"
    views.write_text(views.read_text() + "\n# my change\n")
    assert main(["uninstall", str(project)]) == 0
    out = capsys.readouterr().out
    assert "keep    acp/views.py (changed since install" in out
    assert views.exists() and not (project / "acp" / "urls.py").exists()
    assert (project / ".acp" / "manifest.json").exists()
    assert main(["uninstall", "--force", str(project)]) == 0
    assert tree_hash(project) == original


def test_uninstall_reverts_edits_of_a_host_file_changed_since(project: Path) -> None:
    assert main(["install", str(project)]) == 0
    settings = project / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\nTIME_ZONE = 'Europe/Paris'\n")
    urls = project / "mysite" / "urls.py"
    urls.write_text(urls.read_text().replace("urlpatterns = [", "# host comment\nurlpatterns = ["))
    assert main(["uninstall", str(project)]) == 0
    settings_text = settings.read_text()
    assert "TIME_ZONE = 'Europe/Paris'" in settings_text and "'acp'" not in settings_text
    urls_text = urls.read_text()
    assert "# host comment" in urls_text
    assert "include('acp.urls')" not in urls_text
    assert "from django.urls import path\n" in urls_text  # the added include is gone


def test_existing_env_example_gets_one_block_and_loses_it_on_uninstall(project: Path) -> None:
    env = project / ".env.example"
    env.write_bytes(b"DEBUG=1\r\nSECRET_KEY=")
    original = tree_hash(project)
    assert main(["install", str(project)]) == 0
    data = env.read_bytes()
    assert data.startswith(b"DEBUG=1\r\nSECRET_KEY=\r\n\r\n# ACP (Agentic Control Plane)\r\n")
    assert b"ACP_ENABLED=false\r\n" in data and b"ACP_KERNEL_KEY=\r\n" in data
    assert data.count(ENV_MARKER.encode()) == 1
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert main(["install", "--base-path", "/acp", str(project)]) == 0
    assert env.read_bytes() == data
    assert main(["uninstall", str(project)]) == 0
    assert tree_hash(project) == original


def test_doctor_healthy_then_names_what_broke(project: Path) -> None:
    result = install(InstallOptions(project))
    assert result.status == "installed"
    report = doctor(project, HEALTHY_ENV)
    assert report.healthy, [c for c in report.checks if not c.ok]
    assert "not-printed-secret" not in json.dumps([c.to_json() for c in report.checks])

    unset = doctor(project, {})
    assert unset.healthy and unset.state == "installed, disabled"
    enabled = doctor(project, {"ACP_ENABLED": "true"})
    assert {c.message for c in enabled.checks if not c.ok} >= {
        f"{name} is not set" for name in ("ACP_BASE_URL", "ACP_KERNEL_KEY")
    }

    (project / "acp" / "audit.py").write_text("# tampered\n")
    bindings = project / "controlplane.bindings.json"
    data = json.loads(bindings.read_text())
    bindings.write_text(json.dumps({**data, "base_path": "/x", "endpoint_path": "/x/manage"}))
    broken = doctor(project, HEALTHY_ENV)
    failures = [c.message for c in broken.checks if not c.ok]
    assert "acp/audit.py was modified since install" in failures
    assert any("ACP202" in message for message in failures)
    assert any(c.name == "route" and "mounted at /api/manage" in c.message for c in broken.checks)


def test_doctor_cli_exit_codes(project: Path) -> None:
    assert echelon("install", ".", cwd=project).returncode == 0
    healthy = echelon("doctor", "--json", ".", cwd=project, env=HEALTHY_ENV)
    assert healthy.returncode == 0, healthy.stdout
    assert json.loads(healthy.stdout)["healthy"] is True
    sick = echelon("doctor", ".", cwd=project, env={"ACP_FAIL_MODE": "clsoed"})
    assert sick.returncode == 1
    assert "FAIL env       ACP_FAIL_MODE = 'clsoed' is not a valid fail mode" in sick.stdout
    assert sick.stdout.endswith("echelon doctor: NOT healthy (installed, disabled)\n")


def test_install_json_result(project: Path) -> None:
    result = echelon("install", "--json", "--kernel-id", "shop-1", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "installed" and data["kernel_id"] == "shop-1"
    assert data["route"] == 'path("api/", include("acp.urls"))'
    again = json.loads(echelon("install", "--json", ".", cwd=project).stdout)
    assert again["status"] == "already-installed"
    assert {f["action"] for f in again["files"]} == {"unchanged"}
