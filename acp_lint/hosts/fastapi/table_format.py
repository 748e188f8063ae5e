"""A FastAPI route table as text, one line per route, in dispatch order (for ``routes``)."""

from __future__ import annotations

from acp_lint.hosts.fastapi.model import Route, RouteTable


def _methods(route: Route) -> str:
    if route.kind == "websocket":
        return "WS"
    if route.methods is None:
        return "*"
    return ",".join(sorted(route.methods))


def _lines(routes: tuple[Route, ...] | list[Route], prefix: str, indent: str) -> list[str]:
    lines: list[str] = []
    for route in routes:
        path = prefix + route.path
        shown = f"{path}/..." if route.is_mount else path or "/"
        note = f"  [if {' and '.join(route.conditions)}]" if route.conditions else ""
        lines.append(
            f"{indent}{_methods(route):<12} {shown:<40} {route.endpoint}  {route.position}{note}"
        )
        if route.is_mount and route.children:
            lines.extend(_lines(route.children, path, indent + "  "))
    return lines


def format_table(table: RouteTable) -> str:
    """Every route (mounted apps' routes indented under their mount), then what is unresolved."""
    lines = [f"FastAPI app {table.app.import_string} ({table.app.position})"]
    if table.root_path:
        lines.append(f"root_path {table.root_path}")
    lines.extend(_lines(table.routes, "", "  "))
    for item in table.unresolved:
        where = f" under {item.prefix}" if item.prefix else ""
        if item.routes:
            where += f" ({item.routes} route{'s' if item.routes != 1 else ''} left out)"
        lines.append(f"  unresolved{where}: {item.reason}  {item.position}")
    for error in table.parse_errors:
        lines.append(f"  parse error: {error.message}  {error.position}")
    return "\n".join(lines) + "\n"
