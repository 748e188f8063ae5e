"""How the static reader understands the calls that build routes: the constructors of FastAPI,
``APIRouter``, Starlette and its route classes, the routers' registration methods, and
``register_url_convertor``. Defaults follow FastAPI and Starlette exactly: a path operation
without ``methods`` serves GET only, a Starlette route with a function endpoint GET and HEAD,
one with an ASGI class any method; ``APIRouter(prefix=...)`` applies to path operations when
they are added, never to ``add_route`` or ``mount``.
"""

from __future__ import annotations

import ast

from acp_lint.hosts.fastapi.model import Position
from acp_lint.hosts.fastapi.values import (
    HTTP_METHOD_DECORATORS,
    Constant,
    Decorator,
    External,
    Function,
    IncludeEntry,
    MethodSet,
    MountEntry,
    RouteEntry,
    Router,
    RoutesList,
    Text,
    Unknown,
    UnknownEntry,
)

FASTAPI = {"fastapi.FastAPI", "fastapi.applications.FastAPI"}
APIROUTER = {"fastapi.APIRouter", "fastapi.routing.APIRouter"}
STARLETTE = {"starlette.applications.Starlette"}
ROUTER = {"starlette.routing.Router"}
ROUTE = {"starlette.routing.Route"}
APIROUTE = {"fastapi.routing.APIRoute"}
MOUNT = {"starlette.routing.Mount"}
WEBSOCKET_ROUTE = {"starlette.routing.WebSocketRoute", "fastapi.routing.APIWebSocketRoute"}
HOST = {"starlette.routing.Host"}
REGISTER_CONVERTOR = {"starlette.convertors.register_url_convertor"}
ROUTER_CLASSES = FASTAPI | APIROUTER | STARLETTE | ROUTER

# Methods of apps and routers that register nothing (safe to ignore).
INERT_METHODS = frozenset(
    {
        "add_middleware",
        "middleware",
        "exception_handler",
        "add_exception_handler",
        "on_event",
        "add_event_handler",
        "url_path_for",
        "openapi",
        "setup",
        "build_middleware_stack",
    }
)
# Methods whose calls inside a function body may add routes (for functions called at import).
REGISTERING = frozenset(
    {
        *HTTP_METHOD_DECORATORS,
        "api_route",
        "route",
        "add_api_route",
        "add_route",
        "include_router",
        "mount",
        "host",
        "websocket",
        "websocket_route",
        "add_websocket_route",
        "add_api_websocket_route",
        "frontend",
    }
)
DOCS_DEFAULTS = (
    ("openapi_url", "/openapi.json", "openapi"),
    ("docs_url", "/docs", "swagger_ui_html"),
    ("swagger_ui_oauth2_redirect_url", "/docs/oauth2-redirect", "swagger_ui_redirect"),
    ("redoc_url", "/redoc", "redoc_html"),
)
GET_HEAD = frozenset({"GET", "HEAD"})


