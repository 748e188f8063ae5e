"""The reporters' escaping: the printable-ASCII fast path gives what the per-character rule
gives, for every text (hypothesis), and unusual names are still quoted."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from acp_lint.reporters.escape import one_line, printable


def _slow_needs_quoting(char: str) -> bool:
    if "\udc80" <= char <= "\udcff":
        return True
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs")


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000)))
@example("plain/name.py")
@example("h/new\nline.py")
@example("tab\there")
@example("del\x7f")
@example("zero\u200bwidth")
def test_fast_path_agrees_with_the_per_character_rule(text: str) -> None:
    plain = not any(_slow_needs_quoting(char) for char in text)
    assert (printable(text) == text) == plain
    plain_or_tab = not any(_slow_needs_quoting(c) and c != "\t" for c in text)
    assert (one_line(text) == text) == plain_or_tab


def test_unusual_names_are_quoted() -> None:
    assert printable("h/new\nline.py") == '"h/new\\nline.py"'
    assert printable("bad\udcff.py") == '"bad\\xff.py"'
    assert one_line("a\tb") == "a\tb"
    assert printable("a\tb") == '"a\\tb"'
