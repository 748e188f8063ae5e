"""A ``path()`` route without converters matches by comparison, never compiling its regex
(as Django's ``RoutePattern.match`` does since 5.1): it must answer exactly as its regex does."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from acp_lint.hosts.django.urls.patterns import route_part
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
