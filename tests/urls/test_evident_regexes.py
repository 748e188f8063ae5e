"""A ``re_path()`` or DRF router regex whose shape makes it valid is not compiled when the
table is built (``patterns.evidently_valid``), and a path without its literal prefix is
rejected without compiling: both must answer exactly as compiling and matching the regex."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acp_lint.hosts.django.urls.patterns import evident_prefix, evidently_valid, regex_part
from acp_lint.records import replace
from acp_lint.routes.matching import PatternError, compile_regex, match_part

# pieces of the evident shape, and pieces that break it (or break the regex) on purpose
PIECE = st.sampled_from(
    [
        "^", "$", "/", "/?", "a", "b-", "_9", "\\.", "(?P<pk>[^/.]+)", "(?P<pk>\\d+)",
        "(?P<format>[a-z0-9]+)", "(?P<slug>[-\\w]+)", "(?P<s>[^/]*)", "(?P<n>[0-9]+)",
        ".", "?", "+", "*", "(?P<1x>\\d+)", "(", ")", "[", "|", "{2}", "\\", "é", "(?:a)",
    ]
)  # fmt: skip
PATH = st.text(alphabet="ab-_9/.xé", max_size=12)


@st.composite
def regex_and_path(draw: st.DrawFn) -> tuple[str, str, bool]:
    regex = "".join(draw(st.lists(PIECE, max_size=7)))
    literal = regex.lstrip("^").split("(", 1)[0].replace("\\", "").replace("?", "")
    path = draw(st.one_of(PATH, PATH.map(lambda rest: literal + rest), st.just(literal)))
    return regex, path, draw(st.booleans())


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # ``[[``, drawn
@settings(max_examples=800, deadline=None)
@given(regex_and_path())
def test_an_evident_regex_compiles_and_matches_as_its_regex(case: tuple[str, str, bool]) -> None:
    regex, path, is_endpoint = case
    try:
        re.compile(regex)
        valid = True
    except (re.error, OverflowError, RecursionError):
        valid = False
    if evidently_valid(regex):
        assert valid, regex
    try:
        part = regex_part(regex, is_endpoint)
    except PatternError:
        assert not valid  # rejected exactly when re rejects it
        return
    assert valid
    if part.prefix:
        assert evidently_valid(regex) and regex.startswith("^" + part.prefix)
    assert match_part(part, path) == match_part(replace(part, prefix=""), path)


def test_drf_shaped_regexes_are_built_without_compiling() -> None:
    shapes = [
        "^workout/$",
        "^workout/(?P<pk>[^/.]+)/$",
        "^workout/(?P<pk>[^/.]+)/log_data/$",
        "^workout/(?P<pk>[^/.]+)/log_data\\.(?P<format>[a-z0-9]+)/?$",
        "^setting-repetitionunit/?$",
    ]
    before = compile_regex.cache_info()
    parts = [regex_part(shape, True) for shape in shapes]
    assert compile_regex.cache_info() == before  # not compiled, not even looked up
    assert [part.prefix for part in parts] == [
        "workout/",
        "workout/",
        "workout/",
        "workout/",
        "setting-repetitionunit",
    ]
    assert match_part(parts[1], "workout/12/") == ""
    assert match_part(parts[1], "workout/12/x") is None  # fullmatch: Django's ``$`` endpoint
    assert match_part(parts[4], "setting-repetitionunit") == ""
    assert compile_regex.cache_info().misses == before.misses + 2  # compiled when matched
    assert match_part(parts[2], "exercise/1/log_data/") is None
    assert compile_regex.cache_info().misses == before.misses + 2  # rejected by its prefix


def test_what_re_rejects_is_still_rejected_when_built() -> None:
    with pytest.raises(PatternError, match="redefinition"):
        regex_part("^log/(?P<format>\\d+)\\.(?P<format>[a-z0-9]+)/?$", True)
    with pytest.raises(PatternError):
        regex_part("^items/(?P<pk>[^/.]+/$", True)
    assert not evidently_valid("^(?P<1x>\\d+)/$") and evident_prefix("a/b") == ""
