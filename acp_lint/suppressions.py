"""Suppression comments: ``# noqa: ACP101`` and ``# acp-lint: ignore[ACP101] reason``.

A suppression applies to the statement it is attached to: a comment on the first or the last
line of a (possibly multi-line) statement covers every finding of that statement. A bare
``# noqa`` suppresses every code. Rules may be named by code or by name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from acp_lint.diagnostics import Diagnostic
from acp_lint.registry import resolve_selector

ALL = "*"
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*acp-lint:\s*ignore\[(?P<codes>[^\]]*)\]")


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
    tokenizing the file can be skipped. Any ``acp-lint`` comment counts (its ``[...]`` may
    start in a string and run into a real comment)."""
    if "acp-lint" in text:
        return True
    return any(_codes(match.group("codes")) & codes for match in _NOQA.finditer(text))


# The noqa pattern within one line, for whole texts: a comment token never holds "\r" or "\n";
# these find, at each comment's "#", exactly what ``parse_comment`` finds in the token.
_NOQA_LINE = re.compile(
    r"#[^\S\r\n]*noqa(?::[^\S\r\n]*(?P<codes>[\w\-]+(?:[^\S\r\n]*,[^\S\r\n]*[\w\-]+)*))?",
    re.IGNORECASE,
)


def may_suppress(text: str, codes: set[str]) -> bool:
    """Whether any suppression in ``text`` could suppress one of ``codes`` (False is certain:
    the line-bounded pattern over the whole text sees every comment's ``noqa``, plus look-alikes
    in strings), so a file whose findings no comment can touch is not tokenized."""
    if "acp-lint" in text:
        return True  # rare; an ``ignore[...]`` may start in a string: let the tokenizer judge
    for match in _NOQA_LINE.finditer(text):
        named = _codes(match.group("codes"))
        if ALL in named or named & codes:
            return True
    return False


def python_suppressions(text: str) -> dict[int, set[str]]:
    """Line -> suppressed codes, from the real comments of Python source (not strings)."""
    table: dict[int, set[str]] = {}
    if "noqa" not in text and "acp-lint" not in text:
        return table
    import tokenize  # here: ~1.5 ms that only a file with a suppression comment needs

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
    if not table:
        return list(diagnostics)  # no suppression comment: nothing to look up per finding
    return [d for d in diagnostics if not is_suppressed(d, table)]
