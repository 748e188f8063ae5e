"""The route table as text and as JSON, for ``acp-lint routes``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from acp_lint.routes.collisions import Collision, find_acp_mount, relevant_unresolved
from acp_lint.routes.model import Route, RouteTable, Unresolved


def _display(route: Route) -> str:
    """A path route as the URL it serves (``/api/manage``); a regex route as Django's regex
    (``^static/(?P<path>.*)$``), since a leading ``/`` in front of ``^`` reads as a path."""
    pattern = route.pattern
    if route.kind == "mount":  # a Starlette Mount takes everything under its path
        return "/" + pattern.removesuffix("{path:path}") + "..."
    return pattern if pattern.startswith("^") else "/" + pattern


def _marks(
    table: RouteTable, collisions: Sequence[Collision], acp_app: str
) -> tuple[Route | None, set[int]]:
    mount = find_acp_mount(table, acp_app)
    colliding = {id(collision.host_route) for collision in collisions}
    return mount, colliding


HEADER = ("", "PATTERN", "VIEW", "NAME", "LOCATION", "CONDITION")
ELLIPSIS = "…"
MIN_VIEW = 12  # the view column is narrowed to this before anything else is cut


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 route``, ``2 routes``: the count with the word in the right number."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def qualified_name(route: Route) -> str:
    """The name ``reverse()`` takes: ``namespace:name``; ``-`` for an unnamed route
    (``namespace:-`` inside a namespace, so that the namespace still shows)."""
    name = route.name or "-"
    return f"{route.namespace}:{name}" if route.namespace else name


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending with an ellipsis when cut."""
    if width <= 0 or len(text) <= width:
        return text
    return text[: width - 1] + ELLIPSIS


def format_route_table(
    table: RouteTable,
    endpoint_path: str | None = None,
    collisions: Sequence[Collision] = (),
    acp_app: str = "acp",
    width: int = 0,
) -> str:
    """A header row, then one line per route in dispatch order: marker, pattern, view,
    ``namespace:name``, file:line, conditions.

    ``ACP`` marks the ACP endpoint's route, ``!!`` a route that collides with it, ``?`` an
    unresolved place (listed after the routes). With ``width`` > 0 no line is longer: the
    view column is cut first (with an ellipsis), then the conditions, then the line's end.
    """
    mount, colliding = _marks(table, collisions, acp_app)
    # A METHODS column only where routes are dispatched by method (Starlette), so a Django
    # listing is unchanged.
    by_method = any(route.methods is not None for route in table.routes)
    header = (HEADER[0], "METHODS", *HEADER[1:]) if by_method else HEADER
    rows: list[tuple[str, ...]] = []
    for route in table.routes:
        marker = "ACP" if route is mount else ("!!" if id(route) in colliding else "")
        conditions = dict.fromkeys(str(c) for c in route.conditions)
        cells = (
            marker,
            _display(route),
            route.view,
            qualified_name(route),
            route.location,
            "if " + " and ".join(conditions) if conditions else "",
        )
        rows.append((cells[0], method_list(route), *cells[1:]) if by_method else cells)
    fixed = len(header) - 1  # every column but the last (the conditions) is padded
    view = fixed - 3
    columns = [max((len(row[i]) for row in (header, *rows)), default=0) for i in range(fixed)]
    if width > 0:
        others = sum(columns) - columns[view] + 2 * (fixed - 1)
        columns[view] = max(min(columns[view], width - others), min(MIN_VIEW, columns[view]))
    lines = []
    if table.title is not None:
        title = table.title
    else:
        title = f"Root URLconf: {table.root or '(not found)'}"
    if endpoint_path:
        title += f"    ACP endpoint: {endpoint_path}"
    lines.append(title)
    if rows:
        lines.append(_row(header if any(r[fixed] for r in rows) else header[:fixed], columns))
    for row in rows:
        lines.append(_row(row, columns))
    relevant = (
        {id(item) for item in relevant_unresolved(table, endpoint_path)} if endpoint_path else set()
    )
    for item in table.unresolved:
        marker = "?!" if id(item) in relevant else "?"
        prefix = "/" + item.prefix_text
        lines.append(f"{marker:<{columns[0]}}  {prefix}  {_where(item)}  unresolved: {item.reason}")
    for error in table.parse_errors:
        lines.append(f"parse error: {error.file}:{error.line}:{error.column}: {error.message}")
    summary = [
        plural(len(table.routes), "route"),
        f"{len(table.unresolved)} unresolved",
        plural(len(collisions), "collision"),
    ]
    if table.parse_errors:
        summary.append(plural(len(table.parse_errors), "parse error"))
    lines.append(", ".join(summary))
    return "".join(clip(line, width) + "\n" for line in lines)


def _row(row: Sequence[str], columns: Sequence[int]) -> str:
    """The cells padded to their columns; the view cut to its column; the last cell as is."""
    fixed = len(columns)
    cells = [clip(cell, columns[i]).ljust(columns[i]) for i, cell in enumerate(row[:fixed])]
    text = "  ".join(cells)
    if len(row) > fixed and row[fixed]:
        text += "  " + row[fixed]
    return text.rstrip()


def method_list(route: Route) -> str:
    """``GET,HEAD``; ``*`` for any method; ``-`` for none (a websocket route)."""
    if route.methods is None:
        return "*"
    return ",".join(sorted(route.methods)) or "-"


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
    result: dict[str, Any] = {
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
                "namespace": route.namespace,
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
    if table.title is not None:  # a Starlette table: who dispatches, and each route's methods
        result["framework"] = table.framework
        for entry, route in zip(result["routes"], table.routes, strict=True):
            entry["methods"] = sorted(route.methods) if route.methods is not None else None
    return result
