"""The flags a Ruff user expects (issue 18 §1), each through the real CLI in a subprocess."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from clitools import run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"
SUMMARY = re.compile(r"Found (\d+) errors? \((\d+) fixed, (\d+) remaining\)\.")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the bundled demo inside a directory that holds other things too."""
    project = tmp_path / "work" / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    return project


def _count(project: Path, *args: str) -> int:
    completed = run_cli("--output-format", "json", "--no-cache", *args, cwd=project)
    assert completed.returncode in (0, 1), completed.stderr
    return len(json.loads(completed.stdout))


# -- 1. --config -------------------------------------------------------------------------


def test_config_of_any_name_is_read_with_top_level_keys(demo: Path) -> None:
    (demo / "lint-ci.toml").write_text('select = ["ACP104"]\n')
    completed = run_cli("--config", "lint-ci.toml", "--no-cache", "acp/views.py", cwd=demo)
    assert completed.returncode == 1, completed.stderr
    codes = set(re.findall(r": (ACP\d{3})", completed.stdout))
    assert codes == {"ACP104"}  # the file's select applied: it was read


def test_config_pyproject_with_tool_table_is_read(demo: Path) -> None:
    other = demo / "ci"
    other.mkdir()
    shutil.copy(DEMO / "acp" / "views.py", other / "views.py")
    (other / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.acp-lint]\nhandlers = ["views.py"]\nselect = ["ACP101"]\n'
    )
    completed = run_cli("--config", "ci/pyproject.toml", "--no-cache", "ci/views.py", cwd=demo)
    assert completed.returncode == 1, completed.stderr
    assert set(re.findall(r": (ACP\d{3})", completed.stdout)) == {"ACP101"}


def test_config_unknown_key_is_exit_2_naming_file_and_key(demo: Path) -> None:
    (demo / "alt.toml").write_text('handlers = ["acp/*.py"]\nselekt = ["ACP1"]\n')
    completed = run_cli("--config", "alt.toml", "acp/views.py", cwd=demo)
    assert completed.returncode == 2
    assert "alt.toml" in completed.stderr and "'selekt'" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_config_with_a_tool_table_and_other_keys_is_an_error(demo: Path) -> None:
    (demo / "alt.toml").write_text('select = ["ACP1"]\n\n[tool.acp-lint]\nselect = ["ACP2"]\n')
    completed = run_cli("--config", "alt.toml", "acp/views.py", cwd=demo)
    assert completed.returncode == 2
    assert "top level" in completed.stderr


def test_config_outside_the_project_never_passes_silently(demo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "acp-lint.toml").write_text('select = ["ACP1"]\n')
    assert _count(demo, "acp/views.py") == 6
    completed = run_cli("--config", str(elsewhere / "acp-lint.toml"), "acp/views.py", cwd=demo)
    assert completed.returncode == 2
    assert "outside the project root" in completed.stderr
    assert str(elsewhere) in completed.stderr
    assert "All checks passed" not in completed.stdout


def test_config_above_the_project_whose_globs_match_nothing_warns(demo: Path) -> None:
    (demo.parent / "acp-lint.toml").write_text('handlers = ["acp/*.py"]\n')
    completed = run_cli("--config", "../acp-lint.toml", "--no-cache", "acp/views.py", cwd=demo)
    assert completed.returncode == 0
    assert "no given file matches the handlers/migrations globs" in completed.stderr
    assert str(demo.parent) in completed.stderr
    # Globs written relative to the config file's directory (the root) do match.
    (demo.parent / "acp-lint.toml").write_text('handlers = ["demo/acp/*.py"]\n')
    completed = run_cli("--config", "../acp-lint.toml", "--no-cache", "acp/views.py", cwd=demo)
    assert completed.returncode == 1 and "warning" not in completed.stderr


def test_config_file_not_found_is_exit_2(demo: Path) -> None:
    completed = run_cli("--config", "missing.toml", cwd=demo)
    assert completed.returncode == 2 and "missing.toml: config file not found" in completed.stderr


