"""The route table as text and as JSON, for ``acp-lint routes``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from acp_lint.urls.collisions import Collision, find_acp_mount, relevant_unresolved
from acp_lint.urls.model import Route, RouteTable, Unresolved


def _display(route: Route) -> str:
    """A path route as the URL it serves (``/api/manage``); a regex route as Django's regex
    (``^static/(?P<path>.*)$``), since a leading ``/`` in front of ``^`` reads as a path."""
    pattern = route.pattern
    return pattern if pattern.startswith("^") else "/" + pattern


def _marks(
    table: RouteTable, collisions: Sequence[Collision], acp_app: str
) -> tuple[Route | None, set[int]]:
    mount = find_acp_mount(table, acp_app)
    colliding = {id(collision.host_route) for collision in collisions}
    return mount, colliding


def format_route_table(
    table: RouteTable,
    endpoint_path: str | None = None,
    collisions: Sequence[Collision] = (),
    acp_app: str = "acp",
) -> str:
    """One line per route in dispatch order: marker, pattern, view, name, file:line, flags.

    ``ACP`` marks the ACP endpoint's route, ``!!`` a route that collides with it, ``?`` an
    unresolved place (listed after the routes).
    """
    mount, colliding = _marks(table, collisions, acp_app)
    rows: list[tuple[str, str, str, str, str, str]] = []
    for route in table.routes:
        marker = "ACP" if route is mount else ("!!" if id(route) in colliding else "")
        flags = []
        if route.conditional:
            conditions = dict.fromkeys(str(c) for c in route.conditions)
            flags.append("if " + " and ".join(conditions))
        rows.append(
            (
                marker,
                _display(route),
                route.view,
                route.name or "-",
                route.location,
                "; ".join(flags),
            )
        )
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(5)]
    lines = []
    header = f"Root URLconf: {table.root or '(not found)'}"
    if endpoint_path:
        header += f"    ACP endpoint: {endpoint_path}"
    lines.append(header)
    for row in rows:
        text = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5]))
        lines.append((text + ("  " + row[5] if row[5] else "")).rstrip())
    relevant = (
        {id(item) for item in relevant_unresolved(table, endpoint_path)} if endpoint_path else set()
    )
    for item in table.unresolved:
        marker = "?!" if id(item) in relevant else "?"
        prefix = "/" + item.prefix_text
        lines.append(f"{marker:<{widths[0]}}  {prefix}  unresolved: {item.reason}  {_where(item)}")
    for error in table.parse_errors:
        lines.append(f"parse error: {error.file}:{error.line}:{error.column}: {error.message}")
    lines.append(
        f"{len(table.routes)} routes, {len(table.unresolved)} unresolved, "
        f"{len(collisions)} collisions"
    )
    return "\n".join(lines) + "\n"


def _where(item: Unresolved) -> str:
    return f"{item.file}:{item.line}"


def route_table_to_json(
    table: RouteTable,
    endpoint_path: str | None = None,
    collisions: Sequence[Collision] = (),
    acp_app: str = "acp",
) -> dict[str, Any]:
    """A JSON-able description of the table (stable keys, routes in dispatch order)."""
    mount, colliding = _marks(table, collisions, acp_app)
    relevant = (
        {id(item) for item in relevant_unresolved(table, endpoint_path)} if endpoint_path else set()
    )
    return {
        "root_urlconf": table.root,
        "root_file": table.root_file,
        "endpoint_path": endpoint_path,
        "routes": [
            {
                "pattern": _display(route),
                "parts": [
                    {"kind": part.kind, "text": part.text, "regex": part.regex}
                    for part in route.parts
                ],
                "kind": route.kind,
                "view": route.view,
                "name": route.name,
                "path": route.file,
                "line": route.line,
                "column": route.column,
                "conditional": route.conditional,
                "conditions": [str(condition) for condition in route.conditions],
                "include_chain": [
                    {"path": step.file, "line": step.line, "target": step.target}
                    for step in route.include_chain
                ],
                "acp_endpoint": route is mount,
                "collision": id(route) in colliding,
            }
            for route in table.routes
        ],
        "unresolved": [
            {
                "path": item.file,
                "line": item.line,
                "column": item.column,
                "end_line": item.end_line,
                "end_column": item.end_column,
                "reason": item.reason,
                "prefix": "/" + item.prefix_text,
                "relevant": id(item) in relevant,
            }
            for item in table.unresolved
        ],
        "parse_errors": [
            {"path": e.file, "line": e.line, "column": e.column, "message": e.message}
            for e in table.parse_errors
        ],
    }
