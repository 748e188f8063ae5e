"""The bundled demo host repository: the quick start's expected findings, and its fix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from clitools import run_cli, run_json

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"

EXPECTED = [
    ("fixtures/demo/acp/apps.py", 12, "ACP103"),
    ("fixtures/demo/acp/migrations/0001_initial.py", 21, "ACP301"),
    ("fixtures/demo/acp/sql/0002_cleanup.sql", 9, "ACP301"),
    ("fixtures/demo/acp/views.py", 12, "ACP101"),
    ("fixtures/demo/acp/views.py", 13, "ACP102"),  # column 10
    ("fixtures/demo/acp/views.py", 13, "ACP101"),  # column 38
    ("fixtures/demo/acp/views.py", 15, "ACP103"),
    ("fixtures/demo/acp/views.py", 23, "ACP104"),
    ("fixtures/demo/acp/views.py", 29, "ACP104"),
    ("fixtures/demo/shop/urls.py", 13, "ACP201"),
]


def test_demo_findings() -> None:
    code, payload = run_json("fixtures/demo", cwd=REPO)
    assert code == 1
    assert [(item["path"], item["line"], item["code"]) for item in payload] == EXPECTED


def test_host_code_is_never_reported() -> None:
    _, payload = run_json("fixtures/demo", cwd=REPO)
    paths = {item["path"] for item in payload}
    assert "fixtures/demo/shop/settings.py" not in paths
    assert "fixtures/demo/catalog/views.py" not in paths
    assert "fixtures/demo/catalog/migrations/0002_drop_legacy.py" not in paths


def test_collision_names_the_acp_route_and_suggests_free_base_paths() -> None:
    _, payload = run_json("fixtures/demo", cwd=REPO)
    collision = next(item for item in payload if item["code"] == "ACP201")
    assert "acp/urls.py:7" in collision["message"]
    assert "Free base paths: /" in collision["message"]


def _import_views(project: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "shop.settings"}
    return subprocess.run(
        [sys.executable, "-c", "import acp.views"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_fixing_the_handler_leaves_a_module_that_imports_with_an_empty_environment(
    tmp_path: Path,
) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    before = _import_views(project)
    assert before.returncode != 0 and "KeyError: 'ACP_BASE_URL'" in before.stderr

    safe = run_cli("--fix", "acp/views.py", cwd=project)
    # The two guards (ACP104's fix is safe); the other findings of views.py remain.
    assert "Found 6 errors (2 fixed, 4 remaining)." in safe.stdout
    unsafe = run_cli("--fix", "--unsafe-fixes", "acp/views.py", cwd=project)
    assert unsafe.returncode == 0, unsafe.stdout

    after = _import_views(project)
    assert after.returncode == 0, after.stderr
    rerun = run_cli("--select", "ACP1", "acp/views.py", cwd=project)
    assert rerun.returncode == 0
