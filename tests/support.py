"""Helpers shared by the tests: lint a source text as an ACP handler, fix it to a fixed point."""

from __future__ import annotations

from pathlib import Path

from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.engine import Linter
from acp_lint.fixes import MAX_ROUNDS, apply_fixes, selected_fixes
from acp_lint.project import Role
from acp_lint.registry import RULES, FixAvailability, RuleInfo

ALL_CODES = frozenset(rule.code for rule in RULES)


def lint_handler(
    source: str,
    codes: frozenset[str] = ALL_CODES,
    options: dict | None = None,
    build_fixes: bool = False,
) -> list[Diagnostic]:
    """Check-only by default (fixes deferred, as in a run without --fix)."""
    config = Config(root=Path("."), **(options or {}))
    linter = Linter(config, codes, build_fixes=build_fixes)
    return linter.check_file("views.py", source.encode(), Role.HANDLER)


def fix_handler(
    source: str, codes: frozenset[str] = ALL_CODES, options: dict | None = None, unsafe: bool = True
) -> str:
    text = source
    for _ in range(MAX_ROUNDS):
        fixes = selected_fixes(lint_handler(text, codes, options, build_fixes=True), unsafe)
        if not fixes:
            return text
        applied = apply_fixes(text, fixes)
        if applied.text == text:
            return text
        text = applied.text
    return text


def fix_availability_holds(rule: RuleInfo, found: list[Diagnostic]) -> bool:
    """Whether the findings of a rule's INVALID examples show its declared fix: none offered,
    some but not all, or all; each offered fix of the declared applicability."""
    offered = [d.fix is not None for d in found]
    shown = {
        FixAvailability.NONE: not any(offered),
        FixAvailability.SOMETIMES: any(offered) and not all(offered),
        FixAvailability.ALWAYS: all(offered),
    }[rule.fix]
    return shown and all(d.fix.applicability is rule.applicability for d in found if d.fix)
