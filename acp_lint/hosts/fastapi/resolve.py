"""Starlette's dispatch over a static route table: which route serves ``METHOD path``.

``Router.app``: routes in order; the first FULL match (path matches and the method is allowed,
or a Mount, whatever the method) wins at once; else the first PARTIAL one (path matches, the
method does not: Starlette answers 405 from it). When nothing matches and the router has
``redirect_slashes`` (the default) and the path is not ``/``, the same path with the trailing
slash toggled is tried, and the first route matching it *at all* (FULL or PARTIAL) makes
Starlette answer a 307 redirect there, which keeps the method: ``POST /api/manage`` redirected
to ``/api/manage/`` reaches that route. That is reported as a ``"redirect"`` resolution, so a
collision check can treat it as served. ``FastAPI(root_path=...)`` is taken off the request
path first (``get_route_path``). Included routers are flattened in the table; Starlette's
nested matching of ``_IncludedRouter`` gives the same answer (a group is FULL when any of its
routes is, else PARTIAL when any is).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from acp_lint.hosts.fastapi.model import Route, RouteTable
from acp_lint.hosts.fastapi.paths import route_path
from acp_lint.records import record

FULL = "full"
PARTIAL = "partial"
REDIRECT = "redirect"


@record(frozen=True)
class Resolution:
    """The route a request reaches and how: ``"full"``, ``"partial"`` (405) or ``"redirect"``.

    ``path`` is the route path that matched, after ``root_path`` is taken off (for a
    redirect, the toggled path, which the route then answers). ``inner`` is
    the resolution inside a Mount's known routes when resolving deeply (None when the mounted
    app's routes are unknown or none of them matches: the mounted app answers, e.g. 404).
    """

    route: Route
    match: str
    path: str
    inner: Resolution | None = None

    @property
    def leaf(self) -> Resolution:
        """The innermost resolution (through mounts)."""
        return self.inner.leaf if self.inner is not None else self


@lru_cache(maxsize=65536)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def match_route(route: Route, method: str, path: str) -> str | None:
    """``route.matches(scope)`` for an HTTP request: FULL, PARTIAL or None."""
    if route.kind == "websocket":
        return None
    found = _compiled(route.regex).match(path)
    if found is None:
        return None
    for name, convertor in route.convertors:
        if convertor == "int":
            try:
                int(found.group(name))
            except ValueError:  # more digits than int() accepts: Starlette raises there
                return None
    if route.is_mount or not route.methods or method in route.methods:
        return FULL
    return PARTIAL


def route_is_active(route: Route, assume: Mapping[str, bool] | None) -> bool:
    """False when an assumed value of an ``if`` test contradicts the branch the route is in
    (``assume={"settings.DEBUG": False}`` drops routes under ``if settings.DEBUG:``)."""
    if not assume:
        return True
    for condition in route.conditions:
        if condition in assume and not assume[condition]:
            return False
        if condition.startswith("not (") and condition.endswith(")"):
            test = condition[len("not (") : -1]
            if test in assume and assume[test]:
                return False
    return True


def dispatch(
    routes: tuple[Route, ...] | list[Route],
    method: str,
    path: str,
    redirect_slashes: bool = True,
    deep: bool = False,
    root_path: str = "",
    assume: Mapping[str, bool] | None = None,
) -> Resolution | None:
    """One router's answer for ``method`` and the request path ``path`` (``scope["path"]``,
    which Starlette never shortens) under ``root_path`` (grown by each Mount, taken off the
    path by ``get_route_path`` when the path starts with it). Conditional routes take part
    unless ``assume`` rules their branch out."""
    if assume:
        routes = [route for route in routes if route_is_active(route, assume)]
    relative = route_path(path, root_path)
    partial: Route | None = None
    for route in routes:
        found = match_route(route, method, relative)
        if found == FULL:
            inner = None
            if deep and route.is_mount:
                inner = _descend(route, method, path, relative, root_path, assume)
            return Resolution(route, FULL, relative, inner)
        if found == PARTIAL and partial is None:
            partial = route
    if partial is not None:
        return Resolution(partial, PARTIAL, relative)
    if redirect_slashes and relative != "/":
        other = path.rstrip("/") if relative.endswith("/") else path + "/"
        other_relative = route_path(other, root_path)
        for route in routes:
            if match_route(route, method, other_relative) is not None:
                # Starlette answers 307 to ``other``; the route that then answers:
                final = dispatch(routes, method, other, False, deep, root_path, assume)
                assert final is not None
                return Resolution(final.route, REDIRECT, final.path, final.inner)
    return None


def _descend(
    mount: Route,
    method: str,
    path: str,
    relative: str,
    root_path: str,
    assume: Mapping[str, bool] | None,
) -> Resolution | None:
    """Inside a Mount: its routes see the same path under a root_path grown by the prefix."""
    if mount.children is None:
        return None
    found = _compiled(mount.regex).match(relative)
    assert found is not None
    rest = "/" + found.group("path")
    matched = relative[: -len(rest)]
    return dispatch(
        mount.children, method, path, mount.redirect_slashes, True, root_path + matched, assume
    )


def resolve(
    table: RouteTable,
    method: str,
    path: str,
    deep: bool = False,
    assume: Mapping[str, bool] | None = None,
) -> Resolution | None:
    """The route Starlette dispatches ``method path`` to in the application (None: 404).

    ``path`` is the request path as the server passes it (``scope["path"]``, leading ``/``).
    With ``deep``, a Mount's resolution also says which of the mounted app's routes answers.
    ``assume`` maps ``if`` tests to their value (see ``route_is_active``). Unresolved items are
    not consulted (the caller reports them).
    """
    return dispatch(
        table.routes,
        method.upper(),
        path,
        table.redirect_slashes,
        deep,
        table.root_path,
        assume,
    )
