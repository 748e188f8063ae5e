"""The guides' commands, run as written on the repositories they are written for."""

from __future__ import annotations

import shutil
from pathlib import Path

from docs_console import Step, console_steps, guide_environment, run_step

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def test_console_blocks_are_parsed_with_exit_codes_heredocs_and_output() -> None:
    markdown = (
        "text\n```console\n$ acp-lint  # exit 1\nA finding\n$ cat > f <<'EOF'\nx = 1\nEOF\n"
        "$ true\n```\n```python\n$ not a command\n```\n"
    )
    assert console_steps(markdown) == [
        Step("acp-lint", 1, ["A finding"]),
        Step("cat > f <<'EOF'\nx = 1\nEOF", 0, []),
        Step("true", 0, []),
    ]


def test_migration_guide_runs_on_a_legacy_installation(tmp_path: Path) -> None:
    host = tmp_path / "legacy"
    shutil.copytree(REPO / "fixtures" / "legacy", host)
    legacy_record = (host / ".acp" / "install.json").read_bytes()
    steps = console_steps((DOCS / "migrating-existing-installations.md").read_text())
    assert len(steps) >= 10
    env = guide_environment()
    for step in steps:
        run_step(step, host, env)
    # The guide's end state: the endpoint moved, guarded, and the original record untouched.
    assert 'path("acp/manage", manage_endpoint)' in (host / "legacyshop/urls.py").read_text()
    assert "ACP_ENABLED" in (host / "views/manage.py").read_text()
    assert (host / ".acp" / "install.json").read_bytes() == legacy_record


def test_production_guide_runs_on_a_fresh_startproject(tmp_path: Path) -> None:
    host = tmp_path / "shop"
    host.mkdir()
    steps = console_steps((DOCS / "production-install-guide.md").read_text())
    assert len(steps) >= 10
    env = guide_environment()
    outputs = [run_step(step, host, env) for step in steps]
    # Uninstalled at the end: only the host's own files are left, and the key was printed last.
    key_output = next(
        out for step, out in zip(steps, outputs, strict=True) if "acp_create_key" in step.command
    )
    assert key_output.strip().splitlines()[-1].startswith("acp_")
    assert not (host / "acp").exists()
    assert not (host / ".acp").exists()
    assert "acp" not in (host / "shop" / "settings.py").read_text().split("INSTALLED_APPS")[1][:400]
