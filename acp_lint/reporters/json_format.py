"""Machine output: the JSON array of DESIGN §5, SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from acp_lint import __version__
from acp_lint.diagnostics import Diagnostic
from acp_lint.records import record
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


RULE_INDEX = {rule.code: index for index, rule in enumerate(RULES)}
SARIF_ROOT = "SRCROOT"  # the uriBaseId code scanning resolves against the repository


def render_sarif(
    diagnostics: Sequence[Diagnostic],
    *,
    base: SarifBase | None = None,
    source_line: Callable[[str, int], str | None] | None = None,
) -> str:
    """SARIF 2.1.0 as GitHub code scanning takes it as is.

    ``diagnostics`` have project-relative paths; ``base`` places the project in its repository,
    so URIs are repository-relative (``uriBaseId`` SRCROOT, declared in ``originalUriBaseIds``)
    whatever directory acp-lint ran from. Each result carries a ``partialFingerprints`` entry
    from its rule, file and source line text (not its line number), so an alert follows its
    code across commits that move it."""
    from acp_lint.docs import render_rule_docs

    base = base or SarifBase(None, "")
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "help": {
                "text": f"Run `acp-lint rule {rule.code}` for the rule's documentation.",
                "markdown": render_rule_docs(rule.code),
            },
            "defaultConfiguration": {"level": "error"},
        }
        for rule in RULES
    ]
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for d in diagnostics:
        line_text = (source_line(d.path, d.line) if source_line else None) or ""
        key = (d.code, d.path, " ".join(line_text.split()))
        seen[key] += 1
        text = "\0".join([*key, str(seen[key])])
        digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": RULE_INDEX[d.code],
                "level": "error",
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": file_uri(base.prefix + d.path),
                                "uriBaseId": SARIF_ROOT,
                            },
                            "region": {
                                "startLine": d.line,
                                "startColumn": d.column,
                                "endLine": d.end_line,
                                "endColumn": d.end_column,
                            },
                        }
                    }
                ],
                "partialFingerprints": {"acpLintFindingHash/v1": digest[:32]},
            }
        )
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "acp-lint",
                "version": __version__,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if base.root is not None:
        run["originalUriBaseIds"] = {SARIF_ROOT: {"uri": base.root.as_uri() + "/"}}
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return _dumps(document) + "\n"


@record(frozen=True)
class SarifBase:
    """Where the project sits: ``root`` is the repository (git work tree, else the project)
    and ``prefix`` the project's path inside it (``""`` or ``"backend/"``)."""

    root: Path | None
    prefix: str

    @classmethod
    def for_project(cls, project_root: Path) -> SarifBase:
        from acp_lint.listing import Listing

        try:  # (git run as for the listing: stopped at once if it blocks on a FIFO)
            output = Listing(str(project_root), ("git", "rev-parse", "--show-toplevel")).collect()
        except OSError:
            output = None
        top = output.decode("utf-8", "surrogateescape").strip() if output else ""
        root = Path(top).resolve() if top else project_root.resolve()
        try:
            inside = project_root.resolve().relative_to(root).as_posix()
        except ValueError:
            root, inside = project_root.resolve(), "."
        return cls(root, "" if inside == "." else f"{inside}/")


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
