"""The one route analysis of a project: its route table, bindings.json, the ACP mount and the
endpoint path, as the project rules, ``acp-lint routes``, the installer's gate and ``echelon
doctor`` all need them.

The four used to compute this each in their own way; the host builds the table (through
``Project.route_table``), everything after that is host-neutral.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from acp_lint.records import record

if TYPE_CHECKING:
    from acp_lint.cache import RecordingTree
    from acp_lint.project import Project
    from acp_lint.routes.bindings import Bindings, BindingsResult
    from acp_lint.routes.model import Route, RouteTable


@record(frozen=True)
class RouteAnalysis:
    """What is known about the ACP endpoint of one view of a project."""

    table: RouteTable
    acp_app: str
    bindings_file: str
    # bindings.json as loaded; None when the file is absent or cannot be read
    loaded: BindingsResult | None
    # why bindings.json is there but cannot be read (never reported as "missing")
    unreadable: str | None
    # the route that serves the ACP app, if it is mounted
    mount: Route | None

    @property
    def bindings(self) -> Bindings | None:
        """The usable bindings, or None (absent, unreadable or invalid)."""
        return self.loaded.bindings if self.loaded is not None else None

    @property
    def endpoint(self) -> str | None:
        """The endpoint path: bindings.json's ``endpoint_path``, else the mounted path."""
        if self.bindings is not None:
            return self.bindings.endpoint_path
        if self.mount is not None:
            from acp_lint.routes.mount import mounted_path

            return mounted_path(self.mount)
        return None


def analyse(
    project: Project,
    recording: RecordingTree | None = None,
    *,
    acp_app: str | None = None,
    bindings_file: str | None = None,
) -> RouteAnalysis:
    """Analyse ``project``'s routes; ``acp_app`` and ``bindings_file`` default to the project's
    own (the ACP app's label, ``Project.bindings_path``). The tree probes of the table are
    replayed into ``recording`` (the results cache), and bindings.json is read through it."""
    tree = recording if recording is not None else project.tree
    table = project.route_table(recording)
    app = acp_app if acp_app is not None else project.acp_app_name()
    rel = bindings_file if bindings_file is not None else project.bindings_path()
    data = tree.read_bytes(rel)
    unreadable = tree.read_problem(rel) if data is None else None
    loaded = None
    if data is not None:
        from acp_lint.routes.bindings import load_bindings

        loaded = load_bindings(data, rel)
    # Most projects without ACP have no bindings.json, and some no routes: the collision
    # and mount code is loaded only for a table with routes in it.
    mount = None
    if table.routes:
        from acp_lint.routes.collisions import find_acp_mount

        mount = find_acp_mount(table, app)
    return RouteAnalysis(table, app, rel, loaded, unreadable, mount)
