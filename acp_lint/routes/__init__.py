"""Framework-neutral routing: the route model, matching, collisions, bindings.json, the ACP
mount (ACP202), the table format and the one ``analyse(project)``.

Nothing here knows a web framework: a host (``acp_lint.hosts``) builds the ``RouteTable`` from
its own URL configuration, and every check after that works on the table alone.

Importing the package imports none of its modules: each name is loaded from its home on first
use (a run without routes never loads the matching, collision and mount code).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acp_lint.routes.analysis import RouteAnalysis, analyse
    from acp_lint.routes.bindings import (
        Bindings,
        BindingsError,
        BindingsResult,
        load_bindings,
        validate_base_path,
    )
    from acp_lint.routes.collisions import (
        Collision,
        find_acp_mount,
        find_collisions,
        is_acp_route,
        path_is_free,
        relevant_unresolved,
        reserved_collisions,
        suggest_base_paths,
        unresolved_causes,
    )
    from acp_lint.routes.model import (
        Condition,
        IncludeStep,
        LiteralRef,
        ParseError,
        PatternPart,
        Route,
        RouteTable,
        Unresolved,
    )
    from acp_lint.routes.mount import MountEdit, MountMismatch, check_mount, mounted_path
    from acp_lint.routes.resolver import resolve, route_matches
    from acp_lint.routes.table_format import format_route_table, route_table_to_json

_HOMES = {
    "Bindings": "acp_lint.routes.bindings",
    "BindingsError": "acp_lint.routes.bindings",
    "BindingsResult": "acp_lint.routes.bindings",
    "Collision": "acp_lint.routes.collisions",
    "Condition": "acp_lint.routes.model",
    "IncludeStep": "acp_lint.routes.model",
    "LiteralRef": "acp_lint.routes.model",
    "MountEdit": "acp_lint.routes.mount",
    "MountMismatch": "acp_lint.routes.mount",
    "ParseError": "acp_lint.routes.model",
    "PatternPart": "acp_lint.routes.model",
    "Route": "acp_lint.routes.model",
    "RouteAnalysis": "acp_lint.routes.analysis",
    "RouteTable": "acp_lint.routes.model",
    "Unresolved": "acp_lint.routes.model",
    "analyse": "acp_lint.routes.analysis",
    "check_mount": "acp_lint.routes.mount",
    "find_acp_mount": "acp_lint.routes.collisions",
    "find_collisions": "acp_lint.routes.collisions",
    "format_route_table": "acp_lint.routes.table_format",
    "is_acp_route": "acp_lint.routes.collisions",
    "load_bindings": "acp_lint.routes.bindings",
    "mounted_path": "acp_lint.routes.mount",
    "path_is_free": "acp_lint.routes.collisions",
    "relevant_unresolved": "acp_lint.routes.collisions",
    "reserved_collisions": "acp_lint.routes.collisions",
    "resolve": "acp_lint.routes.resolver",
    "route_matches": "acp_lint.routes.resolver",
    "route_table_to_json": "acp_lint.routes.table_format",
    "suggest_base_paths": "acp_lint.routes.collisions",
    "unresolved_causes": "acp_lint.routes.collisions",
    "validate_base_path": "acp_lint.routes.bindings",
}

__all__ = [
    "Bindings",
    "BindingsError",
    "BindingsResult",
    "Collision",
    "Condition",
    "IncludeStep",
    "LiteralRef",
    "MountEdit",
    "MountMismatch",
    "ParseError",
    "PatternPart",
    "Route",
    "RouteAnalysis",
    "RouteTable",
    "Unresolved",
    "analyse",
    "check_mount",
    "find_acp_mount",
    "find_collisions",
    "format_route_table",
    "is_acp_route",
    "load_bindings",
    "mounted_path",
    "path_is_free",
    "relevant_unresolved",
    "reserved_collisions",
    "resolve",
    "route_matches",
    "route_table_to_json",
    "suggest_base_paths",
    "unresolved_causes",
    "validate_base_path",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
