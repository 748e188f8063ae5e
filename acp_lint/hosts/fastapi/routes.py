"""The static FastAPI/Starlette route table: the interpreted routers expanded in dispatch order.

``Interpreter`` records what each router gets, in order; here the application's router is
expanded: path operations and Starlette routes get the include prefixes above them, included
routers are inlined where they were included (FastAPI includes live, so what a router gets
after its inclusion is served too), Mounts keep the mounted app's routes as children, and every
unknown entry becomes an ``Unresolved`` item under the prefix known above it. Paths are
compiled with the convertors registered by the end of the import.
"""

from __future__ import annotations

from collections.abc import Iterable

from acp_lint.hosts.fastapi.app import IMPORT_BASES
from acp_lint.hosts.fastapi.interpreter import Interpreter
from acp_lint.hosts.fastapi.model import AppRef, Position, Route, RouteTable, Unresolved
from acp_lint.hosts.fastapi.paths import PathError, compile_path, prefix_regex
from acp_lint.hosts.fastapi.source import Loader, module_name_for
from acp_lint.hosts.fastapi.values import (
    External,
    Function,
    IncludeEntry,
    MountEntry,
    RouteEntry,
    Router,
    Unknown,
    UnknownEntry,
)
from acp_lint.sources import SourceTree


class TableError(Exception):
    """The application named by the AppRef cannot be read (the CLI reports it, exit 2)."""


class _Flattener:
    """Expands a router's entries (includes, mounts) into Starlette's dispatch order."""

    def __init__(self, interpreter: Interpreter, table: RouteTable) -> None:
        self.convertors = interpreter.convertors
        self.table = table

    def unresolved(
        self,
        entry: UnknownEntry,
        prefix: str,
        conditions: tuple[str, ...],
        routes: int = 0,
    ) -> None:
        full = prefix + entry.prefix
        self.table.unresolved.append(
            Unresolved(
                entry.position,
                entry.reason,
                full,
                prefix_regex(full, self.convertors),
                routes,
                (*conditions, *entry.conditions),
            )
        )

    def routes(
        self,
        router: Router,
        prefix: str,
        conditions: tuple[str, ...],
        via: tuple[Position, ...],
        active: tuple[int, ...],
        top: bool,
    ) -> list[Route]:
        """The routes of ``router`` with ``prefix`` (an include's) in front of each path.

        ``top`` is False for routes read only to be counted (under an unknown prefix)."""
        result: list[Route] = []
        if id(router) in active:
            if top:
                self.unresolved(
                    UnknownEntry(f"{router.name} includes itself", router.position),
                    prefix,
                    conditions,
                )
            return result
        active = (*active, id(router))
        for entry in router.entries:
            entry_conditions = (*conditions, *entry.conditions)
            if isinstance(entry, RouteEntry):
                route = self.route(entry, prefix + entry.path, entry_conditions, via, top)
                if route is not None:
                    result.append(route)
            elif isinstance(entry, MountEntry):
                mount = self.mount(entry, prefix, entry_conditions, via, active, top)
                if mount is not None:
                    result.append(mount)
            elif isinstance(entry, IncludeEntry):
                inner_via = (*via, entry.position)
                if entry.prefix is None:
                    if top:
                        counted = self.routes(
                            entry.router, "", entry_conditions, inner_via, active, False
                        )
                        unknown = UnknownEntry(entry.reason, entry.position, router.prefix or "")
                        self.unresolved(unknown, prefix, entry_conditions, len(counted))
                    continue
                inner_prefix = prefix + (router.prefix or "") + entry.prefix
                result.extend(
                    self.routes(
                        entry.router, inner_prefix, entry_conditions, inner_via, active, top
                    )
                )
            elif top:
                self.unresolved(entry, prefix, conditions)
        return result

    def route(
        self,
        entry: RouteEntry,
        path: str,
        conditions: tuple[str, ...],
        via: tuple[Position, ...],
        top: bool,
    ) -> Route | None:
        try:
            regex, params = compile_path(path, self.convertors)
        except PathError as error:
            if top:
                self.table.unresolved.append(
                    Unresolved(
                        entry.position, f"{entry.endpoint}: {error}", path, "^", 0, conditions
                    )
                )
            return None
        return Route(
            path,
            regex,
            entry.methods,
            entry.kind,
            entry.endpoint,
            entry.position,
            params,
            None,
            True,
            conditions,
            via,
        )

    def mount(
        self,
        entry: MountEntry,
        prefix: str,
        conditions: tuple[str, ...],
        via: tuple[Position, ...],
        active: tuple[int, ...],
        top: bool,
    ) -> Route | None:
        path = (prefix + entry.path).rstrip("/")
        try:
            regex, params = compile_path(path + "/{path:path}", self.convertors)
        except PathError as error:
            if top:
                self.table.unresolved.append(
                    Unresolved(entry.position, f"mount: {error}", path, "^", 0, conditions)
                )
            return None
        target = entry.target
        children: tuple[Route, ...] | None = None
        redirect = True
        name = _describe(target)
        if isinstance(target, Router):
            name = target.name
            redirect = target.redirect_slashes
            children = tuple(self.routes(target, "", (), (*via, entry.position), active, top=False))
            if top:
                self.nested_unresolved(target, path, conditions, active)
        return Route(
            path,
            regex,
            None,
            "mount",
            name,
            entry.position,
            params[:-1],
            children,
            redirect,
            conditions,
            via,
        )

    def nested_unresolved(
        self, router: Router, prefix: str, conditions: tuple[str, ...], active: tuple[int, ...]
    ) -> None:
        """Unresolved items of a mounted app, under the mount's prefix."""
        saved = len(self.table.unresolved)
        self.routes(router, prefix, conditions, (), active, top=True)
        del saved  # the routes themselves are the mount's children; only unresolved remain


def _describe(value: object) -> str:
    if isinstance(value, External):
        return value.qualname
    if isinstance(value, Unknown):
        return f"<{value.reason}>"
    if isinstance(value, Function):
        return value.name
    return "<app>"


def build_table(tree: SourceTree, app: AppRef, bases: Iterable[str] = ()) -> RouteTable:
    """The route table of ``app``, read statically from the project's sources.

    When the attribute is a factory function (uvicorn's ``--factory``), it is called. When
    the application object itself cannot be read, the table is empty but for one Unresolved
    item at the app. Raises TableError when the app's module is not in the project.
    """
    _, base, _ = module_name_for(tree, app.position.file)
    loader = Loader(tree, [base, *bases, *IMPORT_BASES])
    interpreter = Interpreter(loader)
    namespace = interpreter.run_module(app.module)
    if namespace is None:
        raise TableError(f"module {app.module!r} is not in the project")
    value = namespace.get(app.attribute)
    if isinstance(value, Function) and not value.is_class:
        value = interpreter.call_factory(value)
    table = RouteTable(app=app, files=set(loader.files), parse_errors=interpreter.parse_errors)
    if not isinstance(value, Router):
        if not interpreter.parse_errors:
            reason = value.reason if isinstance(value, Unknown) else "not a FastAPI application"
            table.unresolved.append(
                Unresolved(app.position, f"{app.import_string} is not read statically ({reason})")
            )
        return table
    table.redirect_slashes = value.redirect_slashes
    table.root_path = value.root_path
    flattener = _Flattener(interpreter, table)
    for problem in interpreter.convertor_problems:
        flattener.unresolved(problem, "", ())
    table.routes = flattener.routes(value, "", (), (), (), top=True)
    table.convertors = dict(interpreter.convertors)
    return table
