"""What the static reader knows about the objects a FastAPI project builds at import time.

Routers are mutable, as at run time: a path operation registered on an ``APIRouter`` after it
was included still serves (FastAPI includes routers live, ``_IncludedRouter``), so entries are
recorded in order on their router and the includes are expanded only when the table is built.
"""

from __future__ import annotations

import ast

from acp_lint.hosts.fastapi.model import Position
from acp_lint.records import field, record

HTTP_METHOD_DECORATORS = ("get", "post", "put", "patch", "delete", "options", "head", "trace")


@record
class Unknown:
    """A value that cannot be read statically; ``reason`` says why."""

    reason: str


@record
class External:
    """A name imported from outside the project (``fastapi.FastAPI``, ``StaticFiles``)."""

    qualname: str


@record
class Text:
    """A string known statically (a literal, or built from literals)."""

    value: str


@record
class Constant:
    """Another literal: ``None``, a bool, a number."""

    value: object


@record
class ModuleRef:
    """A project module (``import pkg.routes``); its namespace is read on attribute access."""

    dotted: str


@record
class Function:
    """A function or class defined in a project module (endpoints, factories, convertors)."""

    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    namespace: dict[str, object]
    regex: str | None = None  # a class's literal ``regex`` attribute (a path convertor)
    module: object = None  # the ModuleSource it is defined in (for positions in its body)
    router_base: str | None = None  # a class deriving from FastAPI/APIRouter/...: which

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)


@record
class RouteEntry:
    """A path operation, Starlette ``Route`` or websocket route, before include prefixes.

    ``path`` already holds the prefix of the router it was registered on (FastAPI applies
    ``APIRouter(prefix=...)`` when the path operation is added); ``methods`` None is any."""

    path: str
    methods: frozenset[str] | None
    kind: str
    endpoint: str
    position: Position
    conditions: tuple[str, ...] = ()


@record
class MountEntry:
    """``Mount(path, app=... | routes=...)`` / ``router.mount(path, app)``."""

    path: str
    target: object
    position: Position
    conditions: tuple[str, ...] = ()


@record
class IncludeEntry:
    """``router.include_router(child, prefix=...)``; ``prefix`` None when it is dynamic."""

    router: Router
    prefix: str | None
    position: Position
    conditions: tuple[str, ...] = ()
    reason: str = ""  # why ``prefix`` is None


@record
class UnknownEntry:
    """A place in a router's order that may add routes we cannot read (ACP204 later)."""

    reason: str
    position: Position
    prefix: str = ""  # the literal part known below the router's own place
    conditions: tuple[str, ...] = ()


Entry = RouteEntry | MountEntry | IncludeEntry | UnknownEntry


@record
class Router:
    """A FastAPI app, ``APIRouter``, ``Starlette`` app or Starlette ``Router``."""

    kind: str  # "fastapi", "apirouter", "starlette", "router"
    name: str
    position: Position
    prefix: str | None = ""
    entries: list[Entry] = field(default_factory=list)
    redirect_slashes: bool = True
    root_path: str = ""
    named: bool = False  # ``name`` is the variable it was first assigned to


@record
class RoutesList:
    """A list of Starlette route objects (``routes=[...]``, ``app.routes``)."""

    items: list[Entry]
    owner: Router | None = None


@record
class Decorator:
    """What ``@router.get("/x")`` and friends return: registration waiting for its function."""

    router: Router
    path: str | None
    methods: frozenset[str] | None
    kind: str
    position: Position
    reason: str = ""  # why ``path`` or ``methods`` is unknown, when it is
    default_methods: bool = False  # Starlette's ``route()`` without ``methods=``


@record(frozen=True)
class MethodSet:
    """A literal ``methods=[...]``, upper-cased (an empty one serves any method)."""

    methods: frozenset[str]


@record
class BoundMethod:
    """``router.get`` / ``routes.append`` before the call: the object and the method name."""

    owner: Router | RoutesList
    name: str
