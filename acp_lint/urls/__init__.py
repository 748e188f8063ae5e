"""The static Django URL graph: root URLconf, route table, Django's matching, ACP checks."""

from acp_lint.urls.bindings import (
    Bindings,
    BindingsError,
    BindingsResult,
    load_bindings,
    validate_base_path,
)
from acp_lint.urls.collisions import (
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
from acp_lint.urls.graph import build_route_table
from acp_lint.urls.model import (
    Condition,
    IncludeStep,
    LiteralRef,
    ParseError,
    PatternPart,
    Route,
    RouteTable,
    Unresolved,
)
from acp_lint.urls.mount import MountEdit, MountMismatch, check_mount, mounted_path
from acp_lint.urls.resolver import resolve, route_matches
from acp_lint.urls.settings_reader import RootUrlconfResult, find_root_urlconf
from acp_lint.urls.table_format import format_route_table, route_table_to_json

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
    "RootUrlconfResult",
    "Route",
    "RouteTable",
    "Unresolved",
    "build_route_table",
    "check_mount",
    "find_acp_mount",
    "find_collisions",
    "find_root_urlconf",
    "format_route_table",
    "is_acp_route",
    "load_bindings",
    "mounted_path",
    "path_is_free",
    "relevant_unresolved",
    "reserved_collisions",
    "unresolved_causes",
    "resolve",
    "route_matches",
    "route_table_to_json",
    "suggest_base_paths",
    "validate_base_path",
]
