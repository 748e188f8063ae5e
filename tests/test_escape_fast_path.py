"""The ASCII fast path of the escaping helpers must agree with the per-character rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from acp_lint.reporters.escape import _needs_quoting, one_line, printable


def test_ascii_printable_is_exactly_no_control_character() -> None:
    for code in range(128):
        char = chr(code)
        assert (not char.isprintable()) == _needs_quoting(char), repr(char)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=20))
def test_fast_path_keeps_results(text: str) -> None:
    plain = not any(_needs_quoting(char) for char in text)
    assert (printable(text) == text) == plain
    plain_line = not any(_needs_quoting(char) and char != "\t" for char in text)
    assert (one_line(text) == text) == plain_line
    if not plain_line:
        assert "\n" not in one_line(text) and "\r" not in one_line(text)
