"""Machine output: the JSON array of DESIGN §5, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from acp_lint import __version__
from acp_lint.diagnostics import Diagnostic
from acp_lint.registry import RULES
from acp_lint.reporters.escape import file_uri, printable

_LONE_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # a name must not drive the log viewer


def _dumps(payload: object) -> str:
    """JSON that is valid UTF-8 whatever the file names: a byte of a name that is not UTF-8
    (a surrogate escape) is written as its ``\\udcXX`` escape, so ``json.loads`` plus
    ``os.fsencode`` give the name's bytes back."""
    text = json.dumps(payload, indent=2, sort_keys=False, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


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
    return _dumps(payload) + "\n"


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
                        "artifactLocation": {"uri": file_uri(d.path)},
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
    """GitHub's escaping of a command's message (``%``, CR and LF)."""
    text = _without_surrogates(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _escape_property(text: str) -> str:
    """GitHub's escaping of a property value: the message's plus ``:`` and ``,``."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def _without_surrogates(text: str) -> str:
    """Bytes of a name that are not UTF-8 shown as ``\\xNN`` (they cannot be written as is)."""
    if not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub(lambda match: printable(match.group())[1:-1], text)


def render_github(diagnostics: Sequence[Diagnostic], *_: object, **__: object) -> str:
    lines = [
        f"::error title=acp-lint ({d.code}),file={_escape_property(d.path)},"
        f"line={d.line},col={d.column},"
        f"endLine={d.end_line},endColumn={d.end_column}::{_escape(f'{d.code} {d.message}')}"
        for d in diagnostics
    ]
    return "\n".join(lines) + ("\n" if lines else "")
