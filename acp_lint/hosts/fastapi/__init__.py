"""FastAPI (Starlette) hosts: find the application, read its route table, dispatch on it; the
ACP104 guard (guard.py) and the Alembic checks live beside it.

``HOST`` implements ``acp_lint.hosts.Host``. Everything here reads the project with ``ast``;
nothing imports FastAPI, Starlette or the host. Importing this package imports none of its
modules: ``HOST``'s methods and the names below are loaded when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

from acp_lint.hosts.fastapi.host import HOST, FastAPIHost

# ``resolve`` is also a submodule's name, and importing a submodule sets the package attribute
# of that name to the module: the first use of any of these names imports the submodule and
# then binds all four here, so ``resolve`` is the function (choosing the framework of a run
# loads ``HOST`` without importing the resolver).
_RESOLVE_NAMES = ("Resolution", "dispatch", "match_route", "resolve")

_EXPORTS = {
    "AppError": "model",
    "AppRef": "model",
    "ParseError": "model",
    "Position": "model",
    "Route": "model",
    "RouteTable": "model",
    "Unresolved": "model",
    "TableError": "routes",
    "build_table": "routes",
    "find_app": "app",
    "find_apps": "app",
    "find_configured_app": "app",
    "format_table": "table_format",
}


def __getattr__(name: str) -> Any:
    if name in _RESOLVE_NAMES:
        resolver = importlib.import_module(f"{__name__}.resolve")
        globals().update({each: getattr(resolver, each) for each in _RESOLVE_NAMES})
        return globals()[name]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [  # noqa: PLE0604 - the lazy names are listed for ``import *``
    "HOST",
    "FastAPIHost",
    "Resolution",
    "dispatch",
    "match_route",
    "resolve",
    *sorted(_EXPORTS),
]
