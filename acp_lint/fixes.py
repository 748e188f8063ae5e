"""Apply fixes as span edits: sorted, overlap-skipped, all-or-nothing per fix.

``fix_until_stable`` is the one ``--fix`` loop (the CLI, the editor server and the tests all
use it): apply the selected fixes to each file's bytes (``fix_bytes``), re-lint, and repeat
until nothing changes or ``MAX_ROUNDS`` is reached. A file whose fixed text no longer parses
keeps its previous content.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable, Iterable, Mapping

from acp_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from acp_lint.encoding import DecodeError, EncodeError, decode_python, decode_text
from acp_lint.protected import run_protected
from acp_lint.records import field, record

MAX_ROUNDS = 10


@record(frozen=True)
class Applied:
    text: str
    fixes: int


def fix_is_selected(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    return fix.applicability is Applicability.SAFE or unsafe


def apply_fixes(text: str, fixes: Iterable[Fix]) -> Applied:
    """Apply every fix whose edits do not overlap an edit already taken.

    An edit equal to one already taken (same span, same replacement) is already applied, not
    an overlap, as in Ruff: fixes that share an edit (the import each of them needs, the blank
    lines between two adjacent rewritten statements) apply in the same round. The taken edits
    stay sorted, so that each check looks at its neighbours only (n fixes: O(n log n))."""
    taken: list[Edit] = []  # sorted by (start, end); no two overlap, so their ends are sorted
    seen: set[Edit] = set()
    count = 0
    ordered = sorted(fixes, key=lambda fix: (min(e.start for e in fix.edits), fix.message))
    for fix in ordered:
        edits = sorted(set(fix.edits))
        if any(_overlaps(a, b) for a, b in zip(edits, edits[1:], strict=False)):
            continue
        new = [edit for edit in edits if edit not in seen]
        if any(_overlaps_taken(edit, taken) for edit in new):
            continue
        for edit in new:
            insort(taken, edit, key=_span)
        seen.update(new)
        count += 1
    pieces = []
    position = 0
    for edit in taken:  # an insertion sorts before a replacement at its point, as it goes
        pieces += [text[position : edit.start], edit.replacement]
        position = edit.end
    pieces.append(text[position:])
    return Applied("".join(pieces), count)


def _span(edit: Edit) -> tuple[int, int]:
    return edit.start, edit.end


def _overlaps_taken(edit: Edit, taken: list[Edit]) -> bool:
    """Whether ``edit`` overlaps one of ``taken``: only those starting at or before its end
    and ending at or after its start can."""
    index = bisect_right(taken, (edit.end, edit.end), key=_span)
    while index > 0:
        index -= 1
        other = taken[index]
        if other.end < edit.start:
            return False
        if _overlaps(edit, other):
            return True
    return False


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


def fix_bytes(path: str, data: bytes, fixes: list[Fix]) -> tuple[bytes, int] | None:
    """Apply fixes to one file's bytes: (new bytes, fixes applied), or None when nothing
    applies or the result no longer parses."""
    try:
        decoded = decode_python(data) if path.endswith(".py") else decode_text(data)
    except DecodeError:
        return None
    applied = apply_fixes(decoded.text, fixes)
    if applied.fixes == 0 or applied.text == decoded.text:
        return None
    try:
        parses = run_protected(_still_parses, path, applied.text)
    except (RecursionError, MemoryError):
        parses = False
    if not parses:
        return None
    try:
        return decoded.encode(applied.text), applied.fixes
    except EncodeError:
        return None  # not writable in the file's own encoding: left as it is, like a fix that
        # would not parse


def _still_parses(path: str, text: str) -> bool:
    if path.endswith(".py"):
        import libcst as cst

        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError:
            return False
        try:
            compile(text, path, "exec", dont_inherit=True)
        except SyntaxError:
            return False
    elif path.endswith(".json"):
        import json

        try:
            json.loads(text)
        except ValueError:
            return False
    return True


@record
class FixedRun:
    """The outcome of ``fix_until_stable``."""

    diagnostics: list[Diagnostic]  # what the last lint found
    changed: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # path: (old, new)


def fix_until_stable(
    found: list[Diagnostic],
    lint: Callable[[Mapping[str, bytes]], list[Diagnostic]],
    read: Callable[[str], bytes | None],
    unsafe: bool,
) -> FixedRun:
    """Fix ``found`` and re-lint until nothing changes (at most ``MAX_ROUNDS`` rounds).

    ``lint(overlay)`` lints with the fixed content so far in place of the files' own;
    ``read(path)`` gives a file's content before any fix. Nothing is written."""
    overlay: dict[str, bytes] = {}
    originals: dict[str, bytes] = {}
    for _ in range(MAX_ROUNDS):
        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in found:
            by_file.setdefault(diagnostic.path, []).append(diagnostic)
        progressed = False
        for path, diagnostics in sorted(by_file.items()):
            fixes = selected_fixes(diagnostics, unsafe)
            if not fixes:
                continue
            data = overlay.get(path) or read(path)
            if data is None:
                continue
            updated = fix_bytes(path, data, fixes)
            if updated is None:
                continue
            originals.setdefault(path, data)
            overlay[path] = updated[0]
            progressed = True
        if not progressed:
            break
        found = lint(overlay)
    changed = {
        path: (originals[path], data) for path, data in overlay.items() if originals[path] != data
    }
    return FixedRun(found, changed)
