"""The static Django URL graph: root URLconf and route table. The framework-neutral parts
(matching, collisions, bindings, the mount check, the table format) are ``acp_lint.routes``.

The names are loaded on first use: importing a submodule (the settings reader, which finds out
whether there is a root URLconf at all) does not import the graph interpreter with it."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acp_lint.hosts.django.urls.graph import build_route_table
    from acp_lint.hosts.django.urls.settings_reader import RootUrlconfResult, find_root_urlconf

__all__ = ["RootUrlconfResult", "build_route_table", "find_root_urlconf"]
_HOMES = {
    "build_route_table": "acp_lint.hosts.django.urls.graph",
    "RootUrlconfResult": "acp_lint.hosts.django.urls.settings_reader",
    "find_root_urlconf": "acp_lint.hosts.django.urls.settings_reader",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
