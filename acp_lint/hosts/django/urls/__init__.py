"""The static Django URL graph: root URLconf and route table. The framework-neutral parts
(matching, collisions, bindings, the mount check, the table format) are ``acp_lint.routes``.

Importing this package, or the settings reader in it, does not import the graph interpreter:
``build_route_table`` imports it only for a project that has a root URLconf."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acp_lint.hosts.django.urls.settings_reader import RootUrlconfResult, find_root_urlconf
    from acp_lint.routes.model import RouteTable
    from acp_lint.sources import SourceTree

__all__ = ["RootUrlconfResult", "build_route_table", "find_root_urlconf"]
_HOMES = {
    "RootUrlconfResult": "acp_lint.hosts.django.urls.settings_reader",
    "find_root_urlconf": "acp_lint.hosts.django.urls.settings_reader",
}


def build_route_table(
    tree: SourceTree, urlconf: str | None = None, settings: str | None = None
) -> RouteTable:
    """The route table of the project, starting at its root URLconf; without one, the table
    says why (and the graph interpreter is not imported)."""
    from acp_lint.hosts.django.urls.settings_reader import find_root_urlconf, unrooted_table

    found = find_root_urlconf(tree, urlconf, settings)
    if found.module is None:
        return unrooted_table(found)
    from acp_lint.hosts.django.urls.graph import table_from_root

    return table_from_root(tree, found)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
