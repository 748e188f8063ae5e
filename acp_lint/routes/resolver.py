"""Which route Django would dispatch a path to: first match wins, in table order."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from acp_lint.routes.matching import match_part
from acp_lint.routes.model import Route, RouteTable


def route_is_active(route: Route, assume: Mapping[str, bool] | None) -> bool:
    """False when an assumed condition value contradicts one of the route's branches."""
    if not assume:
        return True
    return all(
        condition.test not in assume or assume[condition.test] == condition.value
        for condition in route.conditions
    )


def route_matches(
    route: Route, path: str, cache: dict[tuple[int, str], str | None] | None = None
) -> bool:
    """Whether every part of the route matches in turn (Django's nested ``resolve``)."""
    rest: str | None = path
    for part in route.parts:
        assert rest is not None
        if cache is not None:
            key = (id(part), rest)
            if key in cache:
                rest = cache[key]
            else:
                rest = cache[key] = match_part(part, rest)
        else:
            rest = match_part(part, rest)
        if rest is None:
            return False
    return True


def resolve(
    table: RouteTable,
    path: str,
    assume: Mapping[str, bool] | None = None,
    include: Callable[[Route], bool] | None = None,
) -> Route | None:
    """The route Django would dispatch ``path`` (``path_info`` without its leading ``/``) to.

    Conditional routes take part unless ``assume`` (condition text -> value, e.g.
    ``{"settings.DEBUG": False}``) says their branch is not taken; ``include`` can hide routes
    (e.g. the ACP app's own). Unresolved parts of the table are not consulted.
    """
    cache: dict[tuple[int, str], str | None] = {}
    for route in table.routes:
        if include is not None and not include(route):
            continue
        if not route_is_active(route, assume):
            continue
        if route_matches(route, path, cache):
            return route
    return None
