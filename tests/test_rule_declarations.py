"""Each rule is declared once, in ``acp_lint/registry.py``, and everything else reads it.

The copies that lived on the rule classes had drifted from the registry (a fix declared
"none" in one and "safe" in the other); these tests keep a second copy from coming back."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from acp_lint.registry import BY_CODE, RULES, Scope, family, load_rule
from acp_lint.rules.meta import DECLARED_IN_REGISTRY, Rule

REPO = Path(__file__).resolve().parent.parent
REGISTRY = REPO / "acp_lint" / "registry.py"
SOURCES = sorted(
    path
    for package in ("acp_lint", "installer")
    for path in (REPO / package).rglob("*.py")
    if "templates" not in path.parts
)


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in SOURCES]


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len(BY_CODE) == len(RULES) and len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"ACP\d{3}", rule.code), rule.code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name), rule.name
        assert rule.summary and not rule.summary.endswith(".")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_the_rule_class_is_bound_to_its_declaration(rule) -> None:
    rule_class = load_rule(rule.code)
    assert issubclass(rule_class, Rule)
    assert rule_class.INFO is rule
    assert rule_class.DOCS.strip().startswith("## What it does")


def test_a_family_is_the_kind_of_class_its_engine_path_runs() -> None:
    """The engine runs the handler family over each file's ast and the project family over the
    URL graph: the declared scope must match what the class is."""
    from acp_lint.rules.base import PythonRule
    from acp_lint.rules.routes import ProjectRule

    for rule in RULES:
        rule_class = load_rule(rule.code)
        assert issubclass(rule_class, PythonRule) == (rule.scope is Scope.HANDLER), rule.code
        assert issubclass(rule_class, ProjectRule) == (rule.scope is Scope.PROJECT), rule.code
    assert family(Scope.ANY) == ("ACP000",)


def test_no_class_body_declares_rule_metadata() -> None:
    """Not on a rule class nor on any other class of the package: the registry says it."""
    found = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for statement in node.body:
                targets = (
                    statement.targets
                    if isinstance(statement, ast.Assign)
                    else [statement.target]
                    if isinstance(statement, ast.AnnAssign) and statement.value is not None
                    else []
                )
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in DECLARED_IN_REGISTRY:
                        found.append(f"{path.relative_to(REPO)}:{statement.lineno}: {target.id}")
    assert found == []


def test_only_the_registry_declares_rules() -> None:
    """No ``RuleInfo(...)`` elsewhere, and no second spelling of a rule's name or summary."""
    names = {rule.name for rule in RULES}
    summaries = {rule.summary for rule in RULES}
    found = []
    for path, tree in _trees():
        if path == REGISTRY:
            continue
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RuleInfo":
                found.append(f"{where}: RuleInfo(...)")
            if isinstance(node, ast.Constant) and node.value in names | summaries:
                found.append(f"{where}: {node.value!r}")
    assert found == []


def test_a_class_that_declares_metadata_is_refused() -> None:
    with pytest.raises(TypeError, match="declared once, in acp_lint/registry.py"):
        type("Sneaky", (Rule,), {"CODE": "ACP999", "NAME": "sneaky"})


def test_the_registry_is_read_without_the_parsers() -> None:
    """Selecting rules and reading their declarations happens before any file is parsed."""
    script = (
        "import sys\n"
        "import acp_lint.registry, acp_lint.rules.meta\n"
        "acp_lint.registry.resolve_selector('ACP1')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'sqlglot')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
