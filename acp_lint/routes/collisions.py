"""ACP201 and ACP204 over a route table: which host routes collide with the ACP endpoint.

A host route collides when it matches the endpoint path on its own (all its pattern parts match
in turn, as Django's nested resolvers would): placed before the ACP mount it shadows the
endpoint; placed after it, the ACP route would take a path that route serves today; with no
mount yet (installer planning) it simply owns the path. Conditional routes count: a route that
serves the path in one configuration is a collision in that configuration.
"""

from __future__ import annotations

import re

from acp_lint.records import record
from acp_lint.routes.matching import match_parts
from acp_lint.routes.model import ReservedPrefix, Route, RouteTable, Unresolved
from acp_lint.routes.resolver import route_matches

BASE_PATH_CANDIDATES = (
    "/api/acp",
    "/acp",
    "/api/v1/acp",
    "/api/agent-control",
    "/agent-control",
    "/_acp",
    "/api/_acp",
    "/acp-api",
)


@record(frozen=True)
class Collision:
    """A host route that takes the ACP endpoint path (ACP201, reported at ``host_route``)."""

    host_route: Route
    acp_route: Route | None
    message: str
    suggestions: tuple[str, ...] = ()


def _in_module(dotted: str, app: str) -> bool:
    return dotted == app or dotted.startswith(app + ".")


def is_acp_route(route: Route, acp_app: str = "acp") -> bool:
    """A route of the ACP app: created in it, included from it, or served by its views."""
    if _in_module(route.module, acp_app) or _in_module(route.view, acp_app):
        return True
    return any(_in_module(step.target, acp_app) for step in route.include_chain)


def find_acp_mount(table: RouteTable, acp_app: str = "acp") -> Route | None:
    """The route the ACP endpoint is served by: the ACP route whose last part is ``manage``.

    Falls back to the first ACP route when none is named like that.
    """
    acp_routes = [route for route in table.routes if is_acp_route(route, acp_app)]
    for route in acp_routes:
        last = route.parts[-1].text.strip("^$/")
        if last.endswith("manage") or route.view.endswith(".manage"):
            return route
    return acp_routes[0] if acp_routes else None


def shown_pattern(route: Route) -> str:
    """The route's pattern as its framework writes it: Django's route text (``api/``), a
    Starlette path with its leading ``/``."""
    starlette = bool(route.parts) and route.parts[0].kind == "starlette"
    return "/" + route.pattern if starlette else route.pattern


def _endpoint(path: str) -> str:
    return path.lstrip("/")


def path_is_free(table: RouteTable, base_path: str, acp_app: str = "acp") -> bool:
    """No host route serves ``<base>/manage`` nor anything we probe under ``<base>``, and no
    unresolved part could."""
    base = _endpoint(base_path).rstrip("/")
    probes = [
        base,
        f"{base}/",
        f"{base}/manage",
        f"{base}/manage/",
        f"{base}/x",
        f"{base}/x/",
        f"{base}/1/",
        f"{base}/x/y",
    ]
    if any(f"{base}/".startswith(reserved.prefix) for reserved in table.reserved):
        return False
    for route in table.routes:
        if is_acp_route(route, acp_app):
            continue
        if any(route_matches(route, probe) for probe in probes):
            return False
    return not relevant_unresolved(table, f"/{base}/manage")


def suggest_base_paths(table: RouteTable, count: int = 3, acp_app: str = "acp") -> list[str]:
    """Up to ``count`` base paths whose ``/manage`` endpoint and subtree are free."""
    free: list[str] = []
    for candidate in BASE_PATH_CANDIDATES:
        if path_is_free(table, candidate, acp_app):
            free.append(candidate)
        if len(free) >= count:
            break
    return free


def could_serve(item: Unresolved, path: str) -> bool:
    """Whether an unresolved place could serve ``path``: its prefix matches the start of the
    path and, when its literal parts are known, the rest of the path can match them."""
    rest = match_parts(item.prefix, path)
    if rest is None:
        return False
    return item.pattern is None or re.match(item.pattern, rest) is not None


def reserved_collisions(table: RouteTable, endpoint_path: str) -> list[tuple[ReservedPrefix, str]]:
    """``STATIC_URL``/``MEDIA_URL`` prefixes the endpoint path is under, with a message (ACP201,
    reported at the setting): those requests never reach the URLconf."""
    path = _endpoint(endpoint_path)
    found = []
    for reserved in table.reserved:
        if path.startswith(reserved.prefix) or path + "/" == reserved.prefix:
            served_by = (
                "runserver's staticfiles handler and, in production, the web server"
                if reserved.setting == "STATIC_URL"
                else "the web server (and static() in DEBUG)"
            )
            message = (
                f"the ACP endpoint /{path} is under {reserved.setting} "
                f"'/{reserved.prefix}': {served_by} serve that prefix before Django's URLconf "
                "is consulted, so the endpoint would be unreachable. Choose a base path outside "
                f"{reserved.setting}."
            )
            found.append((reserved, message))
    return found


def relevant_unresolved(table: RouteTable, endpoint_path: str) -> list[Unresolved]:
    """Unresolved places that could serve the endpoint path (ACP204)."""
    path = _endpoint(endpoint_path)
    return [item for item in table.unresolved if could_serve(item, path)]


def unresolved_causes(table: RouteTable, endpoint_path: str) -> list[tuple[Unresolved, int]]:
    """ACP204 once per cause: the relevant unresolved places grouped by the expression that
    could not be analysed, each with how many routes or includes depend on it."""
    groups: dict[tuple[str, int, int, int, int], list[Unresolved]] = {}
    for item in relevant_unresolved(table, endpoint_path):
        groups.setdefault(item.cause, []).append(item)
    return [(items[0], len(items)) for items in groups.values()]


def find_collisions(table: RouteTable, endpoint_path: str, acp_app: str = "acp") -> list[Collision]:
    """Every host route that Django would dispatch the endpoint path to, with a message."""
    path = _endpoint(endpoint_path)
    shown = "/" + path
    mount = find_acp_mount(table, acp_app)
    mount_index = next((i for i, r in enumerate(table.routes) if r is mount), None)
    matches = [
        (index, route)
        for index, route in enumerate(table.routes)
        if not is_acp_route(route, acp_app) and route.serves("POST") and route_matches(route, path)
    ]
    if not matches:
        return []
    suggestions = tuple(suggest_base_paths(table, 3, acp_app))
    hint = (
        " Free base paths: " + ", ".join(suggestions) + "."
        if suggestions
        else " No free base path was found among the usual candidates."
    )
    collisions = []
    for index, route in matches:
        where = f"route {shown_pattern(route)!r}" + (" (conditional)" if route.conditional else "")
        if mount is None or mount_index is None:
            message = f"{where} already serves the ACP endpoint path {shown}."
        elif index < mount_index:
            message = (
                f"{where} matches {shown} before the ACP route at {mount.location}, "
                f"so {table.framework} would never dispatch the ACP endpoint."
            )
        else:
            message = (
                f"{where} serves {shown} today; the ACP route at {mount.location} comes "
                "first and would take that path from it."
            )
        collisions.append(Collision(route, mount, message + hint, suggestions))
    return collisions
