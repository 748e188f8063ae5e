"""The static reader of a FastAPI project: module-level code interpreted over known values.

Each project module the application's module imports is interpreted once, statement by
statement, as Python would import it (nothing of the host is imported). Names are bound to
what is known of them (a router, a string, a list of routes, a project function or class, a
name outside the project); the calls that register routes are understood by
``Registrations``; everything else that may add routes (a loop, a dynamic prefix, a router
passed to a function, an unknown router) is recorded on its router, in order, as an unknown
entry. Every branch of a module-level ``if`` and ``try`` (the body, each handler) runs from
the same state and its registrations count, marked with the branch's condition; a name the
branches leave with different values is Unknown afterwards (never the last branch's value).
``if __name__ == "__main__"`` and ``if TYPE_CHECKING`` blocks do not run at import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from acp_lint.hosts.fastapi.model import ParseError, Position
from acp_lint.hosts.fastapi.paths import BUILTIN_CONVERTORS
from acp_lint.hosts.fastapi.registrations import (
    REGISTERING,
    ROUTER_CLASSES,
    Keywords,
    Registrations,
)
from acp_lint.hosts.fastapi.source import Loader, ModuleSource, dotted_name, resolve_relative
from acp_lint.hosts.fastapi.values import (
    BoundMethod,
    Constant,
    Decorator,
    Entry,
    External,
    Function,
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


class Interpreter(Registrations):
    """Runs the module-level code of project modules over static values."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.namespaces: dict[str, dict[str, object]] = {}
        self.parse_errors: list[ParseError] = []
        self.convertors: dict[str, str] = dict(BUILTIN_CONVERTORS)
        self.convertor_problems: list[UnknownEntry] = []
        self.module: ModuleSource | None = None
        self.conditions: tuple[str, ...] = ()
        self.calls: list[int] = []  # the function definitions being run (no recursion)

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
            try:
                self.run_statement(statement, namespace)
            except RecursionError:  # outside the engine's protected thread, a deep expression
                message = "nested too deeply to read; its routes are not read"
                self.parse_errors.append(ParseError(self.position(statement), message))

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
            self.run_try(node, namespace)  # type: ignore[arg-type]
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
        namespace[node.name] = Function(node.name, node, namespace, module=self.module)

    def run_class_def(self, node: ast.ClassDef, namespace: dict[str, object]) -> None:
        """A class: its literal ``regex`` (a convertor) and, for a subclass of FastAPI,
        APIRouter, Starlette or Router, that base (constructing it builds that router)."""
        regex: str | None = None
        router_base: str | None = None
        for base in node.bases:
            value = self.evaluate(base, namespace)
            if isinstance(value, External) and value.qualname in ROUTER_CLASSES:
                router_base = router_base or value.qualname
            elif isinstance(value, Function) and value.is_class:
                router_base = router_base or value.router_base
                regex = regex or value.regex
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
        namespace[node.name] = Function(node.name, node, namespace, regex, self.module, router_base)

    def run_if(self, node: ast.If, namespace: dict[str, object]) -> None:
        test = self.source(node.test)
        if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING") or (
            "__name__" in test and "__main__" in test
        ):
            self.run_block(node.orelse, namespace)
            return
        self.run_branches(
            [(test, node.body), (f"not ({test})", node.orelse)], namespace, f"if {test}"
        )

    def run_try(self, node: ast.Try, namespace: dict[str, object]) -> None:
        """The body (with ``else``) or one of the handlers, then ``finally``."""
        branches: list[tuple[str | None, list[ast.stmt]]] = [(None, node.body + node.orelse)]
        for handler in node.handlers:
            caught = self.source(handler.type) if handler.type is not None else "BaseException"
            branches.append((f"except {caught}", handler.body))
        self.run_branches(branches, namespace, "try")
        self.run_block(node.finalbody, namespace)

    def run_branches(
        self,
        branches: list[tuple[str | None, list[ast.stmt]]],
        namespace: dict[str, object],
        where: str,
    ) -> None:
        """Run each branch from the same namespace (registrations of all of them count, under
        their condition); afterwards a name keeps a value only when every branch that can
        leave it bound agrees on it, else it is Unknown (never the last branch's value)."""
        before = dict(namespace)
        saved = self.conditions
        outcomes: list[dict[str, object]] = []
        for condition, statements in branches:
            namespace.clear()
            namespace.update(before)
            self.conditions = saved if condition is None else (*saved, condition)
            self.run_block(statements, namespace)
            outcomes.append(dict(namespace))
        self.conditions = saved
        namespace.clear()
        namespace.update(before)
        names = {name for outcome in outcomes for name in outcome}
        for name in sorted(names):
            values = [outcome[name] for outcome in outcomes if name in outcome]
            if all(_same(value, values[0]) for value in values[1:]):
                namespace[name] = values[0]
            else:
                namespace[name] = Unknown(
                    f"{name} takes different values in the branches of {where}"
                )

    def run_loop(
        self, node: ast.For | ast.AsyncFor | ast.While, namespace: dict[str, object]
    ) -> None:
        """A loop that registers routes is one unknown entry per router it registers on."""
        seen: set[tuple[int, str]] = set()
        for call in _registering_calls(node):
            assert isinstance(call.func, ast.Attribute)
            router = self.evaluate(call.func.value, namespace)
            if not isinstance(router, Router):
                continue
            prefix = _loop_prefix(router, call)
            if (id(router), prefix) in seen:
                continue
            seen.add((id(router), prefix))
            self.add_unknown(
                router,
                f"{router.name}.{call.func.attr}() inside a loop is not read statically",
                node,
                prefix,
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
            return BoundMethod(base, node.attr)
        if isinstance(base, RoutesList) and node.attr in ("append", "extend", "insert"):
            return BoundMethod(base, node.attr)
        if isinstance(base, Unknown):
            return base
        return Unknown(f"{self.source(node)} is not read statically")

    def keywords(self, node: ast.Call, namespace: dict[str, object]) -> Keywords:
        """Keyword arguments, each evaluated when asked for (``tags=[...]`` never is)."""
        return Keywords(self, node, namespace)

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
        keywords: Keywords,
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
        if isinstance(func, BoundMethod) and isinstance(func.owner, Router):
            return self.router_method(func.owner, func.name, node, namespace)
        if isinstance(func, BoundMethod) and isinstance(func.owner, RoutesList):
            added = [self.evaluate(arg, namespace) for arg in node.args]
            if func.name == "append" and len(added) == 1 and not isinstance(added[0], RoutesList):
                self.extend(func.owner, added[0], node)
            elif func.name == "extend" and len(added) == 1:
                self.extend(func.owner, added[0], node)
            else:
                unknown = Unknown(f"routes.{func.name}() is not read statically")
                self.extend(func.owner, unknown, node)
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
        if isinstance(func, Function) and func.router_base is not None:
            return self.construct(func.router_base, node, namespace)  # a project subclass
        if isinstance(func, Function) and not func.is_class:
            result = self.call_function(func, node, namespace)
            if result is not None:
                return result
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

    def call_function(
        self, func: Function, node: ast.Call, namespace: dict[str, object]
    ) -> object | None:
        """Run a project function's body for a call, as Python would; its return value.

        Only plain functions whose body returns at its top level (if at all) and whose call
        binds every argument by name are run (nothing recursive, at most ``MAX_CALL_DEPTH``
        deep); None otherwise, and the caller falls back to ``called_function``. The body
        runs in a copy of its module's namespace plus the arguments, so its locals stay local
        while the routers it registers on (shared objects) get its routes.
        """
        definition = func.node
        if not isinstance(definition, ast.FunctionDef) or not isinstance(func.module, ModuleSource):
            return None
        if len(self.calls) >= MAX_CALL_DEPTH or id(definition) in self.calls:
            return None
        arguments = definition.args
        if arguments.vararg or arguments.kwarg or arguments.posonlyargs or arguments.kwonlyargs:
            return None
        if not _runs_straight(definition):
            return None
        parameters = [arg.arg for arg in arguments.args]
        if len(node.args) > len(parameters) or any(
            isinstance(arg, ast.Starred) for arg in node.args
        ):
            return None
        if any(k.arg is None or k.arg not in parameters for k in node.keywords):
            return None
        bound = {
            name: self.evaluate(arg, namespace)
            for name, arg in zip(parameters[: len(node.args)], node.args, strict=True)
        }
        for keyword in node.keywords:
            bound[str(keyword.arg)] = self.evaluate(keyword.value, namespace)
        saved_module, at = self.module, self.position(node)
        self.module = func.module
        self.calls.append(id(definition))
        try:
            first_default = len(parameters) - len(arguments.defaults)
            for index, name in enumerate(parameters):
                if name not in bound:
                    bound[name] = (
                        self.evaluate(arguments.defaults[index - first_default], func.namespace)
                        if index >= first_default
                        else Unknown(f"argument {name} of {func.name}() is missing")
                    )
            local = {**func.namespace, **bound}
            result: object = Constant(None)
            for statement in definition.body:
                if isinstance(statement, ast.Return):
                    if statement.value is not None:
                        result = self.evaluate(statement.value, local)
                    break
                self.run_block([statement], local)
            self.unread_registrations(func.name, _nested_definitions(definition), local, at)
            return result
        finally:
            self.calls.pop()
            self.module = saved_module

    def call_factory(self, func: Function) -> object:
        """``func()`` with no arguments (uvicorn's ``--factory``), as if called at its def."""
        definition = func.node
        call = ast.Call(func=ast.Name(id=func.name, ctx=ast.Load()), args=[], keywords=[])
        ast.copy_location(call, definition)
        call.end_lineno, call.end_col_offset = definition.lineno, definition.col_offset
        saved, self.module = self.module, func.module  # type: ignore[assignment]
        try:
            result = self.call_function(func, call, {})
        finally:
            self.module = saved
        return Unknown(f"{func.name}() cannot be run statically") if result is None else result

    def called_function(self, func: Function, node: ast.Call, namespace: dict[str, object]) -> None:
        """A project function called at import whose body is not run: routers it registers
        on become unresolved."""
        assert isinstance(func.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        parameters = [arg.arg for arg in func.node.args.args]
        arguments: dict[str, object] = {}
        for index, arg in enumerate(node.args):
            if index < len(parameters) and not isinstance(arg, ast.Starred):
                arguments[parameters[index]] = self.evaluate(arg, namespace)
        for keyword in node.keywords:
            if keyword.arg is not None:
                arguments[keyword.arg] = self.evaluate(keyword.value, namespace)
        scope = {**func.namespace, **arguments}
        self.unread_registrations(func.name, [func.node], scope, self.position(node))

    def unread_registrations(
        self,
        name: str,
        definitions: list[ast.AST],
        scope: dict[str, object],
        at: Position,
    ) -> None:
        """Routers that code we do not run (``definitions``) registers on, found by name in
        ``scope``, get one unknown entry each, at the call (``at``)."""
        seen: set[int] = set()
        for definition in definitions:
            for call in _registering_calls(definition):
                assert isinstance(call.func, ast.Attribute)
                base = call.func.value
                router: object = None
                if isinstance(base, ast.Name):
                    router = scope.get(base.id)
                elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
                    owner = scope.get(base.value.id)
                    if isinstance(owner, Router) and base.attr == "router":
                        router = owner
                if isinstance(router, Router) and id(router) not in seen:
                    seen.add(id(router))
                    reason = f"{name}() registers routes on {router.name} in code that is not read"
                    router.entries.append(UnknownEntry(reason, at, "", self.conditions))

    def endpoint_name(self, node: ast.expr) -> str:
        name = dotted_name(node)
        if name is not None:
            return name.rpartition(".")[2]
        return self.source(node)


def _same(first: object, second: object) -> bool:
    """Whether two values of a name are the same as far as routes are concerned."""
    if first is second:
        return True
    if type(first) is not type(second):
        return False
    if isinstance(first, (Text, Constant)):
        return first.value == second.value  # type: ignore[attr-defined]
    if isinstance(first, External):
        return first.qualname == second.qualname  # type: ignore[attr-defined]
    if isinstance(first, ModuleRef):
        return first.dotted == second.dotted  # type: ignore[attr-defined]
    return False


MAX_CALL_DEPTH = 8
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_NOT_STRAIGHT = (ast.Return, ast.Yield, ast.YieldFrom, ast.Await, ast.Global, ast.Nonlocal)


def _own_nodes(definition: ast.AST) -> list[ast.AST]:
    """The nodes of a function body, not those of the functions and classes defined in it."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(definition))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, _NESTED):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _runs_straight(definition: ast.FunctionDef) -> bool:
    """A body we can run: no ``yield``/``await``/``global``, and ``return`` only at its top."""
    top_returns = {
        id(statement) for statement in definition.body if isinstance(statement, ast.Return)
    }
    for node in _own_nodes(definition):
        if isinstance(node, _NOT_STRAIGHT) and id(node) not in top_returns:
            return False
    return True


def _nested_definitions(definition: ast.FunctionDef) -> list[ast.AST]:
    """The code of the functions, lambdas and classes defined in a body, which does not run
    here (their decorators and defaults did run, with the body)."""
    code: list[ast.AST] = []
    for node in _own_nodes(definition):
        if isinstance(node, ast.Lambda):
            code.append(node.body)
        elif isinstance(node, _NESTED):
            code.extend(node.body)  # type: ignore[attr-defined]
    return code


def _literal(node: ast.expr | None) -> str:
    """The literal start of a string expression: a constant, the left end of ``+``, the
    leading text of an f-string ("" when nothing is known)."""
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node = node.left
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[0]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _loop_prefix(router: Router, call: ast.Call) -> str:
    """What is known of the paths a registration inside a loop adds, below ``router``'s place:
    the router's own prefix for path operations and includes (with a literal ``prefix=``), the
    literal path of a mount or Starlette route up to its first parameter."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    own = router.prefix or ""
    if method == "include_router":
        keyword = next((k.value for k in call.keywords if k.arg == "prefix"), None)
        return own + _literal(keyword)
    if method in ("mount", "add_route", "route", "host", "frontend"):
        return _literal(call.args[0] if call.args else None).split("{")[0]
    return own


def _registering_calls(node: ast.AST) -> Iterable[ast.Call]:
    """Calls ``x.<method>(...)`` below ``node`` whose method may register routes."""
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr in REGISTERING
        ):
            yield inner
