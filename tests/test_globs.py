"""``acp_lint.globs``: the component shortcut for one-component globs answers exactly as the
combined regex does (the regex is the reference: it is what every pattern used to go through)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from acp_lint.discovery import DEFAULT_EXCLUDES
from acp_lint.globs import _combined, _matcher, matches

# characters that matter to globs and paths: separators, wildcards, dots, regex metacharacters
ALPHABET = "ab./*?-_[]()+^$"
patterns = st.lists(st.text(ALPHABET, max_size=8), min_size=1, max_size=4).map(tuple)
paths = st.lists(st.text("ab.-_*?[]", max_size=5), min_size=1, max_size=5).map("/".join)


def _by_regex(path: str, key: tuple[str, ...]) -> bool:
    return _combined(key).match(path) is not None


@settings(max_examples=600, deadline=None)
@given(patterns, paths)
@example(("build",), "src/build/x.py")
@example(("*.egg-info",), "a/pkg.egg-info/PKG-INFO")
@example(("./.git",), "git/x")  # ``lstrip("./")``: the quirk is kept, not fixed here
@example(("**",), "a/b")
@example(("a/",), "x/a/b")
@example(("/a",), "x/a")
@example(("*",), "")
def test_the_matcher_answers_as_the_combined_regex(key: tuple[str, ...], path: str) -> None:
    assert _matcher(key)(path) is _by_regex(path, key)


@settings(max_examples=300, deadline=None)
@given(paths)
def test_the_default_excludes_answer_as_the_combined_regex(path: str) -> None:
    for name in ("node_modules", ".venv", "x.egg-info", "__pycache__"):
        for candidate in (path, f"{path}/{name}/m.py", f"{name}/{path}"):
            assert matches(candidate, DEFAULT_EXCLUDES) is _by_regex(candidate, DEFAULT_EXCLUDES)
