"""The generated app passes the acp-lint rules (the installer's self-check gate depends on it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostproject import REPO_ROOT, HostProject

SCOPES = {
    "heuristics": None,
    "explicit": (
        '[tool.acp-lint]\nhandlers = ["acp/**/*.py"]\nmigrations = ["acp/migrations/*.py"]\n'
    ),
}


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "acp_lint", "check", "--output-format", "json", "--no-cache", "."],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("scope", list(SCOPES))
def test_generated_app_passes_acp_lint(host: HostProject, tmp_path: Path, scope: str) -> None:
    root = tmp_path / "host"
    shutil.copytree(host.root, root, ignore=shutil.ignore_patterns("db.sqlite3*", "__pycache__"))
    if SCOPES[scope]:
        (root / "pyproject.toml").write_text(SCOPES[scope], encoding="utf-8")
    result = lint(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []

    # The run is not vacuous: the same linter flags a fail-open guard in the same tree.
    views = root / "acp" / "views.py"
    views.write_text(
        views.read_text().replace('get("ACP_ENABLED", "")', 'get("ACP_ENABLED", "true")')
    )
    flagged = lint(root)
    assert flagged.returncode == 1
    assert [d["code"] for d in json.loads(flagged.stdout)] == ["ACP104"]
