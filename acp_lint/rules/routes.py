"""ACP201-ACP204: route collisions, bindings.json and the URL graph (project rules)."""

from __future__ import annotations

from acp_lint.diagnostics import Diagnostic
from acp_lint.project import Project


def check_project(
    project: Project, targets: list[str], full: bool, codes: frozenset[str]
) -> list[Diagnostic]:
    """Project-level checks; wired to the URL graph in the routes issue."""
    return []
