"""The static FastAPI/Starlette route table: the app's module-level code read with ``ast``.

Each project module the application's module imports is interpreted once, statement by
statement, as Python would import it (nothing of the host is imported): ``FastAPI()``,
``APIRouter(prefix=...)``, path-operation decorators, ``add_api_route``, ``add_route``,
``include_router``, ``mount``, Starlette ``Route``/``Mount`` lists and
``register_url_convertor`` are understood; everything else that may add routes (a loop, a
dynamic prefix, a router passed to a function, an unknown router) is recorded where it happens
and becomes an ``Unresolved`` item under the prefix known above it. Both branches of a
module-level ``if`` count (their routes are marked with the condition); the body of ``try``
counts, its ``except`` handlers do not; ``if __name__ == "__main__"`` and ``if TYPE_CHECKING``
blocks do not run at import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from acp_lint.hosts.fastapi.app import IMPORT_BASES
from acp_lint.hosts.fastapi.model import (
    AppRef,
    ParseError,
    Position,
    Route,
    RouteTable,
    Unresolved,
)
from acp_lint.hosts.fastapi.paths import BUILTIN_CONVERTORS, PathError, compile_path, prefix_regex
from acp_lint.hosts.fastapi.source import (
    Loader,
    ModuleSource,
    dotted_name,
    module_name_for,
    resolve_relative,
)
from acp_lint.hosts.fastapi.values import (
    HTTP_METHOD_DECORATORS,
    Constant,
    Decorator,
    Entry,
    External,
    Function,
    IncludeEntry,
    MethodSet,
    ModuleRef,
    MountEntry,
    RouteEntry,
    Router,
    RoutesList,
    Text,
    Unknown,
    UnknownEntry,
)
from acp_lint.sources import SourceTree

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


class TableError(Exception):
    """The application named by the AppRef cannot be read (the CLI reports it, exit 2)."""


class _Interpreter:
    """Runs the module-level code of project modules over static values."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.namespaces: dict[str, dict[str, object]] = {}
        self.parse_errors: list[ParseError] = []
        self.convertors: dict[str, str] = dict(BUILTIN_CONVERTORS)
        self.convertor_problems: list[UnknownEntry] = []
        self.module: ModuleSource | None = None
        self.conditions: tuple[str, ...] = ()

    # modules ---------------------------------------------------------------------------
    def run_module(self, dotted: str) -> dict[str, object] | None:
        """The namespace of a project module after its import (None when not in the project).

        A module being imported (an import cycle) gives its namespace as far as it got."""
        if dotted in self.namespaces:
            return self.namespaces[dotted]
        loaded = self.loader.load(dotted)
        if loaded is None:
            return None
        namespace: dict[str, object] = {}
        self.namespaces[dotted] = namespace
        if isinstance(loaded, ParseError):
            self.parse_errors.append(loaded)
            return namespace
        parent = dotted.rpartition(".")[0]
        if parent:
            self.run_module(parent)  # Python imports the packages above first
        saved = (self.module, self.conditions)
        self.module, self.conditions = loaded, ()
        try:
            self.run_block(loaded.tree.body, namespace)
        finally:
            self.module, self.conditions = saved
        return namespace

    def module_attribute(self, dotted: str, name: str) -> object:
        """``getattr(module, name)``: a name of its namespace, else a submodule."""
        namespace = self.run_module(dotted)
        if namespace is not None and name in namespace:
            return namespace[name]
        if self.loader.locate(f"{dotted}.{name}") is not None:
            self.run_module(f"{dotted}.{name}")  # ``from pkg import sub`` imports it
            return ModuleRef(f"{dotted}.{name}")
        if namespace is None:
            return External(f"{dotted}.{name}")
        return Unknown(f"{dotted}.{name} is not defined at module level")

    # statements ------------------------------------------------------------------------
    def position(self, node: ast.AST) -> Position:
        assert self.module is not None
        return self.module.position(node)

    def source(self, node: ast.AST) -> str:
        """The source text of ``node`` (for messages and ``if`` conditions)."""
        assert self.module is not None
        positions = self.module.positions
        end_line = getattr(node, "end_lineno", None)
        end_column = getattr(node, "end_col_offset", None)
        if end_line is None or end_column is None:
            return ast.dump(node)
        start = positions.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        return positions.text[start : positions.offset(end_line, end_column)]

    def run_block(self, statements: list[ast.stmt], namespace: dict[str, object]) -> None:
        for statement in statements:
            self.run_statement(statement, namespace)

    def run_statement(self, node: ast.stmt, namespace: dict[str, object]) -> None:
        if isinstance(node, ast.Import):
            self.run_import(node, namespace)
        elif isinstance(node, ast.ImportFrom):
            self.run_import_from(node, namespace)
        elif isinstance(node, ast.Assign):
            value = self.evaluate(node.value, namespace)
            for target in node.targets:
                self.bind(target, value, namespace)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.bind(node.target, self.evaluate(node.value, namespace), namespace)
        elif isinstance(node, ast.AugAssign):
            self.run_aug_assign(node, namespace)
        elif isinstance(node, ast.Expr):
            self.evaluate(node.value, namespace)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.run_function_def(node, namespace)
        elif isinstance(node, ast.ClassDef):
            self.run_class_def(node, namespace)
        elif isinstance(node, ast.If):
            self.run_if(node, namespace)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.evaluate(item.context_expr, namespace)
            self.run_block(node.body, namespace)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.run_block(node.body + node.orelse + node.finalbody, namespace)  # type: ignore[attr-defined]
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            self.run_loop(node, namespace)

    def run_import(self, node: ast.Import, namespace: dict[str, object]) -> None:
        for alias in node.names:
            if self.loader.locate(alias.name) is not None:
                self.run_module(alias.name)
                if alias.asname:
                    namespace[alias.asname] = ModuleRef(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    is_project = self.loader.locate(top) is not None
                    namespace[top] = ModuleRef(top) if is_project else External(top)
            elif alias.asname:
                namespace[alias.asname] = External(alias.name)
            else:
                top = alias.name.split(".")[0]
                if self.loader.locate(top) is not None:
                    namespace[top] = ModuleRef(top)
                else:
                    namespace[top] = External(top)

    def run_import_from(self, node: ast.ImportFrom, namespace: dict[str, object]) -> None:
        assert self.module is not None
        base = resolve_relative(self.module.dotted, self.module.is_package, node.level, node.module)
        if base is None:
            for alias in node.names:
                namespace[alias.asname or alias.name] = Unknown("relative import beyond the top")
            return
        in_project = self.loader.locate(base) is not None
        for alias in node.names:
            if alias.name == "*":
                source = self.run_module(base) if in_project else None
                if source is not None:
                    namespace.update({k: v for k, v in source.items() if not k.startswith("_")})
                continue
            if in_project:
                value = self.module_attribute(base, alias.name)
            elif self.loader.locate(f"{base}.{alias.name}") is not None:
                value = ModuleRef(f"{base}.{alias.name}")  # a namespace package's module
            else:
                value = External(f"{base}.{alias.name}")
            namespace[alias.asname or alias.name] = value

    def bind(self, target: ast.expr, value: object, namespace: dict[str, object]) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Router) and not value.named:
                value.name, value.named = target.id, True  # messages name the variable
            namespace[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value.items if isinstance(value, RoutesList) else None
            for index, element in enumerate(target.elts):
                if items is not None and index < len(items) and len(items) == len(target.elts):
                    self.bind(element, RoutesList([items[index]]), namespace)
                else:
                    self.bind(element, Unknown("unpacked from a value not read"), namespace)

    def run_aug_assign(self, node: ast.AugAssign, namespace: dict[str, object]) -> None:
        if not isinstance(node.target, ast.Name) or not isinstance(node.op, ast.Add):
            return
        current = namespace.get(node.target.id)
        added = self.evaluate(node.value, namespace)
        if isinstance(current, RoutesList):
            self.extend(current, added, node)  # in place, as list += does
        elif isinstance(current, Text) and isinstance(added, Text):
            namespace[node.target.id] = Text(current.value + added.value)
        else:
            namespace[node.target.id] = Unknown(f"{node.target.id} += ... is not read")

    def run_function_def(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, namespace: dict[str, object]
    ) -> None:
        decorators = [self.evaluate(decorator, namespace) for decorator in node.decorator_list]
        for decorator, expression in zip(
            reversed(decorators), reversed(node.decorator_list), strict=True
        ):
            if isinstance(decorator, Decorator):
                self.register(decorator, node.name, is_function=True, node=expression)
        namespace[node.name] = Function(node.name, node, namespace)

    def run_class_def(self, node: ast.ClassDef, namespace: dict[str, object]) -> None:
        regex: str | None = None
        for statement in node.body:
            assigned = None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                assigned = (statement.targets[0], statement.value)
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                assigned = (statement.target, statement.value)
            if assigned is None:
                continue
            target, value = assigned
            if isinstance(target, ast.Name) and target.id == "regex":
                literal = self.evaluate(value, namespace)
                regex = literal.value if isinstance(literal, Text) else None
        decorators = [self.evaluate(decorator, namespace) for decorator in node.decorator_list]
        for decorator, expression in zip(
            reversed(decorators), reversed(node.decorator_list), strict=True
        ):
            if isinstance(decorator, Decorator):
                self.register(decorator, node.name, is_function=False, node=expression)
        namespace[node.name] = Function(node.name, node, namespace, regex)

    def run_if(self, node: ast.If, namespace: dict[str, object]) -> None:
        test = self.source(node.test)
        if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING") or (
            "__name__" in test and "__main__" in test
        ):
            self.run_block(node.orelse, namespace)
            return
        saved = self.conditions
        self.conditions = (*saved, test)
        self.run_block(node.body, namespace)
        self.conditions = (*saved, f"not ({test})")
        self.run_block(node.orelse, namespace)
        self.conditions = saved

    def run_loop(
        self, node: ast.For | ast.AsyncFor | ast.While, namespace: dict[str, object]
    ) -> None:
        for call in _registering_calls(node):
            assert isinstance(call.func, ast.Attribute)
            router = self.evaluate(call.func.value, namespace)
            if isinstance(router, Router):
                prefix = ""
                if call.args and isinstance(call.args[0], ast.Constant):
                    if isinstance(call.args[0].value, str) and call.func.attr != "include_router":
                        prefix = call.args[0].value
                self.add_unknown(
                    router,
                    f"{router.name}.{call.func.attr}() inside a loop is not read statically",
                    node,
                    prefix if call.func.attr == "mount" else "",
                )

    # expressions -----------------------------------------------------------------------
    def evaluate(self, node: ast.expr, namespace: dict[str, object]) -> object:
        if isinstance(node, ast.Constant):
            return Text(node.value) if isinstance(node.value, str) else Constant(node.value)
        if isinstance(node, ast.Name):
            if node.id in namespace:
                return namespace[node.id]
            return Unknown(f"{node.id} is not defined at module level")
        if isinstance(node, ast.Attribute):
            return self.evaluate_attribute(node, namespace)
        if isinstance(node, ast.JoinedStr):
            return self.evaluate_fstring(node, namespace)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.evaluate(node.left, namespace)
            right = self.evaluate(node.right, namespace)
            if isinstance(left, Text) and isinstance(right, Text):
                return Text(left.value + right.value)
            if isinstance(left, RoutesList) and isinstance(right, RoutesList):
                return RoutesList([*left.items, *right.items])
            return Unknown(f"{self.source(node)} is not read statically")
        if isinstance(node, (ast.List, ast.Tuple)):
            items: list[Entry] = []
            result = RoutesList(items)
            for element in node.elts:
                self.extend(result, self.evaluate_element(element, namespace), element)
            return result
        if isinstance(node, ast.Call):
            return self.evaluate_call(node, namespace)
        return Unknown(f"{self.source(node)} is not read statically")

    def evaluate_element(self, node: ast.expr, namespace: dict[str, object]) -> object:
        if isinstance(node, ast.Starred):
            return self.evaluate(node.value, namespace)
        value = self.evaluate(node, namespace)
        if isinstance(value, (RouteEntry, MountEntry, UnknownEntry)):
            return RoutesList([value])
        if isinstance(value, RoutesList):
            return Unknown(f"{self.source(node)}: a nested list is not a route")
        return value

    def extend(self, routes: RoutesList, added: object, node: ast.AST) -> None:
        """Append route objects to a list (and to its router when the list is ``.routes``)."""
        if isinstance(added, RoutesList):
            entries = list(added.items)
        elif isinstance(added, (RouteEntry, MountEntry, UnknownEntry)):
            entries = [added]
        else:
            reason = added.reason if isinstance(added, Unknown) else "not a route"
            entries = [UnknownEntry(f"{self.source(node)}: {reason}", self.position(node))]
        routes.items.extend(entries)
        if routes.owner is not None and routes.owner.entries is not routes.items:
            routes.owner.entries.extend(entries)

    def evaluate_fstring(self, node: ast.JoinedStr, namespace: dict[str, object]) -> object:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
                continue
            if isinstance(value, ast.FormattedValue) and value.format_spec is None:
                if value.conversion in (-1, ord("s")):
                    inner = self.evaluate(value.value, namespace)
                    if isinstance(inner, Text):
                        parts.append(inner.value)
                        continue
            return Unknown(f"{self.source(node)} is not read statically")
        return Text("".join(parts))

    def evaluate_attribute(self, node: ast.Attribute, namespace: dict[str, object]) -> object:
        base = self.evaluate(node.value, namespace)
        if isinstance(base, ModuleRef):
            return self.module_attribute(base.dotted, node.attr)
        if isinstance(base, External):
            return External(f"{base.qualname}.{node.attr}")
        if isinstance(base, Router):
            if node.attr == "router" and base.kind in ("fastapi", "starlette"):
                return base
            if node.attr == "routes":
                return RoutesList(base.entries, owner=base)
            return ("method", base, node.attr)
        if isinstance(base, RoutesList) and node.attr in ("append", "extend", "insert"):
            return ("list", base, node.attr)
        if isinstance(base, Unknown):
            return base
        return Unknown(f"{self.source(node)} is not read statically")

    def keywords(self, node: ast.Call, namespace: dict[str, object]) -> _Keywords:
        """Keyword arguments, each evaluated when asked for (``tags=[...]`` never is)."""
        return _Keywords(self, node, namespace)

    def keyword_value(self, node: ast.expr, name: str, namespace: dict[str, object]) -> object:
        """A keyword's value; ``methods=[...]`` of literals becomes a MethodSet."""
        if name == "methods":
            literal = self.literal_methods(node, namespace)
            if literal is not None:
                return MethodSet(literal)
        return self.evaluate(node, namespace)

    def literal_methods(
        self, node: ast.expr, namespace: dict[str, object]
    ) -> frozenset[str] | None:
        """Upper-cased method names of a literal list, tuple or set of strings."""
        if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return None
        methods: set[str] = set()
        for element in node.elts:
            value = self.evaluate(element, namespace)
            if not isinstance(value, Text):
                return None
            methods.add(value.value.upper())
        return frozenset(methods)

    def argument(
        self,
        node: ast.Call,
        namespace: dict[str, object],
        index: int,
        name: str,
        keywords: _Keywords,
    ) -> object | None:
        """Positional argument ``index`` or keyword ``name``; None when absent."""
        if name in keywords:
            return keywords[name]
        positional = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        if len(positional) != len(node.args) and index >= 0:
            return Unknown("*args are not read statically")
        if 0 <= index < len(positional):
            return self.evaluate(positional[index], namespace)
        return None

    def evaluate_call(self, node: ast.Call, namespace: dict[str, object]) -> object:
        func = self.evaluate(node.func, namespace)
        if isinstance(func, tuple) and func[0] == "method":
            _, router, method = func
            return self.router_method(router, method, node, namespace)
        if isinstance(func, tuple) and func[0] == "list":
            _, routes, method = func
            added = [self.evaluate(arg, namespace) for arg in node.args]
            if method == "append" and len(added) == 1:
                self.extend(routes, added[0], node)
            elif method == "extend" and len(added) == 1:
                self.extend(routes, added[0], node)
            else:
                self.extend(routes, Unknown(f"routes.{method}() is not read statically"), node)
            return Constant(None)
        if isinstance(func, Decorator):  # router.get("/x")(endpoint)
            endpoint = node.args[0] if node.args else None
            if endpoint is not None:
                self.register(func, self.endpoint_name(endpoint), True, node)
            return Constant(None)
        if isinstance(func, External):
            result = self.construct(func.qualname, node, namespace)
            if not (isinstance(result, External) and result.qualname == f"{func.qualname}()"):
                return result
            self.routers_passed(node, namespace)  # a call outside the project
            return result
        if isinstance(func, Function) and not func.is_class:
            self.called_function(func, node, namespace)
        else:
            self.routers_passed(node, namespace)
        return Unknown(f"the result of {self.source(node.func)}() is not read statically")

    def routers_passed(self, node: ast.Call, namespace: dict[str, object]) -> None:
        """Routers given to a call we cannot read may get routes there: each is unresolved."""
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            value = self.evaluate(arg, namespace)
            if isinstance(value, Router):
                self.add_unknown(
                    value,
                    f"{value.name} is passed to {self.source(node.func)}(), "
                    "whose effect on its routes is not read",
                    node,
                )

    def called_function(self, func: Function, node: ast.Call, namespace: dict[str, object]) -> None:
        """A project function called at import: routers it registers on become unresolved."""
        assert isinstance(func.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        parameters = [arg.arg for arg in func.node.args.args]
        arguments: dict[str, object] = {}
        for index, arg in enumerate(node.args):
            if index < len(parameters) and not isinstance(arg, ast.Starred):
                arguments[parameters[index]] = self.evaluate(arg, namespace)
        for keyword in node.keywords:
            if keyword.arg is not None:
                arguments[keyword.arg] = self.evaluate(keyword.value, namespace)
        seen: set[int] = set()
        for call in _registering_calls(func.node):
            assert isinstance(call.func, ast.Attribute)
            base = call.func.value
            router: object = None
            if isinstance(base, ast.Name):
                router = arguments.get(base.id, func.namespace.get(base.id))
            elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
                owner = arguments.get(base.value.id, func.namespace.get(base.value.id))
                if isinstance(owner, Router) and base.attr == "router":
                    router = owner
            if isinstance(router, Router) and id(router) not in seen:
                seen.add(id(router))
                self.add_unknown(
                    router,
                    f"{func.name}() registers routes on {router.name} in its body, "
                    "which is not read",
                    node,
                )

    def endpoint_name(self, node: ast.expr) -> str:
        name = dotted_name(node)
        if name is not None:
            return name.rpartition(".")[2]
        return self.source(node)

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
                return UnknownEntry(f"Mount path {_why(path)}", self.position(node))
            if app is None and isinstance(routes, RoutesList):
                router = Router("router", "Mount(routes=...)", self.position(node))
                router.entries = list(routes.items)
                app = router
            elif app is None:
                app = Unknown(f"Mount routes {_why(routes)}")
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
                        f"APIRouter prefix {_why(prefix)}; its routes are not read",
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
            router.entries.append(UnknownEntry(f"routes= {_why(routes)}", self.position(node)))
        if kind == "fastapi":
            root = keywords.get("root_path")
            if isinstance(root, Text):
                router.root_path = root.value
            elif root is not None:
                router.entries.append(UnknownEntry(f"root_path {_why(root)}", self.position(node)))
            self.docs_routes(router, keywords, node)
        return router

    def docs_routes(self, router: Router, keywords: _Keywords, node: ast.Call) -> None:
        """FastAPI's ``setup()``: the OpenAPI schema and docs pages, after ``routes=``."""
        urls: dict[str, str | None] = {}
        for key, default, _ in DOCS_DEFAULTS:
            value = keywords.get(key, Text(default))
            if isinstance(value, Text):
                urls[key] = value.value
            elif isinstance(value, Constant) and value.value is None:
                urls[key] = None
            else:
                router.entries.append(UnknownEntry(f"{key} {_why(value)}", self.position(node)))
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
            return UnknownEntry(f"route path {_why(path)}", self.position(node))
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
            return f"methods {_why(methods)}"
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
            return f"methods {_why(methods)}"
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
                self.add_unknown(router, f"mount path {_why(path)}", node)
            else:
                entry = MountEntry(path.value, app, position, self.conditions)
                router.entries.append(entry)
            return Constant(None)
        if method == "host":
            self.add_unknown(router, "host() routes depend on the Host header", node)
            return Constant(None)
        if method == "frontend":
            self.add_unknown(router, "frontend() routes are not modelled", node)
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
        keywords: _Keywords,
        methods: frozenset[str] | None | str,
        kind: str,
    ) -> Decorator:
        path = self.argument(node, namespace, 0, "path", keywords)
        reason = ""
        text: str | None = None
        if isinstance(path, Text):
            text = path.value
        else:
            reason = f"path {_why(path)}"
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
        keywords: _Keywords,
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
            self.add_unknown(router, f"{endpoint}: path {_why(path)}", node)
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
        keywords: _Keywords,
    ) -> object:
        child = self.argument(node, namespace, 0, "router", keywords)
        prefix_value = keywords.get("prefix", Text(""))
        prefix = prefix_value.value if isinstance(prefix_value, Text) else None
        if not isinstance(child, Router) or child.kind != "apirouter":
            literal = prefix or ""
            self.add_unknown(
                router,
                f"included router {self.source(node.args[0]) if node.args else '?'} "
                f"{_why(child) if not isinstance(child, Router) else 'is not an APIRouter'}",
                node,
                literal,
            )
            return Constant(None)
        reason = ""
        if prefix is None:
            reason = (
                f"include_router prefix {_why(prefix_value)}; the routes of "
                f"{self.source(node.args[0]) if node.args else 'the router'} are not read"
            )
        router.entries.append(
            IncludeEntry(child, prefix, self.position(node), self.conditions, reason)
        )
        return Constant(None)

    def add_unknown(self, router: Router, reason: str, node: ast.AST, prefix: str = "") -> None:
        router.entries.append(UnknownEntry(reason, self.position(node), prefix, self.conditions))


