"""Apply fixes as span edits: sorted, overlap-skipped, all-or-nothing per fix.

The engine calls ``apply_fixes`` repeatedly (re-linting in between) until nothing changes or a
cap is reached; it rolls a file back when the result no longer parses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from acp_lint.diagnostics import Applicability, Diagnostic, Edit, Fix

MAX_ROUNDS = 10


@dataclass(frozen=True)
class Applied:
    text: str
    fixes: int


def fix_is_selected(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    return fix.applicability is Applicability.SAFE or unsafe


def apply_fixes(text: str, fixes: Iterable[Fix]) -> Applied:
    """Apply every fix whose edits do not overlap an edit already taken."""
    taken: list[Edit] = []
    count = 0
    ordered = sorted(fixes, key=lambda fix: (min(e.start for e in fix.edits), fix.message))
    for fix in ordered:
        edits = sorted(fix.edits)
        if any(_overlaps(edit, other) for edit in edits for other in taken):
            continue
        if any(_overlaps(a, b) for a, b in zip(edits, edits[1:], strict=False)):
            continue
        taken.extend(edits)
        count += 1
    result = text
    for edit in sorted(taken, key=lambda e: (e.start, e.end), reverse=True):
        result = result[: edit.start] + edit.replacement + result[edit.end :]
    return Applied(result, count)


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at the same point: order would be ambiguous
    return a.start < b.end and b.start < a.end or (a.start == b.start and a.end == b.end)


def selected_fixes(diagnostics: Iterable[Diagnostic], unsafe: bool) -> list[Fix]:
    unique: dict[tuple[object, ...], Fix] = {}
    for diagnostic in diagnostics:
        if fix_is_selected(diagnostic.fix, unsafe):
            assert diagnostic.fix is not None
            unique.setdefault(diagnostic.fix.edits, diagnostic.fix)
    return list(unique.values())
