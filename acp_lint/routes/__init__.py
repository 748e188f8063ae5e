"""Framework-neutral routing: the route model, matching, collisions, bindings.json, the ACP
mount (ACP202), the table format and the one ``analyse(project)``.

Nothing here knows a web framework: a host (``acp_lint.hosts``) builds the ``RouteTable`` from
its own URL configuration, and every check after that works on the table alone.
"""

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
