"""A ``path()`` route without converters matches by comparison, never compiling its regex
(as Django's ``RoutePattern.match`` does since 5.1): it must answer exactly as its regex does."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from acp_lint.hosts.django.urls.patterns import route_part, route_to_regex
from acp_lint.records import replace
from acp_lint.routes.matching import compile_regex, match_part

# regex metacharacters on purpose: the comparison must not care, the regex escapes them
ALPHABET = "ab/.-_+*?()[]{}^$|\\ é<>:"
TEXT = st.text(alphabet=ALPHABET, max_size=10)


@st.composite
def route_and_path(draw: st.DrawFn) -> tuple[str, str, bool]:
    route = draw(TEXT)
    path = draw(st.one_of(st.just(route), TEXT.map(lambda rest: route + rest), TEXT))
    return route, path, draw(st.booleans())


@settings(max_examples=600, deadline=None)
@given(route_and_path())
def test_a_plain_route_answers_as_its_regex(case: tuple[str, str, bool]) -> None:
    route, path, is_endpoint = case
    try:
        part = route_part(route, is_endpoint)
    except ValueError:  # Django rejects it too (a bad converter): nothing to compare
        return
    if part.plain is None:
        assert "<" in route and ">" in route  # only a converter component keeps the regex
        return
    assert part.plain == route
    assert match_part(part, path) == match_part(replace(part, plain=None), path)


def test_converters_keep_the_regex_and_plain_routes_skip_compiling() -> None:
    assert route_part("items/<int:pk>/", True).plain is None
    assert route_part("items/<pk>", False).plain is None
    before = compile_regex.cache_info()
    part = route_part("shop.v2/(legacy)+/", True)
    assert part.plain == "shop.v2/(legacy)+/"
    assert compile_regex.cache_info() == before  # no compile, not even a cached one
    assert match_part(part, "shop.v2/(legacy)+/") == ""
    assert match_part(part, "shop.v2/legacylegacy/") is None  # not read as a regex
    assert match_part(route_part("shop.v2/", False), "shop.v2/rest") == "rest"


COMPONENT = st.sampled_from(
    ["<int:pk>", "<slug>", "<str:s>", "<path:rest>", "<uuid:u>", "<slug:pk>", "<int:p2>"]
)


@st.composite
def converter_route_and_path(draw: st.DrawFn) -> tuple[str, str, bool]:
    pieces = draw(st.lists(st.one_of(TEXT, COMPONENT), min_size=1, max_size=5))
    route = "".join(pieces)
    sample = "".join(
        draw(st.sampled_from(["7", "a-b", "x/y", "12345678-1234-1234-1234-123456789abc"]))
        if piece.startswith("<")
        else piece
        for piece in pieces
    )
    path = draw(st.one_of(st.just(sample), TEXT.map(lambda rest: sample + rest), TEXT))
    return route, path, draw(st.booleans())


@settings(max_examples=600, deadline=None)
@given(converter_route_and_path())
def test_a_converter_route_rejects_by_its_prefix_as_its_regex_would(
    case: tuple[str, str, bool],
) -> None:
    """Not compiled when built (Django's converters under distinct names always compile), and
    a path without the text before the first converter is rejected without compiling."""
    route, path, is_endpoint = case
    try:  # what building did before: the regex, then compiling it
        re.compile(route_to_regex(route, is_endpoint)[0])
        valid = True
    except (ValueError, re.error):
        valid = False
    try:
        part = route_part(route, is_endpoint)
    except ValueError:
        assert not valid  # rejected exactly when the compile rejects it
        return
    assert valid
    compile_regex(part.regex)  # what Django compiles: it must be valid
    assert route.startswith(part.prefix)
    assert match_part(part, path) == match_part(replace(part, prefix=""), path)


def test_a_repeated_name_or_a_registered_converter_is_still_compiled_when_built() -> None:
    import pytest

    from acp_lint.routes.matching import PatternError

    with pytest.raises(PatternError, match="redefinition"):
        route_part("a/<int:pk>/<slug:pk>/", True)
    with pytest.raises(PatternError):  # a registered converter whose regex re rejects
        route_part("a/<year:y>/", True, {"year": "[0-9"})
    before = compile_regex.cache_info().misses
    part = route_part("shop/items/<int:pk>/edit/", True)
    assert part.prefix == "shop/items/"
    assert compile_regex.cache_info().misses == before  # built without compiling
    assert match_part(part, "blog/7/edit/") is None
    assert compile_regex.cache_info().misses == before  # rejected by its prefix
    assert match_part(part, "shop/items/7/edit/") == ""
