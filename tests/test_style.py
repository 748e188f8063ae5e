"""The project lints and formats itself with Ruff, and acp-lint passes on its own template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True
    )


def test_ruff_check() -> None:
    completed = _ruff("check", ".")
    assert completed.returncode == 0, completed.stdout


def test_ruff_format() -> None:
    completed = _ruff("format", "--check", ".")
    assert completed.returncode == 0, completed.stdout