class Registrations:
    """The registration half of the interpreter (a mixin of ``Interpreter``): it relies on the
    interpreter's ``evaluate``, ``keywords``, ``argument``, ``endpoint_name``, ``position``,
    ``source``, ``conditions``, ``convertors`` and ``convertor_problems``."""

    conditions: tuple[str, ...]
    convertors: dict[str, str]
    convertor_problems: list[UnknownEntry]

    def evaluate(self, node: ast.expr, namespace: dict[str, object]) -> object:
        raise NotImplementedError

    def keywords(self, node: ast.Call, namespace: dict[str, object]) -> Keywords:
        raise NotImplementedError

    def argument(
        self,
        node: ast.Call,
        namespace: dict[str, object],
        index: int,
        name: str,
        keywords: Keywords,
    ) -> object | None:
        raise NotImplementedError

    def endpoint_name(self, node: ast.expr) -> str:
        raise NotImplementedError

    def keyword_value(self, node: ast.expr, name: str, namespace: dict[str, object]) -> object:
        raise NotImplementedError

    def position(self, node: ast.AST) -> Position:
        raise NotImplementedError

    def source(self, node: ast.AST) -> str:
        raise NotImplementedError

    # constructors ----------------------------------------------------------------------
    def construct(self, qualname: str, node: ast.Call, namespace: dict[str, object]) -> object:
        if qualname in FASTAPI | APIROUTER | STARLETTE | ROUTER:
            return self.new_router(qualname, node, namespace)
        if qualname in ROUTE | APIROUTE | WEBSOCKET_ROUTE:
            return self.new_route(qualname, node, namespace)
        if qualname in MOUNT:
            keywords = self.keywords(node, namespace)
            path = self.argument(node, namespace, 0, "path", keywords)
            app = self.argument(node, namespace, 1, "app", keywords)
            routes = self.argument(node, namespace, 2, "routes", keywords)
            if not isinstance(path, Text):
                return UnknownEntry(f"Mount path {why(path)}", self.position(node))
            if app is None and isinstance(routes, RoutesList):
                router = Router("router", "Mount(routes=...)", self.position(node))
                router.entries = list(routes.items)
                app = router
            elif app is None:
                app = Unknown(f"Mount routes {why(routes)}")
            return MountEntry(path.value, app, self.position(node), self.conditions)
        if qualname in HOST:
            return UnknownEntry(
                "Host() routes depend on the Host header, not read statically",
                self.position(node),
            )
        if qualname in REGISTER_CONVERTOR:
            self.register_convertor(node, namespace)
            return Constant(None)
        return External(f"{qualname}()")  # an instance of a class outside the project

    def register_convertor(self, node: ast.Call, namespace: dict[str, object]) -> None:
        keywords = self.keywords(node, namespace)
        key = self.argument(node, namespace, 0, "key", keywords)
        value = node.args[1] if len(node.args) > 1 else None
        if value is None:
            value = next((k.value for k in node.keywords if k.arg == "convertor"), None)
        regex: str | None = None
        if isinstance(value, ast.Call):
            cls = self.evaluate(value.func, namespace)
            if isinstance(cls, Function) and cls.is_class:
                regex = cls.regex
        if isinstance(key, Text) and regex is not None:
            self.convertors[key.value] = regex
        else:
            self.convertor_problems.append(
                UnknownEntry(
                    "register_url_convertor(): the name or the class's literal regex "
                    "is not read statically",
                    self.position(node),
                )
            )

    def new_router(self, qualname: str, node: ast.Call, namespace: dict[str, object]) -> Router:
        keywords = self.keywords(node, namespace)
        kind = (
            "fastapi"
            if qualname in FASTAPI
            else "apirouter"
            if qualname in APIROUTER
            else "starlette"
            if qualname in STARLETTE
            else "router"
        )
        name = self.source(node.func)
        router = Router(kind, name, self.position(node))
        if kind == "apirouter":
            prefix = keywords.get("prefix", Text(""))
            router.prefix = prefix.value if isinstance(prefix, Text) else None
            if router.prefix is None:
                router.entries.append(
                    UnknownEntry(
                        f"APIRouter prefix {why(prefix)}; its routes are not read",
                        self.position(node),
                    )
                )
        slashes = keywords.get("redirect_slashes")
        if isinstance(slashes, Constant) and isinstance(slashes.value, bool):
            router.redirect_slashes = slashes.value
        elif slashes is not None:
            router.entries.append(
                UnknownEntry("redirect_slashes is not read statically", self.position(node))
            )
        if "**" in keywords:
            router.entries.append(
                UnknownEntry("**kwargs of the constructor are not read", self.position(node))
            )
        routes = keywords.get("routes")
        if routes is None and kind in ("starlette", "router") and node.args:
            routes = self.evaluate(node.args[0], namespace)
        if isinstance(routes, RoutesList):
            router.entries.extend(routes.items)
        elif routes is not None and not (isinstance(routes, Constant) and routes.value is None):
            router.entries.append(UnknownEntry(f"routes= {why(routes)}", self.position(node)))
        if kind == "fastapi":
            root = keywords.get("root_path")
            if isinstance(root, Text):
                router.root_path = root.value
            elif root is not None:
                router.entries.append(UnknownEntry(f"root_path {why(root)}", self.position(node)))
            self.docs_routes(router, keywords, node)
        return router

    def docs_routes(self, router: Router, keywords: Keywords, node: ast.Call) -> None:
        """FastAPI's ``setup()``: the OpenAPI schema and docs pages, after ``routes=``."""
        urls: dict[str, str | None] = {}
        for key, default, _ in DOCS_DEFAULTS:
            value = keywords.get(key, Text(default))
            if isinstance(value, Text):
                urls[key] = value.value
            elif isinstance(value, Constant) and value.value is None:
                urls[key] = None
            else:  # GET and HEAD only: whatever its path, it never takes another method
                urls[key] = None
        openapi = urls["openapi_url"]
        wanted = [
            ("openapi_url", bool(openapi)),
            ("docs_url", bool(openapi and urls["docs_url"])),
            (
                "swagger_ui_oauth2_redirect_url",
                bool(openapi and urls["docs_url"] and urls["swagger_ui_oauth2_redirect_url"]),
            ),
            ("redoc_url", bool(openapi and urls["redoc_url"])),
        ]
        endpoints = {key: endpoint for key, _, endpoint in DOCS_DEFAULTS}
        for key, present in wanted:
            path = urls[key]
            if present and path:
                router.entries.append(
                    RouteEntry(path, GET_HEAD, "docs", endpoints[key], self.position(node))
                )

    def new_route(self, qualname: str, node: ast.Call, namespace: dict[str, object]) -> object:
        keywords = self.keywords(node, namespace)
        path = self.argument(node, namespace, 0, "path", keywords)
        endpoint_node = node.args[1] if len(node.args) > 1 else None
        if endpoint_node is None:
            endpoint_node = next((k.value for k in node.keywords if k.arg == "endpoint"), None)
        if not isinstance(path, Text):
            return UnknownEntry(f"route path {why(path)}", self.position(node))
        endpoint = self.endpoint_name(endpoint_node) if endpoint_node is not None else "?"
        if qualname in WEBSOCKET_ROUTE:
            return RouteEntry(path.value, None, "websocket", endpoint, self.position(node))
        methods = keywords.get("methods")
        if qualname in APIROUTE:
            resolved = self.api_methods(methods)
            kind = "api"
        else:
            endpoint_value = (
                self.evaluate(endpoint_node, namespace) if endpoint_node is not None else None
            )
            resolved = self.starlette_methods(methods, endpoint_value)
            kind = "route"
        if isinstance(resolved, str):
            return UnknownEntry(resolved, self.position(node))
        return RouteEntry(
            path.value, resolved, kind, endpoint, self.position(node), self.conditions
        )

    def api_methods(self, methods: object) -> frozenset[str] | None | str:
        """FastAPI's: None -> GET only; ``[]`` -> any; a literal list -> upper-cased."""
        if methods is None or (isinstance(methods, Constant) and methods.value is None):
            return frozenset({"GET"})
        literal = _methods_literal(methods)
        if literal is None:
            return f"methods {why(methods)}"
        return literal or None

    def starlette_methods(self, methods: object, endpoint: object) -> frozenset[str] | None | str:
        """Starlette's: None -> GET and HEAD for a function endpoint, any for an ASGI class;
        GET in the list adds HEAD."""
        if methods is None or (isinstance(methods, Constant) and methods.value is None):
            if isinstance(endpoint, Function) and endpoint.is_class:
                return None
            if isinstance(endpoint, Function):
                return GET_HEAD
            return "methods depend on whether the endpoint is a function, not read statically"
        literal = _methods_literal(methods)
        if literal is None:
            return f"methods {why(methods)}"
        if "GET" in literal:
            literal = literal | {"HEAD"}
        return literal or None

    # router methods --------------------------------------------------------------------
    def router_method(
        self, router: Router, method: str, node: ast.Call, namespace: dict[str, object]
    ) -> object:
        keywords = self.keywords(node, namespace)
        position = self.position(node)
        is_api = router.kind in ("fastapi", "apirouter")
        if method in HTTP_METHOD_DECORATORS and is_api:
            return self.decorator(
                router, node, namespace, keywords, frozenset({method.upper()}), "api"
            )
        if method == "api_route" and is_api:
            methods = self.api_methods(keywords.get("methods"))
            return self.decorator(router, node, namespace, keywords, methods, "api")
        if method in ("route", "websocket", "websocket_route"):
            kind = "route" if method == "route" else "websocket"
            methods: frozenset[str] | None | str = None
            if kind == "route" and "methods" in keywords:
                methods = self.starlette_methods(keywords["methods"], None)
            decorator = self.decorator(router, node, namespace, keywords, methods, kind)
            decorator.default_methods = kind == "route" and "methods" not in keywords
            return decorator
        if method == "add_api_route" and is_api:
            return self.add_route(router, node, namespace, keywords, "api")
        if method == "add_route":
            return self.add_route(router, node, namespace, keywords, "route")
        if method in ("add_websocket_route", "add_api_websocket_route"):
            return self.add_route(router, node, namespace, keywords, "websocket")
        if method == "include_router" and is_api:
            return self.include(router, node, namespace, keywords)
        if method == "mount":
            path = self.argument(node, namespace, 0, "path", keywords)
            app = self.argument(node, namespace, 1, "app", keywords)
            if not isinstance(path, Text):
                self.add_unknown(router, f"mount path {why(path)}", node)
            else:
                entry = MountEntry(path.value, app, position, self.conditions)
                router.entries.append(entry)
            return Constant(None)
        if method == "host":
            self.add_unknown(router, "host() routes depend on the Host header", node)
            return Constant(None)
        if method == "frontend":
            self.frontend(router, node, namespace, keywords)
            return Constant(None)
        if method in INERT_METHODS:
            return Unknown(f"{method}() registers no route")
        self.add_unknown(router, f"{router.name}.{method}() is not read statically", node)
        return Unknown(f"{method}() is not read statically")

    def decorator(
        self,
        router: Router,
        node: ast.Call,
        namespace: dict[str, object],
        keywords: Keywords,
        methods: frozenset[str] | None | str,
        kind: str,
    ) -> Decorator:
        path = self.argument(node, namespace, 0, "path", keywords)
        reason = ""
        text: str | None = None
        if isinstance(path, Text):
            text = path.value
        else:
            reason = f"path {why(path)}"
        if isinstance(methods, str):
            reason, methods = methods, None
        return Decorator(router, text, methods, kind, self.position(node), reason)

    def register(
        self, decorator: Decorator, endpoint: str, is_function: bool, node: ast.AST
    ) -> None:
        router = decorator.router
        if decorator.path is None or decorator.reason:
            self.add_unknown(router, f"{endpoint}: {decorator.reason}", node)
            return
        path = decorator.path
        methods = decorator.methods
        if decorator.default_methods:  # Starlette: GET and HEAD for a function, any for a class
            methods = GET_HEAD if is_function else None
        if decorator.kind == "api":
            if router.prefix is None:
                return  # the router's unknown prefix is already recorded
            path = router.prefix + path
        router.entries.append(
            RouteEntry(path, methods, decorator.kind, endpoint, decorator.position, self.conditions)
        )

    def add_route(
        self,
        router: Router,
        node: ast.Call,
        namespace: dict[str, object],
        keywords: Keywords,
        kind: str,
    ) -> object:
        path = self.argument(node, namespace, 0, "path", keywords)
        endpoint_node = node.args[1] if len(node.args) > 1 else None
        if endpoint_node is None:
            name = "endpoint" if kind != "route" else "route"
            endpoint_node = next(
                (k.value for k in node.keywords if k.arg in (name, "endpoint")), None
            )
        endpoint = self.endpoint_name(endpoint_node) if endpoint_node is not None else "?"
        if not isinstance(path, Text):
            self.add_unknown(router, f"{endpoint}: path {why(path)}", node)
            return Constant(None)
        methods: frozenset[str] | None | str = None
        if kind == "api":
            methods = self.api_methods(keywords.get("methods"))
        elif kind == "route":
            value = self.evaluate(endpoint_node, namespace) if endpoint_node is not None else None
            methods = self.starlette_methods(keywords.get("methods"), value)
        if isinstance(methods, str):
            self.add_unknown(router, f"{endpoint}: {methods}", node)
            return Constant(None)
        text = path.value
        if kind == "api":
            if router.prefix is None:
                return Constant(None)
            text = router.prefix + text
        router.entries.append(
            RouteEntry(text, methods, kind, endpoint, self.position(node), self.conditions)
        )
        return Constant(None)

    def include(
        self,
        router: Router,
        node: ast.Call,
        namespace: dict[str, object],
        keywords: Keywords,
    ) -> object:
        child = self.argument(node, namespace, 0, "router", keywords)
        prefix_value = keywords.get("prefix", Text(""))
        prefix = prefix_value.value if isinstance(prefix_value, Text) else None
        if not isinstance(child, Router) or child.kind != "apirouter":
            literal = (router.prefix or "") + (prefix or "")  # as FastAPI's include prefix
            self.add_unknown(
                router,
                f"included router {self.source(node.args[0]) if node.args else '?'} "
                f"{why(child) if not isinstance(child, Router) else 'is not an APIRouter'}",
                node,
                literal,
            )
            return Constant(None)
        reason = ""
        if prefix is None:
            reason = (
                f"include_router prefix {why(prefix_value)}; the routes of "
                f"{self.source(node.args[0]) if node.args else 'the router'} are not read"
            )
        router.entries.append(
            IncludeEntry(child, prefix, self.position(node), self.conditions, reason)
        )
        return Constant(None)

    def frontend(
        self, router: Router, node: ast.Call, namespace: dict[str, object], keywords: Keywords
    ) -> None:
        """``frontend(path, directory=...)``: static files at ``path`` and below, GET and HEAD
        only (any other method is a PARTIAL match), tried after every other route. Low
        priority changes only GET/HEAD answers, so the entries sit where they are written."""
        path = self.argument(node, namespace, 0, "path", keywords)
        below = path.value.rstrip("/") if isinstance(path, Text) else ""
        if not isinstance(path, Text) or router.prefix is None:
            reason = f"frontend path {why(path)}" if not isinstance(path, Text) else ""
            if reason:
                self.add_unknown(router, reason, node, router.prefix or "")
            return  # an unknown router prefix is recorded already
        position = self.position(node)
        base = router.prefix + below
        for text in ([base] if base else []) + [base + "/{path:path}"]:
            router.entries.append(
                RouteEntry(text, GET_HEAD, "frontend", "frontend", position, self.conditions)
            )

    def add_unknown(self, router: Router, reason: str, node: ast.AST, prefix: str = "") -> None:
        router.entries.append(UnknownEntry(reason, self.position(node), prefix, self.conditions))


class Keywords:
    """A call's keyword arguments, evaluated lazily and once; ``"**"`` is in it when the call
    unpacks a mapping."""

    def __init__(self, interpreter: Registrations, node: ast.Call, namespace: dict[str, object]):
        self.interpreter = interpreter
        self.namespace = namespace
        self.nodes = {k.arg if k.arg is not None else "**": k.value for k in node.keywords}
        self.values: dict[str, object] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.nodes

    def __getitem__(self, name: str) -> object:
        if name not in self.values:
            if name == "**":
                text = self.interpreter.source(self.nodes[name])
                self.values[name] = Unknown(f"**{text} is not read statically")
            else:
                value = self.interpreter.keyword_value(self.nodes[name], name, self.namespace)
                self.values[name] = value
        return self.values[name]

    def get(self, name: str, default: object = None) -> object:
        return self[name] if name in self.nodes else default


def why(value: object) -> str:
    if isinstance(value, Unknown):
        return f"is not read statically ({value.reason})"
    if isinstance(value, External):
        return f"comes from {value.qualname}, outside the project"
    if value is None:
        return "is missing"
    return "is not a literal"


def _methods_literal(value: object) -> frozenset[str] | None:
    return value.methods if isinstance(value, MethodSet) else None
