"""No crash on real-world code: Django's own modules, linted as if they were ACP handlers."""

from __future__ import annotations

import shutil
from pathlib import Path

import django
from clitools import run_cli

SUBTREES = ("views", "core/handlers", "contrib/auth", "contrib/admin/views", "db/migrations")


def test_every_rule_runs_on_django_source_without_crashing(tmp_path: Path) -> None:
    source = Path(django.__path__[0])
    for subtree in SUBTREES:
        shutil.copytree(
            source / subtree,
            tmp_path / "django" / subtree,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    (tmp_path / "acp-lint.toml").write_text('handlers = ["django/**/*.py"]\n')
    completed = run_cli("--no-cache", "--output-format", "concise", cwd=tmp_path)
    assert completed.returncode in (0, 1), completed.stderr
    assert "internal error" not in completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[-1].startswith("Found ")
    # Class-based views in django/views are real handlers without an ACP_ENABLED guard.
    assert any(" ACP104 " in line and "django/views/" in line for line in lines)
    assert not any(" ACP000 " in line for line in lines)
