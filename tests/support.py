"""Helpers shared by the tests: lint a source text as an ACP handler, fix it to a fixed point
(with the ``--fix`` loop itself, ``acp_lint.fixes.fix_until_stable``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.engine import Linter
from acp_lint.fixes import apply_fixes, fix_is_selected, fix_until_stable
from acp_lint.project import Role
from acp_lint.registry import RULES, FixAvailability, RuleInfo

ALL_CODES = frozenset(rule.code for rule in RULES)
PATH = "views.py"  # where a linted source text stands in a project


def lint_handler(
    source: str,
    codes: frozenset[str] = ALL_CODES,
    options: dict | None = None,
    build_fixes: bool = False,
) -> list[Diagnostic]:
    """Check-only by default (fixes deferred, as in a run without --fix)."""
    config = Config(root=Path("."), **(options or {}))
    linter = Linter(config, codes, build_fixes=build_fixes)
    return linter.check_file(PATH, source.encode(), Role.HANDLER)


def fix_handler(
    source: str, codes: frozenset[str] = ALL_CODES, options: dict | None = None, unsafe: bool = True
) -> str:
    data = source.encode()

    def relint(overlay: Mapping[str, bytes]) -> list[Diagnostic]:
        return lint_handler(overlay[PATH].decode(), codes, options, build_fixes=True)

    found = lint_handler(source, codes, options, build_fixes=True)
    fixed = fix_until_stable(found, relint, lambda path: data, unsafe)
    return fixed.changed[PATH][1].decode() if PATH in fixed.changed else source


def fix_one_at_a_time(
    source: str, codes: frozenset[str] = ALL_CODES, options: dict | None = None, unsafe: bool = True
) -> str:
    """Fix to a fixed point applying one fix a round (the first finding's, in file order) and
    relinting in between: what n fixes give when no two of them are ever applied together."""
    text = source
    for _ in range(500):
        found = lint_handler(text, codes, options, build_fixes=True)
        fixable = [d for d in found if fix_is_selected(d.fix, unsafe)]
        if not fixable:
            return text
        first = min(fixable, key=lambda d: (d.line, d.column))
        assert first.fix is not None
        applied = apply_fixes(text, [first.fix])
        assert applied.fixes == 1, first.message  # a fix alone always applies
        text = applied.text
    raise AssertionError("fixing one at a time did not converge")


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
