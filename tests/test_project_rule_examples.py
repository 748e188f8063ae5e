"""The project rules' VALID/INVALID example projects, generated from the registry and executed.

An INVALID project must give exactly the findings it declares (file, line, column, message)."""

from __future__ import annotations

import pytest
from clitools import write_tree
from support import fix_availability_holds

from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.engine import Linter
from acp_lint.registry import RULES, RuleInfo, Scope, load_rule
from acp_lint.rules.meta import ProjectExample

PROJECT_RULES = [rule for rule in RULES if rule.scope is Scope.PROJECT]
ALL = frozenset(rule.code for rule in RULES)


def lint_project(root) -> list[Diagnostic]:
    return Linter(Config(root=root), ALL).run(None).diagnostics


VALID = [
    pytest.param(rule, example, id=f"{rule.code}-valid-{index}")
    for rule in PROJECT_RULES
    for index, example in enumerate(load_rule(rule.code).PROJECT_VALID)
]
INVALID = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")
    for rule in PROJECT_RULES
    for index, example in enumerate(load_rule(rule.code).PROJECT_INVALID)
]


@pytest.mark.parametrize("rule", PROJECT_RULES, ids=lambda rule: rule.code)
def test_rule_has_example_projects(rule: RuleInfo) -> None:
    rule_class = load_rule(rule.code)
    assert rule_class.PROJECT_VALID and rule_class.PROJECT_INVALID


@pytest.mark.parametrize(("rule", "example"), VALID)
def test_valid_project(rule: RuleInfo, example: ProjectExample, tmp_path) -> None:
    write_tree(tmp_path, example.files)
    assert [d for d in lint_project(tmp_path) if d.code == rule.code] == []


@pytest.mark.parametrize(("rule", "example"), INVALID)
def test_invalid_project(rule: RuleInfo, example: ProjectExample, tmp_path) -> None:
    assert example.expect, "an INVALID project declares its findings: Expected(..., path=)"
    write_tree(tmp_path, example.files)
    found = [d for d in lint_project(tmp_path) if d.code == rule.code]
    assert [(d.path, d.line, d.column, d.message) for d in found] == [
        (e.path, e.line, e.column, e.message) for e in example.expect
    ]


@pytest.mark.parametrize("rule", PROJECT_RULES, ids=lambda rule: rule.code)
def test_fix_availability_is_what_the_examples_show(rule: RuleInfo, tmp_path) -> None:
    """The declared availability and applicability hold on the rule's own example projects."""
    found = []
    for index, example in enumerate(load_rule(rule.code).PROJECT_INVALID):
        root = tmp_path / str(index)
        write_tree(root, example.files)
        found += [d for d in lint_project(root) if d.code == rule.code]
    assert fix_availability_holds(rule, found), [(d.line, d.fix) for d in found]


@pytest.mark.parametrize(("rule", "example"), [p for p in INVALID if p.values[1].fixed])
def test_project_fix(rule: RuleInfo, example: ProjectExample, tmp_path) -> None:
    write_tree(tmp_path, example.files)
    result = Linter(Config(root=tmp_path), ALL).run(None, fix=True)
    for path, expected in example.fixed.items():
        assert result.changed[path][1].decode() == expected
    assert [d for d in result.diagnostics if d.code == rule.code] == []
