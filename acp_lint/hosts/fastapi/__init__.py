"""FastAPI (Starlette) hosts: find the application, read its route table, dispatch on it; the
ACP104 guard (guard.py) and the Alembic checks live beside it.

Everything here reads the project with ``ast``; nothing imports FastAPI, Starlette or the host.
"""

from __future__ import annotations

from acp_lint.hosts.fastapi.app import find_app, find_apps, find_configured_app
from acp_lint.hosts.fastapi.model import (
    AppError,
    AppRef,
    ParseError,
    Position,
    Route,
    RouteTable,
    Unresolved,
)
from acp_lint.hosts.fastapi.resolve import Resolution, dispatch, match_route, resolve
from acp_lint.hosts.fastapi.routes import TableError, build_table
from acp_lint.hosts.fastapi.table_format import format_table

__all__ = [
    "AppError",
    "AppRef",
    "ParseError",
    "Position",
    "Resolution",
    "Route",
    "RouteTable",
    "TableError",
    "Unresolved",
    "build_table",
    "dispatch",
    "find_app",
    "find_apps",
    "find_configured_app",
    "format_table",
    "match_route",
    "resolve",
]