def test_urlconf_as_a_file_path_names_the_dotted_module(demo: Path) -> None:
    (demo / "acp-lint.toml").write_text('urlconf = "shop/urls.py"\n')
    completed = run_cli(cwd=demo)
    assert completed.returncode == 2
    assert "'urlconf'" in completed.stderr and "dotted module" in completed.stderr
    assert "'shop.urls'" in completed.stderr
    (demo / "acp-lint.toml").write_text('urlconf = "shop.urls"\n')
    assert run_cli("--no-cache", cwd=demo).returncode == 1


# -- 2. fix summaries ----------------------------------------------------------------------


def test_fix_summaries_add_up_to_what_a_check_reports(demo: Path) -> None:
    total = _count(demo)
    assert total == 10  # the ten places the README promises
    views = _count(demo, "acp/views.py")
    safe = run_cli("--fix", "--no-cache", "acp/views.py", cwd=demo)
    found, fixed, remaining = map(int, SUMMARY.search(safe.stdout).groups())
    assert found == views and fixed + remaining == found
    assert remaining == _count(demo, "acp/views.py")
    unsafe = run_cli("--fix", "--unsafe-fixes", "--no-cache", "acp/views.py", cwd=demo)
    found, fixed, remaining = map(int, SUMMARY.search(unsafe.stdout).groups())
    assert found == views - 2  # what the safe run said remained
    assert (fixed, remaining) == (found, 0)
    assert remaining == _count(demo, "acp/views.py")


def test_whole_demo_fix_counts_every_finding_once(demo: Path) -> None:
    completed = run_cli("--fix", "--unsafe-fixes", "--no-cache", cwd=demo)
    found, fixed, remaining = map(int, SUMMARY.search(completed.stdout).groups())
    assert found == 10
    assert remaining == _count(demo) and fixed == found - remaining


# -- 3. formats, environment, empty input ------------------------------------------------


def test_statistics_json_is_json(demo: Path) -> None:
    completed = run_cli("--statistics", "--output-format", "json", "--no-cache", cwd=demo)
    assert completed.returncode == 1
    rows = json.loads(completed.stdout)
    assert sum(row["count"] for row in rows) == _count(demo)
    by_code = {row["code"]: row for row in rows}
    assert by_code["ACP104"]["fixable"] is True and by_code["ACP104"]["fixable_count"] == 2
    assert by_code["ACP201"]["name"] == "route-collision"


def test_invalid_output_format_from_the_environment_is_exit_2(demo: Path) -> None:
    completed = run_cli(cwd=demo, env={"ACP_LINT_OUTPUT_FORMAT": "xml"})
    assert completed.returncode == 2
    assert "ACP_LINT_OUTPUT_FORMAT" in completed.stderr and "'xml'" in completed.stderr
    valid = run_cli("--no-cache", cwd=demo, env={"ACP_LINT_OUTPUT_FORMAT": "json"})
    assert len(json.loads(valid.stdout)) == 10


def test_every_environment_variable_read_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    pattern = re.compile(r"\"(ACP_LINT_[A-Z_]+|NO_COLOR|FORCE_COLOR)\"")
    read = set()
    for path in (REPO / "acp_lint").rglob("*.py"):
        read |= set(pattern.findall(path.read_text()))
    assert {"ACP_LINT_OUTPUT_FORMAT", "ACP_LINT_NO_CACHE", "NO_COLOR"} <= read
    missing = sorted(name for name in read if f"`{name}" not in readme)
    assert not missing


def test_empty_directory_says_there_is_nothing_to_check(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_tree(tmp_path, {"notes/readme.txt": "hello\n"})
    for target in ("empty", "notes"):
        completed = run_cli(target, cwd=tmp_path)
        assert completed.returncode == 0
        assert "No Python, SQL or bindings files found" in completed.stderr
        assert "All checks passed" not in completed.stdout
    as_json = run_cli("empty", "--output-format", "json", cwd=tmp_path)
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == []
