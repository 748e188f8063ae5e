"""``acp-lint rule CODE``: a rule's documentation with fixed sections, and its examples."""

from __future__ import annotations

import textwrap

from acp_lint.diagnostics import Applicability
from acp_lint.registry import BY_CODE, FixAvailability, RuleInfo, Scope, load_rule

SCOPE_WORDING = {
    Scope.HANDLER: "Applies to ACP handler modules (see Scope in the README).",
    Scope.MIGRATION: "Applies to ACP migrations: SQL files and Django migration files.",
    Scope.PROJECT: "Applies to the whole URL graph and controlplane.bindings.json.",
    Scope.ANY: "Applies to every file an ACP rule looks at.",
}


def fix_wording(info: RuleInfo) -> str:
    """How often a fix is offered and how safe it is, as Ruff words it."""
    if info.fix is FixAvailability.NONE:
        return "Fix is not available."
    if info.applicability is Applicability.SAFE:
        return f"Fix is {info.fix.value} available (safe)."
    return f"Fix is {info.fix.value} available (unsafe: enable with `--unsafe-fixes`)."


def render_rule_docs(code: str) -> str:
    info = BY_CODE[code]
    parts = [
        f"# {info.name} ({info.code})",
        "",
        info.summary + ".",
        "",
        fix_wording(info),
        SCOPE_WORDING[info.scope],
        "",
        textwrap.dedent(load_rule(code).DOCS).strip(),
    ]
    return "\n".join(parts) + "\n"


def rule_pages() -> dict[str, str]:
    """``docs/rules/``: one page per rule and an index, generated from the registry.

    ``scripts/generate-docs`` writes them; a test fails when the committed pages are stale."""
    from acp_lint.registry import RULES

    rows = [
        f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.fix_applicability} "
        f"| {rule.summary} |"
        for rule in RULES
    ]
    index = "\n".join(
        [
            "# Rules",
            "",
            "Generated from the rule registry by `scripts/generate-docs`; the same text is",
            "printed by `acp-lint rule CODE`.",
            "",
            "| code | name | fix | what it reports |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    pages = {"index.md": index + "\n"}
    for rule in RULES:
        pages[f"{rule.code}.md"] = render_rule_docs(rule.code)
    return pages
