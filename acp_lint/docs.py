"""``acp-lint rule CODE``: a rule's documentation with fixed sections, and its examples."""

from __future__ import annotations

import textwrap

from acp_lint.registry import BY_CODE, load_rule

FIX_WORDING = {
    "none": "Fix is not available.",
    "safe": "Fix is always available (safe).",
    "unsafe": "Fix is sometimes available (unsafe: enable with `--unsafe-fixes`).",
}


SCOPE_WORDING = {
    "handler": "Applies to ACP handler modules (see Scope in the README).",
    "migration": "Applies to ACP migrations: SQL files and Django migration files.",
    "project": "Applies to the whole URL graph and controlplane.bindings.json.",
    "any": "Applies to every file an ACP rule looks at.",
}


def render_rule_docs(code: str) -> str:
    info = BY_CODE[code]
    rule = load_rule(code)
    parts = [
        f"# {info.name} ({info.code})",
        "",
        info.summary + ".",
        "",
        FIX_WORDING[info.fix],
        SCOPE_WORDING[rule.SCOPE],
        "",
        textwrap.dedent(rule.DOCS).strip(),
    ]
    return "\n".join(parts) + "\n"


def rule_pages() -> dict[str, str]:
    """``docs/rules/``: one page per rule and an index, generated from the registry.

    ``scripts/generate-docs`` writes them; a test fails when the committed pages are stale."""
    from acp_lint.registry import RULES

    rows = [
        f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.fix} | {rule.summary} |"
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
