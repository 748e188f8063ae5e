"""Every file rule's VALID/INVALID examples, generated from the registry and executed.

A VALID example must give no finding of its rule; an INVALID one exactly the findings it
declares (line, column and message, as Fixit's ``Invalid``), and its documented fix. The
project rules' examples (small projects) run in ``test_project_rule_examples``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest
from support import ALL_CODES, fix_availability_holds, fix_handler, lint_handler

from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.engine import Linter
from acp_lint.project import Role
from acp_lint.registry import RULES, RuleInfo, Scope, load_rule
from acp_lint.rules.base import Invalid, example_source


def lint_migration(source: str, options: dict | None = None) -> list[Diagnostic]:
    """The source as an ACP migration SQL file, through the engine."""
    linter = Linter(Config(root=Path("."), **(options or {})), ALL_CODES)
    return linter.check_file("0001_acp.sql", source.encode(), Role.MIGRATION)


# How an example of each file scope is checked: as the kind of file the rule looks at.
RUNNERS: dict[Scope, Callable[..., list[Diagnostic]]] = {
    Scope.HANDLER: lambda source, options=None: lint_handler(source, options=options),
    Scope.ANY: lambda source, options=None: lint_handler(source, options=options),
    Scope.MIGRATION: lint_migration,
}
FILE_RULES = [rule for rule in RULES if rule.scope in RUNNERS]

VALID = [
    pytest.param(rule, example_source(source), id=f"{rule.code}-valid-{index}")
    for rule in FILE_RULES
    for index, source in enumerate(load_rule(rule.code).VALID)
]
INVALID = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")
    for rule in FILE_RULES
    for index, example in enumerate(load_rule(rule.code).INVALID)
]
FIXABLE = [
    p for p in INVALID if p.values[0].scope is Scope.HANDLER and p.values[1].fixed is not None
]


def findings(rule: RuleInfo, example: Invalid) -> list[Diagnostic]:
    found = RUNNERS[rule.scope](example.source, dict(example.options))
    return [d for d in found if d.code == rule.code]


def test_every_scope_has_a_runner() -> None:
    """A new scope must say how its examples run (project examples: the other module)."""
    assert set(RUNNERS) | {Scope.PROJECT} == set(Scope)


@pytest.mark.parametrize("rule", FILE_RULES, ids=lambda rule: rule.code)
def test_rule_has_examples(rule: RuleInfo) -> None:
    rule_class = load_rule(rule.code)
    assert rule_class.VALID and rule_class.INVALID


@pytest.mark.parametrize(("rule", "source"), VALID)
def test_valid_example_is_not_reported(rule: RuleInfo, source: str) -> None:
    assert [d for d in RUNNERS[rule.scope](source) if d.code == rule.code] == []


@pytest.mark.parametrize(("rule", "example"), INVALID)
def test_invalid_example_is_reported(rule: RuleInfo, example: Invalid) -> None:
    assert example.expect, "an INVALID example declares its findings: Expected(line, col, msg)"
    found = [(d.line, d.column, d.message) for d in findings(rule, example)]
    assert found == [(e.line, e.column, e.message) for e in example.expect]


@pytest.mark.parametrize("rule", FILE_RULES, ids=lambda rule: rule.code)
def test_fix_availability_is_what_the_examples_show(rule: RuleInfo) -> None:
    """The declared availability and applicability hold on the rule's own examples."""
    found = [d for example in load_rule(rule.code).INVALID for d in findings(rule, example)]
    assert fix_availability_holds(rule, found), [(d.line, d.fix) for d in found]


@pytest.mark.parametrize(("rule", "example"), FIXABLE)
def test_fix_gives_the_documented_result(rule: RuleInfo, example: Invalid) -> None:
    fixed = fix_handler(example.source, frozenset({rule.code}), dict(example.options))
    assert fixed == example.expected_fix


@pytest.mark.parametrize(("rule", "example"), FIXABLE)
def test_fix_invariants(rule: RuleInfo, example: Invalid) -> None:
    code, options = rule.code, dict(example.options)
    fixed = fix_handler(example.source, frozenset({code}), options)
    cst.parse_module(fixed)
    compile(fixed, "fixed.py", "exec")
    assert [d for d in lint_handler(fixed, options=options) if d.code == code] == []
    assert fix_handler(fixed, frozenset({code}), options) == fixed


@pytest.mark.parametrize(("rule", "example"), FIXABLE)
def test_fix_keeps_crlf_and_bom(rule: RuleInfo, example: Invalid, tmp_path) -> None:
    """Through the real CLI: a CRLF file with a UTF-8 BOM keeps both after --fix."""
    source = example.source.replace("\n", "\r\n").encode()
    target = tmp_path / "acp" / "views.py"
    target.parent.mkdir()
    target.write_bytes(b"\xef\xbb\xbf" + source)
    (tmp_path / "acp-lint.toml").write_text('handlers = ["acp/*.py"]\n')
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "acp_lint",
            "--fix",
            "--unsafe-fixes",
            "--select",
            rule.code,
            "acp/views.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    body = data[3:]
    assert body.count(b"\n") == body.count(b"\r\n") > 0
    assert body.decode().replace("\r\n", "\n") == example.expected_fix
