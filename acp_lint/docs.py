"""``acp-lint rule CODE``: a rule's documentation with fixed sections, and its examples."""

from __future__ import annotations

import textwrap

from acp_lint.registry import BY_CODE, load_rule

FIX_WORDING = {
    "none": "Fix is not available.",
    "safe": "Fix is always available (safe).",
    "unsafe": "Fix is sometimes available (unsafe: enable with `--unsafe-fixes`).",
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
        "",
        textwrap.dedent(rule.DOCS).strip(),
    ]
    return "\n".join(parts) + "\n"
