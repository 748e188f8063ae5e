"""The real pre-commit, against this checkout, in a temporary git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
HANDLER = (
    "import os\n\nfrom django.http import JsonResponse\n\n"
    "BASE_URL = os.environ['ACP_BASE_URL']\n\n\n"
    "def manage(request):\n"
    "    return JsonResponse({'hub': BASE_URL})\n"
)
FILES = {
    "acp-lint.toml": 'urlconf = "site_urls"\n',
    "site_urls.py": (
        "from django.urls import include, path\n\n"
        'urlpatterns = [path("api/", include("acp.urls"))]\n'
    ),
    "acp/__init__.py": "",
    "acp/urls.py": (
        "from django.urls import path\n\nfrom . import views\n\n"
        'urlpatterns = [path("manage", views.manage)]\n'
    ),
    "acp/views.py": HANDLER,
    "controlplane.bindings.json": (
        '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
    ),
}


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _try_repo(cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "acp-lint", "--all-files"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


@pytest.mark.slow
def test_pre_commit_try_repo_fails_then_passes_after_fix(tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    write_tree(host, FILES)
    _git("init", "-q", cwd=host)
    _git("add", "-A", cwd=host)
    home = tmp_path / "pre-commit-home"

    failing = _try_repo(host, home)
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "acp/views.py:5:12: ACP101" in output
    assert "acp/views.py:8:5: ACP104 [*]" in output

    fixed = run_cli("--fix", "--unsafe-fixes", cwd=host)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    _git("add", "-A", cwd=host)

    passing = _try_repo(host, home)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
