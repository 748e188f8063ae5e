"""Output formats. Each reporter turns sorted diagnostics into text; none knows the CLI."""

from __future__ import annotations

from collections.abc import Callable

from acp_lint.reporters.json_format import render_github, render_json, render_sarif
from acp_lint.reporters.text import Summary, render_concise, render_full

Renderer = Callable[..., str]
FORMATS = ("full", "concise", "json", "sarif", "github")

__all__ = [
    "FORMATS",
    "Summary",
    "render_concise",
    "render_full",
    "render_github",
    "render_json",
    "render_sarif",
]
