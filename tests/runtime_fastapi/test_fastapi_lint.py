"""The generated FastAPI package passes the acp-lint handler rules (ACP101-ACP104).

Nothing is read, built or sent at import time, and the path operation checks
``ACP_ENABLED`` first. The runs are not vacuous: the same linter flags a fail-open guard and
a module-level environment read planted in the same copy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from apptemplate import copy_app
from fahost import REPO_ROOT

SCOPES = {"heuristics": None, "explicit": '[tool.acp-lint]\nhandlers = ["acp/**/*.py"]\n'}


def lint(root: Path) -> list[dict[str, object]]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "acp_lint",
            "check",
            "--no-project-rules",
            "--output-format",
            "json",
            "--no-cache",
            ".",
        ],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found = json.loads(result.stdout)
    assert (result.returncode == 1) == bool(found)
    return found


@pytest.mark.parametrize("scope", list(SCOPES))
def test_fastapi_package_passes_the_handler_rules(tmp_path: Path, scope: str) -> None:
    root = tmp_path / "host"
    copy_app(root / "acp", "fastapi")
    if SCOPES[scope]:
        (root / "pyproject.toml").write_text(SCOPES[scope], encoding="utf-8")
    assert lint(root) == []


def test_the_lint_run_is_not_vacuous(tmp_path: Path) -> None:
    """Found by the heuristics alone: a fail-open guard and a module-level env read."""
    root = tmp_path / "host"
    copy_app(root / "acp", "fastapi")
    router = root / "acp" / "router.py"
    source = router.read_text(encoding="utf-8")
    router.write_text(source.replace('get("ACP_ENABLED", "")', 'get("ACP_ENABLED", "true")'))
    conf = root / "acp" / "conf.py"
    conf.write_text(conf.read_text() + '\nMODE = os.environ.get("ACP_FAIL_MODE")\n')
    found = sorted((d["code"], d["path"]) for d in lint(root))
    assert found == [("ACP101", "acp/conf.py"), ("ACP104", "acp/router.py")]
