"""``may_name`` and ``may_suppress`` let the unused-suppression pass and the engine skip
tokenizing a file: they must never say False where a real comment names or suppresses one of
the codes."""

from __future__ import annotations

import io
import tokenize

from hypothesis import given, settings
from hypothesis import strategies as st

from acp_lint.suppressions import ALL, may_name, may_suppress, parse_comment, python_suppressions

JUDGED = frozenset({"ACP101", "ACP102", "ACP103", "ACP104", "ACP301"})
PIECES = [
    "x = 1",
    "  ",
    "# noqa",
    "# noqa:",
    "#noqa: ACP101",
    "# NOQA: acp104, F401",
    "# noqa: F401,",
    "# noqa: ACP",
    "# noqa: ALL",
    "# noqa: missing-enabled-guard",
    "# acp-lint: ignore[ACP301] reason",
    "# acp-lint: ignore[",
    "]",
    ",",
    "ACP102",
    "'# noqa: ACP103'",
    '"""# noqa: ACP101\n"""',
    "\n",
    "\\\n",
    "\r",
    "\r\n",
    '"# acp-lint: ignore["',
    "# NOQA:",
    "#noqa:ACP104 ,ACP101",
]


def _real(text: str) -> bool:
    """What the unused-suppression pass finds with the tokenizer: a comment naming a code."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    for token in tokens:
        if token.type == tokenize.COMMENT:
            named = parse_comment(token.string)
            if ALL not in named and named & JUDGED:
                return True
    return False


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_may_name_is_never_false_where_a_comment_names_a_code(pieces: list[str]) -> None:
    text = " ".join(pieces) + "\n"
    if _real(text):
        assert may_name(text, JUDGED)


def test_may_name_examples() -> None:
    assert may_name("import os  # noqa: ACP101\n", JUDGED)
    assert may_name("x()  # acp-lint: ignore[missing-enabled-guard] ok\n", JUDGED)
    assert not may_name("from acp_kernel import C  # noqa: F401\n", JUDGED)
    assert not may_name("x = 1  # noqa\n", JUDGED)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.sampled_from(sorted(JUDGED)))
def test_may_suppress_is_never_false_where_the_tokenizer_finds_a_suppression(
    pieces: list[str], code: str
) -> None:
    text = " ".join(pieces) + "\n"
    table = python_suppressions(text)
    if any(ALL in named or code in named for named in table.values()):
        assert may_suppress(text, {code})


def test_may_suppress_examples() -> None:
    assert may_suppress("x = 1  # noqa\n", {"ACP101"})
    assert may_suppress("x = 1  # noqa: acp101\n", {"ACP101"})
    assert not may_suppress("from acp_kernel import C  # noqa: F401\n", {"ACP104"})
    assert not may_suppress("x = 1  # noqa: ACP102\n", {"ACP104"})
