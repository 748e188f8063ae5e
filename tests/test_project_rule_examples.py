"""The project rules' (ACP201-ACP204) VALID/INVALID example projects, executed."""

from __future__ import annotations

import pytest
from clitools import write_tree

from acp_lint.config import Config
from acp_lint.engine import Linter
from acp_lint.registry import RULES, load_rule

PROJECT_CODES = ("ACP201", "ACP202", "ACP203", "ACP204")
ALL = frozenset(rule.code for rule in RULES)


def lint_project(root) -> list:
    return Linter(Config(root=root), ALL).run(None).diagnostics


VALID = [
    pytest.param(code, example, id=f"{code}-valid-{index}")
    for code in PROJECT_CODES
    for index, example in enumerate(load_rule(code).PROJECT_VALID)
]
INVALID = [
    pytest.param(code, example, id=f"{code}-invalid-{index}")
    for code in PROJECT_CODES
    for index, example in enumerate(load_rule(code).PROJECT_INVALID)
]


@pytest.mark.parametrize(("code", "example"), VALID)
def test_valid_project(code, example, tmp_path) -> None:
    write_tree(tmp_path, example.files)
    assert [d for d in lint_project(tmp_path) if d.code == code] == []


@pytest.mark.parametrize(("code", "example"), INVALID)
def test_invalid_project(code, example, tmp_path) -> None:
    write_tree(tmp_path, example.files)
    found = [d for d in lint_project(tmp_path) if d.code == code]
    assert found, lint_project(tmp_path)
    assert (found[0].path, found[0].line) == (example.path, example.line)


@pytest.mark.parametrize(("code", "example"), [p for p in INVALID if p.values[1].fixed])
def test_project_fix(code, example, tmp_path) -> None:
    write_tree(tmp_path, example.files)
    result = Linter(Config(root=tmp_path), ALL).run(None, fix=True)
    for path, expected in example.fixed.items():
        assert result.changed[path][1].decode() == expected
    assert [d for d in result.diagnostics if d.code == code] == []
