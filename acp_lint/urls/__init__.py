"""The static Django URL graph: root URLconf, route table, Django's matching, ACP checks."""

from acp_lint.urls.graph import build_route_table
from acp_lint.urls.model import (
    Condition,
    IncludeStep,
    ParseError,
    PatternPart,
    Route,
    RouteTable,
    Unresolved,
)
from acp_lint.urls.resolver import resolve
from acp_lint.urls.settings_reader import RootUrlconfResult, find_root_urlconf

__all__ = [
    "Condition",
    "IncludeStep",
    "ParseError",
    "PatternPart",
    "RootUrlconfResult",
    "Route",
    "RouteTable",
    "Unresolved",
    "build_route_table",
    "find_root_urlconf",
    "resolve",
]
