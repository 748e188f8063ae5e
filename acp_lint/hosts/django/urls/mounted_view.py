"""Which module defines the view that serves the endpoint path (a scope heuristic, DESIGN §3).

A hand-written ACP view that neither reads ``ACP_*`` variables nor imports the ACP package is
still the ACP handler when Django would dispatch the endpoint path to it.
"""

from __future__ import annotations

from posixpath import dirname

from acp_lint.hosts.django.urls.modules import ModuleFile, ModuleLocator
from acp_lint.hosts.django.urls.settings_reader import find_manage_py
from acp_lint.routes.model import RouteTable
from acp_lint.routes.resolver import resolve
from acp_lint.sources import SourceTree


def mounted_view_module(
    table: RouteTable, tree: SourceTree, endpoint_path: str
) -> ModuleFile | None:
    """The project module defining the view Django dispatches ``endpoint_path`` to, if any."""
    route = resolve(table, endpoint_path.lstrip("/"))
    if route is None or not route.view:
        return None
    bases = [dirname(path) for path in find_manage_py(tree)] + [""]
    locator = ModuleLocator(tree, bases)
    names = route.view.split(".")
    # ``app.views.manage``, ``app.views.ManageView.as_view``: the longest prefix that is a module.
    for end in range(len(names) - 1, 0, -1):
        found = locator.find(".".join(names[:end]))
        if found is not None:
            return found
    return None
