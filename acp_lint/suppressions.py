"""Suppression comments: ``# noqa: ACP101`` and ``# acp-lint: ignore[ACP101] reason``.

A suppression applies to the statement it is attached to: a comment on the first or the last
line of a (possibly multi-line) statement covers every finding of that statement. A bare
``# noqa`` suppresses every code. Rules may be named by code or by name.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

from acp_lint.diagnostics import Diagnostic
from acp_lint.registry import resolve_selector

ALL = "*"
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*acp-lint:\s*ignore\[(?P<codes>[^\]]*)\]")
# The same within one line (a comment token never holds a "\n"): over a whole text
# ``[^\]]*`` could run on into the next line's comment and swallow it.
_IGNORE_LINE = re.compile(r"#\s*acp-lint:\s*ignore\[(?P<codes>[^\]\n]*)\]")


def _codes(text: str | None) -> set[str]:
    if not text:
        return {ALL}
    codes: set[str] = set()
    for item in re.split(r"[,\s]+", text.strip()):
        if item:
            codes.update(resolve_selector(item) or [item.upper()])
    return codes


def parse_comment(comment: str) -> set[str]:
    """Codes a single comment suppresses (empty when it is not a suppression)."""
    found: set[str] = set()
    for match in _NOQA.finditer(comment):
        found |= _codes(match.group("codes"))
    for match in _IGNORE.finditer(comment):
        found |= _codes(match.group("codes"))
    return found


def may_name(text: str, codes: frozenset[str]) -> bool:
    """Whether a suppression anywhere in ``text`` could name one of ``codes``: the patterns
    run over the whole text, a superset of its comments (a match in a comment is found at the
    same place, with at least the codes the comment alone gives), so False is certain and
    tokenizing the file can be skipped."""
    for pattern in (_NOQA, _IGNORE_LINE):
        for match in pattern.finditer(text):
            if _codes(match.group("codes")) & codes:
                return True
    return False


def python_suppressions(text: str) -> dict[int, set[str]]:
    """Line -> suppressed codes, from the real comments of Python source (not strings)."""
    table: dict[int, set[str]] = {}
    if "noqa" not in text and "acp-lint" not in text:
        return table
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                codes = parse_comment(token.string)
                if codes:
                    table.setdefault(token.start[0], set()).update(codes)
    except (tokenize.TokenError, SyntaxError):
        pass
    return table


def is_suppressed(diagnostic: Diagnostic, table: dict[int, set[str]]) -> bool:
    lines = {diagnostic.line}
    if diagnostic.statement_lines is not None:
        lines |= set(diagnostic.statement_lines)
    for line in lines:
        codes = table.get(line)
        if codes and (ALL in codes or diagnostic.code in codes):
            return True
    return False


def apply_suppressions(
    diagnostics: Iterable[Diagnostic], table: dict[int, set[str]]
) -> list[Diagnostic]:
    return [d for d in diagnostics if not is_suppressed(d, table)]
