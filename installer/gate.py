"""The self-check gate: lint the planned tree (disk + plan overlay) with every default rule.

The plan's manifest is part of the overlay, so the engine scopes exactly the files the
installer writes, with their roles. Any finding stops the install before a byte is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from acp_installer.plan import Plan

from acp_lint.diagnostics import Diagnostic
from acp_lint.engine import InternalError, Linter, select_codes
from acp_lint.sources import DiskTree, OverlayTree
from acp_lint.urls import build_route_table, suggest_base_paths


@dataclass
class GateResult:
    diagnostics: list[Diagnostic]
    suggestions: list[str]

    @property
    def clean(self) -> bool:
        return not self.diagnostics


def run_gate(plan: Plan) -> GateResult:
    """Lint the whole planned project; on a route collision also suggest free base paths."""
    config = plan.host.config
    overlay = plan.overlay()
    try:
        result = Linter(config, select_codes(config), overlay).run(None)
    except InternalError as error:
        raise RuntimeError(f"the lint gate crashed: {error}") from error
    suggestions: list[str] = []
    if any(d.code == "ACP201" for d in result.diagnostics):
        tree = OverlayTree(DiskTree(config.root), overlay)
        table = build_route_table(tree, config.urlconf, config.settings)
        suggestions = suggest_base_paths(table, 3, plan.app)
    return GateResult(result.diagnostics, suggestions)
