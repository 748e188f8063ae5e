"""Install into real startproject layouts; Django, acp-lint and the endpoint must agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from installer_helpers import LAYOUTS, PYTHON, echelon, run, tree_hash

CLIENT = """
import json, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
response = Client().post("/api/manage", data="{}", content_type="application/json")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def _source_dir(project: Path) -> Path:
    return project / "src" if (project / "src" / "manage.py").exists() else project


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_install_check_migrate_lint_and_endpoint(make_project, layout: str) -> None:
    project = make_project(layout)
    _, settings_module, urlconf = LAYOUTS[layout]
    before = (project / urlconf).read_bytes()

    result = echelon("install", "--yes", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "installed" in result.stdout

    after = (project / urlconf).read_bytes()
    assert b'include("acp.urls")' in after or b"include('acp.urls')" in after
    if b"\r\n" in before:  # CRLF kept, no lone LF introduced
        assert after.count(b"\n") == after.count(b"\r\n")
    bindings = json.loads((project / "controlplane.bindings.json").read_text())
    assert bindings["base_path"] == "/api" and bindings["endpoint_path"] == "/api/manage"
    assert bindings["kernel_id"].startswith("dev-")

    source = _source_dir(project)
    check = run([PYTHON, "manage.py", "check"], source)
    assert check.returncode == 0, check.stderr
    migrate = run([PYTHON, "manage.py", "migrate", "--noinput"], source)
    assert migrate.returncode == 0, migrate.stderr
    assert "Applying acp.0001_initial... OK" in migrate.stdout

    lint = run([PYTHON, "-m", "acp_lint"], project)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    client = run([PYTHON, "-c", CLIENT], source, env={"DJANGO_SETTINGS_MODULE": settings_module})
    assert client.returncode == 0, client.stderr
    answer = json.loads(client.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["code"] == "FEATURE_DISABLED"

    # A second run with the same options changes nothing at all.
    snapshot = tree_hash(project, ignore=("__pycache__",))
    again = echelon("install", "--yes", ".", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "already installed" in again.stdout
    assert tree_hash(project, ignore=("__pycache__",)) == snapshot


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_install_then_uninstall_restores_every_byte(make_project, layout: str) -> None:
    project = make_project(layout)
    original = tree_hash(project)
    assert echelon("install", ".", cwd=project).returncode == 0
    assert tree_hash(project) != original
    result = echelon("uninstall", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    assert tree_hash(project) == original


def test_custom_app_name_installs_works_and_uninstalls(make_project) -> None:
    """``--app-name agentic``: the package is named by the flag, the app label stays ``acp``."""
    project = make_project("default")
    original = tree_hash(project)
    result = echelon("install", "--yes", "--app-name", "agentic", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "agentic" / "views.py").is_file() and not (project / "acp").exists()
    urls = (project / "mysite" / "urls.py").read_text()
    assert "include('agentic.urls')" in urls or 'include("agentic.urls")' in urls
    assert "'agentic'" in (project / "mysite" / "settings.py").read_text()

    assert run([PYTHON, "manage.py", "check"], project).returncode == 0
    migrate = run([PYTHON, "manage.py", "migrate", "--noinput"], project)
    assert "Applying acp.0001_initial... OK" in migrate.stdout, migrate.stderr
    lint = run([PYTHON, "-m", "acp_lint"], project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    client = run([PYTHON, "-c", CLIENT], project, env={"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    answer = json.loads(client.stdout.strip().splitlines()[-1])
    assert (answer["status"], answer["body"]["code"]) == (503, "FEATURE_DISABLED")
    key = run(
        [PYTHON, "manage.py", "acp_create_key", "--name", "ci", "--scopes", "manage.read"], project
    )
    assert key.returncode == 0, key.stderr

    (project / "db.sqlite3").unlink()
    assert echelon("uninstall", ".", cwd=project).returncode == 0
    assert tree_hash(project, ignore=("__pycache__", ".acp-lint-cache")) == original
