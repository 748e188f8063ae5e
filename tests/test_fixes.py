"""Span edits: sorted, overlap-skipped, all-or-nothing per fix; minimal hunks from rewrites."""

from __future__ import annotations

from acp_lint.diagnostics import Applicability, Edit, Fix
from acp_lint.fixes import apply_fixes
from acp_lint.rules.base import fix_from_texts

SAFE = Applicability.SAFE


def test_non_overlapping_fixes_apply_in_one_round() -> None:
    text = "abcdef"
    fixes = [Fix(SAFE, "b", (Edit(1, 2, "B"),)), Fix(SAFE, "e", (Edit(4, 5, "E"),))]
    assert apply_fixes(text, fixes).text == "aBcdEf"


def test_overlapping_fix_is_skipped_whole() -> None:
    text = "abcdef"
    first = Fix(SAFE, "1", (Edit(1, 3, "X"),))
    second = Fix(SAFE, "2", (Edit(2, 4, "Y"), Edit(5, 6, "Z")))
    applied = apply_fixes(text, [second, first])
    assert applied.text == "aXdef"
    assert applied.fixes == 1


def test_fix_from_texts_makes_one_edit_per_hunk() -> None:
    old = "a\nb\nc\nd\n"
    new = "a\nB\nc\nd\nE\n"
    fix = fix_from_texts(old, new, SAFE, "m")
    assert fix is not None and len(fix.edits) == 2
    assert apply_fixes(old, [fix]).text == new
    assert fix_from_texts(old, old, SAFE, "m") is None


def test_a_fix_whose_result_does_not_parse_is_rolled_back() -> None:
    from acp_lint.fixes import fix_bytes

    source = b"def manage(request):\n    return 1\n"
    broken = Fix(SAFE, "break it", (Edit(0, 3, "de"),))
    assert fix_bytes("acp/views.py", source, [broken]) is None
    good = Fix(SAFE, "rename", (Edit(4, 10, "handle"),))
    assert fix_bytes("acp/views.py", source, [good]) == (
        b"def handle(request):\n    return 1\n",
        1,
    )


def test_fix_keeps_a_coding_cookie_encoding() -> None:
    from acp_lint.fixes import fix_bytes

    source = "# -*- coding: latin-1 -*-\nX = 'été'\n".encode("latin-1")
    fix = Fix(SAFE, "rename", (Edit(26, 27, "Y"),))
    result = fix_bytes("acp/views.py", source, [fix])
    assert result is not None
    assert result[0] == "# -*- coding: latin-1 -*-\nY = 'été'\n".encode("latin-1")
