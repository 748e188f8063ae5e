"""The generated migration-heavy bench host (bench/migrations_host.py) at a small size: it is
valid Python in ACP scope, and acp-lint reads every file without an internal error."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).parent.parent))
import migrations_host  # noqa: E402
from clitools import run_json  # noqa: E402


def test_small_generated_host(tmp_path: Path) -> None:
    host = tmp_path / "host"
    assert migrations_host.build_migrations_app(host, apps=2, per_app=6) == 12
    files = sorted(host.glob("*/migrations/0*.py"))
    assert len(files) == 12
    for path in files:
        ast.parse(path.read_text())
    code, found = run_json("--no-cache", ".", cwd=host)
    assert code == 1
    assert {f["code"] for f in found} <= {"ACP301", "ACP303"}
    assert {f["path"].split("/")[0] for f in found} == {"app00", "app01"}
