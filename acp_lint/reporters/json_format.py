"""Machine output: the JSON array of DESIGN §5, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from acp_lint import __version__
from acp_lint.diagnostics import Diagnostic
from acp_lint.registry import RULES


def diagnostic_to_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "end_line": diagnostic.end_line,
        "end_column": diagnostic.end_column,
        "message": diagnostic.message,
        "fix": diagnostic.fix.to_json() if diagnostic.fix else None,
    }


def render_json(diagnostics: Sequence[Diagnostic], *_: object, **__: object) -> str:
    payload = [diagnostic_to_json(d) for d in diagnostics]
    return json.dumps(payload, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def render_sarif(diagnostics: Sequence[Diagnostic], *_: object, **__: object) -> str:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "help": {"text": f"Run `acp-lint rule {rule.code}` for the rule's documentation."},
        }
        for rule in RULES
    ]
    results = [
        {
            "ruleId": d.code,
            "level": "error",
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.path},
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": d.end_line,
                            "endColumn": d.end_column,
                        },
                    }
                }
            ],
        }
        for d in diagnostics
    ]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "acp-lint", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(diagnostics: Sequence[Diagnostic], *_: object, **__: object) -> str:
    lines = [
        f"::error title=acp-lint ({d.code}),file={d.path},line={d.line},col={d.column},"
        f"endLine={d.end_line},endColumn={d.end_column}::{_escape(f'{d.code} {d.message}')}"
        for d in diagnostics
    ]
    return "\n".join(lines) + ("\n" if lines else "")
