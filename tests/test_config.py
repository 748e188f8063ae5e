"""Strict configuration: every mistake names the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from clitools import run_cli

from acp_lint.config import ConfigError, find_project_root, load_config


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_pyproject_table_is_found_walking_up(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.acp-lint]\nhandlers = ["acp/*.py"]\nsql-dialect = "mysql"\n',
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = load_config(nested)
    assert config.root == tmp_path.resolve()
    assert config.handlers == ("acp/*.py",)
    assert config.sql_dialect == "mysql"


def test_acp_lint_toml_wins_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.acp-lint]\nsql-dialect = "mysql"\n')
    write(tmp_path / "acp-lint.toml", 'sql-dialect = "sqlite"\n')
    assert load_config(tmp_path).sql_dialect == "sqlite"


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    config = load_config(tmp_path)
    assert config.source is None
    assert config.root == tmp_path


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ("handler = []\n", ["unknown key 'handler'", "handlers"]),
        ("handlers = 'acp/*.py'\n", ["'handlers'", "expected a list of strings"]),
        ("handlers = [1]\n", ["'handlers'", "expected a list of strings"]),
        ("select = ['ACP999']\n", ["'select'", "unknown rule 'ACP999'"]),
        ("sql-dialect = 'oracle'\n", ["'sql-dialect'", "postgres, mysql, sqlite", "'oracle'"]),
        ("urlconf = 3\n", ["'urlconf'", "expected a non-empty string"]),
        ("per-file-ignores = ['x']\n", ["'per-file-ignores'", "glob = [codes]"]),
        ("[per-file-ignores]\n'acp/*.py' = ['ACP9']\n", ["per-file-ignores.acp/*.py", "ACP9"]),
        ("handlers = [\n", ["invalid TOML"]),
    ],
)
def test_bad_config_names_file_key_and_expectation(
    tmp_path: Path, body: str, needles: list[str]
) -> None:
    path = write(tmp_path / "acp-lint.toml", body)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message


def test_rules_by_name_and_prefix_and_per_file_ignores(tmp_path: Path) -> None:
    write(
        tmp_path / "acp-lint.toml",
        'select = ["ACP1", "route-collision"]\nignore = ["ACP103"]\n'
        '[per-file-ignores]\n"acp/legacy/*.py" = ["env-read-at-import"]\n',
    )
    config = load_config(tmp_path)
    assert config.select == ("ACP101", "ACP102", "ACP103", "ACP104", "ACP201")
    assert config.ignore == ("ACP103",)
    assert config.per_file_ignores == (("acp/legacy/*.py", ("ACP101",)),)


def test_explicit_config_path(tmp_path: Path) -> None:
    path = write(tmp_path / "custom.toml", '[tool.acp-lint]\nbindings = "deploy/bindings.json"\n')
    config = load_config(tmp_path / "elsewhere", path)
    assert config.bindings == "deploy/bindings.json"
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path, tmp_path / "missing.toml")


def test_project_root_markers(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text("")
    nested = tmp_path / "app"
    nested.mkdir()
    assert find_project_root(nested) == tmp_path


def test_tool_table_in_acp_lint_toml_says_keys_go_at_top_level(tmp_path: Path) -> None:
    path = write(tmp_path / "acp-lint.toml", '[tool.acp-lint]\nhandlers = ["acp/*.py"]\n')
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    message = str(raised.value)
    assert str(path) in message
    assert "top level" in message and "[tool.acp-lint]" in message
    assert "unknown key 'tool'" not in message
    completed = run_cli("--no-cache", cwd=tmp_path)  # what the user sees: exit 2, one line
    assert completed.returncode == 2
    assert "acp-lint.toml holds its keys at top level" in completed.stderr


def test_root_is_the_directory_of_bindings_or_manifest_above_manage_py(tmp_path: Path) -> None:
    (tmp_path / "controlplane.bindings.json").write_text("{}")
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (sandbox / "manage.py").write_text("")
    assert load_config(sandbox).root == tmp_path
    (tmp_path / "controlplane.bindings.json").unlink()
    (tmp_path / ".acp").mkdir()
    (tmp_path / ".acp" / "manifest.json").write_text("{}")
    (sandbox / "app").mkdir()
    assert load_config(sandbox / "app").root == tmp_path


def test_root_without_anchors_is_the_git_top_else_the_nearest_marker(tmp_path: Path) -> None:
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (sandbox / "manage.py").write_text("")
    assert load_config(sandbox).root == sandbox  # no git, no anchors: the nearest marker
    (tmp_path / ".git").mkdir()
    assert load_config(sandbox).root == tmp_path  # the top of the git work tree
    # Nothing above the git top is looked at: a stray config there is another project's.
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / ".git").write_text("gitdir: elsewhere\n")
    (tmp_path / "acp-lint.toml").write_text("handler = 1\n")
    assert load_config(tmp_path / "inner").root == tmp_path / "inner"
