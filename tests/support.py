"""Helpers shared by the tests: lint a source text as an ACP handler, fix it to a fixed point
(with the ``--fix`` loop itself, ``acp_lint.fixes.fix_until_stable``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.engine import Linter
from acp_lint.fixes import fix_until_stable
from acp_lint.project import Role
from acp_lint.registry import RULES

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
