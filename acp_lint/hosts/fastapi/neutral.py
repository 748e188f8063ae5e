"""The static Starlette table in the neutral route model (``acp_lint.routes``).

Each Starlette route becomes one neutral ``Route`` with one ``"starlette"`` pattern part (its
whole path and ``compile_path``'s regex, matched against the path with its leading ``/``) and
its methods, so the host-neutral checks (ACP201/202/204, ``acp-lint routes``) dispatch as
Starlette does: routes in order, a path match whose methods lack the request's is only
partial (``Route.serves``), a Mount takes everything under its prefix whatever the method.
A mounted app's own routes stay inside the Mount (it answers for all of them). The module of a
route is the module its endpoint is defined in, so the ACP router's operations are the ACP
app's.
"""

from __future__ import annotations

from acp_lint.hosts.fastapi import model as fa
from acp_lint.hosts.fastapi.source import module_name_for
from acp_lint.routes.model import (
    Condition,
    IncludeStep,
    ParseError,
    PatternPart,
    Route,
    RouteTable,
    Unresolved,
)
from acp_lint.sources import SourceTree
from acp_lint.span import Span


def _span(position: fa.Position) -> Span:
    return Span(position.file, position.line, position.column, position.line, position.column)


def _conditions(texts: tuple[str, ...]) -> tuple[Condition, ...]:
    found = []
    for text in texts:
        if text.startswith("not (") and text.endswith(")"):
            found.append(Condition(text[len("not (") : -1], False))
        else:
            found.append(Condition(text, True))
    return tuple(dict.fromkeys(found))


class _Modules:
    """File -> dotted module name, asked once per file."""

    def __init__(self, tree: SourceTree) -> None:
        self.tree = tree
        self.known: dict[str, str] = {}

    def __call__(self, file: str) -> str:
        if file not in self.known:
            self.known[file] = module_name_for(self.tree, file)[0] if file.endswith(".py") else ""
        return self.known[file]


def _route(route: fa.Route, modules: _Modules) -> Route:
    module = modules(route.position.file)
    if route.is_mount:
        text = (route.path + "/{path:path}").lstrip("/")  # a mount at "/": {path:path}
        methods = None
    else:
        text = route.path.lstrip("/")
        methods = frozenset() if route.kind == "websocket" else route.methods
    int_groups = tuple(name for name, convertor in route.convertors if convertor == "int")
    part = PatternPart("starlette", text, route.regex, True, int_groups)
    view = f"{module}.{route.endpoint}" if module and route.kind in ("api", "route") else ""
    steps = tuple(
        IncludeStep(step.file, step.line, modules(step.file) or step.file) for step in route.via
    )
    return Route(
        parts=(part,),
        kind=route.kind,
        view=view or route.endpoint,
        name=None,
        span=_span(route.position),
        module=module,
        conditions=_conditions(route.conditions),
        include_chain=steps,
        methods=methods,
    )


def _unresolved(item: fa.Unresolved) -> Unresolved:
    prefix = PatternPart("starlette", item.prefix.lstrip("/"), item.prefix_regex, False)
    reason = item.reason
    if item.routes:
        reason += f" ({item.routes} route{'s' if item.routes != 1 else ''} left out)"
    return Unresolved(
        span=_span(item.position),
        reason=reason,
        prefix=(prefix,),
        conditions=_conditions(item.conditions),
    )


def neutral_table(table: fa.RouteTable, tree: SourceTree) -> RouteTable:
    """``table`` in the neutral model, routes in Starlette's dispatch order."""
    modules = _Modules(tree)
    return RouteTable(
        routes=[_route(route, modules) for route in table.routes],
        unresolved=[_unresolved(item) for item in table.unresolved],
        parse_errors=[
            ParseError(e.position.file, e.position.line, e.position.column, e.message)
            for e in table.parse_errors
        ],
        files=set(table.files),
        root=table.app.import_string,
        root_file=table.app.position.file,
        framework="Starlette",
        title=f"FastAPI app: {table.app.import_string}",
    )


def empty_table(reason: str, file: str = "", line: int = 1, column: int = 1) -> RouteTable:
    """No application could be read: one unresolved place (ACP204 where it matters)."""
    span = Span(file, line, column, line, column)
    prefix = PatternPart("starlette", "", "^", False)
    return RouteTable(
        unresolved=[Unresolved(span, reason, (prefix,))] if file else [],
        framework="Starlette",
        title="FastAPI app: (not found)",
    )
