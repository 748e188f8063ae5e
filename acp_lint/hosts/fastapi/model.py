"""Value types of the static FastAPI/Starlette route table.

Plain frozen records, independent of how the table was read, so that rules, the installer
and ``acp-lint routes`` can share one result. Positions are 1-based (line and character column).
"""

from __future__ import annotations

import re

from acp_lint.records import field, record


@record(frozen=True)
class Position:
    """Where a route, an include or an unresolved expression is written."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@record(frozen=True)
class Route:
    """One entry of a router's ``routes`` list as Starlette sees it after the includes.

    ``path`` is the full path (include and router prefixes applied; a Mount's without the
    trailing slash, as ``Mount`` strips it) and ``regex`` the expression ``compile_path`` gives
    for it (a Mount's is ``path + "/{path:path}"``). ``methods`` is None when any method is
    served (a Mount, a route with ``methods=[]``, an ASGI class endpoint); Starlette routes
    with GET also hold HEAD, FastAPI's path operations do not. ``kind`` is ``"api"`` (a FastAPI
    path operation), ``"route"`` (a Starlette ``Route``), ``"mount"``, ``"websocket"`` (never
    matches an HTTP request) or ``"docs"`` (FastAPI's own OpenAPI and docs pages). A Mount's
    ``children`` are the routes of the mounted app relative to the mount, None when that app
    cannot be read (``StaticFiles``, another ASGI app). ``conditions`` are the source texts of
    the ``if`` tests the registration sits under (``not (...)`` for an ``else`` branch).
    """

    path: str
    regex: str
    methods: frozenset[str] | None
    kind: str
    endpoint: str
    position: Position
    convertors: tuple[tuple[str, str], ...] = ()
    children: tuple[Route, ...] | None = None
    redirect_slashes: bool = True  # of the mounted app's router (Mounts only)
    conditions: tuple[str, ...] = ()
    via: tuple[Position, ...] = ()  # the include_router / mount calls it was reached through

    @property
    def is_mount(self) -> bool:
        """A Mount matches every path under its prefix, whatever the method."""
        return self.kind == "mount"

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)


@record(frozen=True)
class Unresolved:
    """Something that may add routes but cannot be read statically (ACP204 later).

    ``prefix`` is the known path above it (the include and mount prefixes it sits under) and
    ``prefix_regex`` Starlette's regex for that prefix without the end anchor: only a path
    that starts with a match of it can reach what is unknown. ``routes`` counts the routes
    the table leaves out because of it (those of a router included under a dynamic prefix).
    """

    position: Position
    reason: str
    prefix: str = ""
    prefix_regex: str = "^"
    routes: int = 0
    conditions: tuple[str, ...] = ()

    def could_serve(self, path: str) -> bool:
        """Whether ``path`` starts with a match of the known prefix above the unknown part."""
        return re.match(self.prefix_regex, path) is not None


@record(frozen=True)
class ParseError:
    """A file the table needed that cannot be decoded or parsed."""

    position: Position
    message: str


@record(frozen=True)
class AppRef:
    """Where the FastAPI application is: ``module:attribute`` and the assignment creating it."""

    module: str
    attribute: str
    position: Position

    @property
    def import_string(self) -> str:
        """uvicorn's form, ``pkg.module:app``."""
        return f"{self.module}:{self.attribute}"


@record(frozen=True)
class AppError:
    """The application cannot be chosen: several candidates, or a configured one not found.

    The CLI exits 2 with ``message`` (asking for ``app = "pkg.module:app"`` in config).
    """

    message: str
    candidates: tuple[AppRef, ...] = ()


@record
class RouteTable:
    """The application's routes in dispatch order, and what could not be read."""

    app: AppRef
    routes: list[Route] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    parse_errors: list[ParseError] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    redirect_slashes: bool = True
    root_path: str = ""  # FastAPI(root_path=...): stripped from request paths that start with it
    convertors: dict[str, str] = field(
        default_factory=dict
    )  # name -> regex, built-in and registered