class _Keywords:
    """A call's keyword arguments, evaluated lazily and once; ``"**"`` is in it when the call
    unpacks a mapping."""

    def __init__(self, interpreter: _Interpreter, node: ast.Call, namespace: dict[str, object]):
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


def _why(value: object) -> str:
    if isinstance(value, Unknown):
        return f"is not read statically ({value.reason})"
    if isinstance(value, External):
        return f"comes from {value.qualname}, outside the project"
    if value is None:
        return "is missing"
    return "is not a literal"


def _methods_literal(value: object) -> frozenset[str] | None:
    return value.methods if isinstance(value, MethodSet) else None


def _registering_calls(node: ast.AST) -> Iterable[ast.Call]:
    """Calls ``x.<method>(...)`` below ``node`` whose method may register routes."""
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr in REGISTERING
        ):
            yield inner


# building the table ----------------------------------------------------------------------
class _Flattener:
    """Expands a router's entries (includes, mounts) into Starlette's dispatch order."""

    def __init__(self, interpreter: _Interpreter, table: RouteTable) -> None:
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
                        unknown = UnknownEntry(entry.reason, entry.position)
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

    Raises TableError when the app's module cannot be read or the attribute is not an app.
    """
    _, base, _ = module_name_for(tree, app.position.file)
    loader = Loader(tree, [base, *bases, *IMPORT_BASES])
    interpreter = _Interpreter(loader)
    namespace = interpreter.run_module(app.module)
    if namespace is None:
        raise TableError(f"module {app.module!r} is not in the project")
    value = namespace.get(app.attribute)
    table = RouteTable(app=app, files=set(loader.files), parse_errors=interpreter.parse_errors)
    if not isinstance(value, Router):
        if interpreter.parse_errors:
            return table
        raise TableError(f"{app.import_string} is not a FastAPI application read statically")
    table.redirect_slashes = value.redirect_slashes
    table.root_path = value.root_path
    flattener = _Flattener(interpreter, table)
    for problem in interpreter.convertor_problems:
        flattener.unresolved(problem, "", ())
    table.routes = flattener.routes(value, "", (), (), (), top=True)
    table.convertors = dict(interpreter.convertors)
    return table
