"""SQL suppression comments: ``-- noqa``, ``-- noqa: ACP301`` and
``-- acp-lint: ignore[ACP301] reason``.

The checker knows statement boundaries, so it applies these itself: a directive on the first or
the last line of a statement (DESIGN §10) suppresses that statement's findings. A bare
``-- noqa`` suppresses every code; codes and rule names are both accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from acp_lint.registry import BY_NAME, Scope

ALL_CODES = "*"

# A directive starts the comment (or a comment chained inside it: "-- note -- noqa").
_NOQA = re.compile(r"^noqa(?![\w-])(?:\s*:\s*(?P<codes>[\w\-]+(?:[\s,]+[\w\-]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"^acp-lint\s*:\s*ignore(?![\w-])\s*(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_CODE = re.compile(r"^ACP\d{3}$", re.IGNORECASE)


def _normalise(token: str) -> str | None:
    token = token.strip()
    if _CODE.match(token):
        return token.upper()
    rule = BY_NAME.get(token.lower())  # a name, as ``ignore[destructive-migration]``
    return rule.code if rule is not None and rule.scope is Scope.MIGRATION else None


def _codes(raw: str | None) -> set[str]:
    """Codes named in a directive; None (no list at all) means every code.

    Only the leading code-like tokens count (``noqa: ACP301 because ...``); a list that names
    only other rules' codes (``noqa: ACP101``) suppresses none of ours.
    """
    if raw is None:
        return {ALL_CODES}
    found: set[str] = set()
    for token in re.split(r"[\s,]+", raw.strip()):
        code = _normalise(token)
        if code is None:
            break
        found.add(code)
    return found


def directive_codes(comment: str) -> set[str]:
    """Codes a single comment suppresses (``{"*"}`` for all); empty if it is no directive."""
    body = comment.lstrip()
    if body.startswith("--"):
        body = body[2:]
    elif body.startswith("/*"):
        body = body[2:].removesuffix("*/")
    elif body.startswith("#"):
        body = body[1:]
    else:
        return set()
    codes: set[str] = set()
    for part in re.split(r"--|#", body):
        codes |= _part_codes(part.strip())
    return codes


def _part_codes(body: str) -> set[str]:
    codes: set[str] = set()
    for pattern in (_NOQA, _IGNORE):
        match = pattern.match(body)
        if match is not None:
            codes |= _codes(match.group("codes"))
    return codes


class Suppressions:
    """Suppression directives indexed by 1-based line."""

    def __init__(self, by_line: dict[int, set[str]] | None = None) -> None:
        self._by_line: dict[int, set[str]] = by_line or {}

    @classmethod
    def from_comments(cls, comments: Iterable[tuple[int, str]]) -> Suppressions:
        """Build from ``(line, comment_text)`` pairs (the line a comment starts on)."""
        by_line: dict[int, set[str]] = {}
        for line, text in comments:
            codes = directive_codes(text)
            if codes:
                by_line.setdefault(line, set()).update(codes)
        return cls(by_line)

    def suppresses(self, code: str, first_line: int, last_line: int) -> bool:
        """Is ``code`` suppressed for a statement spanning ``first_line..last_line``?"""
        for line in {first_line, last_line}:
            codes = self._by_line.get(line)
            if codes and (ALL_CODES in codes or code in codes):
                return True
        return False
