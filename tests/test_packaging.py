"""The distribution ships every package, and none called ``installer``."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


def test_every_package_is_listed() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    listed = set(data["tool"]["setuptools"]["packages"])
    mapping = data["tool"]["setuptools"]["package-dir"]
    assert "installer" not in listed
    assert mapping["acp_installer"] == "installer"
    found = set()
    for init in (REPO / "acp_lint").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(REPO).parts))
    for init in (REPO / "installer").rglob("__init__.py"):
        parts = init.parent.relative_to(REPO / "installer").parts
        if "templates" in parts:
            continue  # package data: the apps the installer writes (hosts/*/templates/)
        found.add(".".join(("acp_installer", *parts)))
    assert found <= listed, sorted(found - listed)


def test_sqlglot_and_libcst_are_not_imported_for_a_config_error(tmp_path) -> None:
    import subprocess

    (tmp_path / "acp-lint.toml").write_text("nope = 1\n")
    script = (
        "import sys\n"
        "from acp_lint.cli import main\n"
        "code = main([])\n"
        "assert code == 2, code\n"
        "assert 'libcst' not in sys.modules and 'sqlglot' not in sys.modules\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True)
    assert completed.returncode == 0, completed.stderr


def test_no_sql_files_means_no_sqlglot(tmp_path) -> None:
    import subprocess

    (tmp_path / "acp").mkdir()
    (tmp_path / "acp" / "views.py").write_text("import os\nX = os.getenv('ACP_X')\n")
    script = (
        "import sys\n"
        "from acp_lint.cli import main\n"
        "code = main(['acp/views.py'])\n"
        "assert code == 1, code\n"
        "assert 'sqlglot' not in sys.modules and 'sqlparse' not in sys.modules\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True)
    assert completed.returncode == 0, completed.stderr
