"""ACP104 on FastAPI: every path operation checks ``ACP_ENABLED`` first, or a dependency does.

A path operation is a module-level function registered on an ``APIRouter`` or ``FastAPI``
object of the module (``@router.post(...)``, ``@app.api_route(...)``, ``router.add_api_route(
path, f)``). It is guarded when either

* its first statement (after a docstring and ``global``/``nonlocal``) is an ``if`` that reads
  ``ACP_ENABLED`` (directly, through a helper of the module, or through locals assigned just
  before) and whose body returns or raises - the rule of the Django guard
  (``acp_lint.python.guard``), on ``ast``; or
* a dependency FastAPI resolves before calling it checks the flag that way and *raises*: one in
  ``dependencies=[Depends(f)]`` of the operation's decorator, of the router's (or app's)
  constructor or of an ``include_router`` call of this module, or a ``Depends(f)`` parameter.
  A dependency that *returns* does not stop the request: FastAPI discards its value.

A guard fails open when, with the variable unset, the early exit is not taken. The safe fix
inserts the guard that answers 503 ``FEATURE_DISABLED`` (the body of the generated Django view)
as a ``JSONResponse``, plus ``import os`` and ``from fastapi.responses import JSONResponse``
when the module lacks them, as span edits of the text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from acp_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from acp_lint.python.astsource import Positions, quiet_parse
from acp_lint.python.guard import ENV_FUNCTIONS, FLAG, GuardVerdict
from acp_lint.records import record
from acp_lint.registry import BY_CODE
from acp_lint.span import Span, Spanned

GUARD_RULE = BY_CODE["ACP104"]
FIX_MESSAGE = "Insert the ACP_ENABLED guard"
OPERATION_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route"}
)
_ROUTER_CLASSES = frozenset(
    {"fastapi.APIRouter", "fastapi.routing.APIRouter", "fastapi.FastAPI"}
    | {"fastapi.applications.FastAPI"}
)
_DEPENDS = frozenset(
    {"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"}
    | {"fastapi.param_functions.Depends", "fastapi.param_functions.Security"}
)
_JSON_RESPONSES = frozenset({"fastapi.responses.JSONResponse", "starlette.responses.JSONResponse"})
_STRING_METHODS = ("lower", "upper", "strip", "casefold", "lstrip", "rstrip")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_OTHER_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

Function = ast.FunctionDef | ast.AsyncFunctionDef


@record(frozen=True)
class OperationGuard(Spanned):
    """The verdict on one path operation; ``fix`` is None where the fix is not offered."""

    name: str
    verdict: GuardVerdict
    message: str
    span: Span  # the function's name
    statement_lines: tuple[int, int]
    fix: Fix | None


# -- the module's names ---------------------------------------------------------------------


def module_bindings(tree: ast.Module) -> dict[str, list[str]]:
    """Each module-scope name and what binds it: the qualified import (``os``,
    ``fastapi.responses.JSONResponse``) or ``<local>``, in source order. Function, class and
    comprehension bodies are other scopes and are not entered."""
    bindings: dict[str, list[str]] = {}

    def bind(name: str, origin: str) -> None:
        bindings.setdefault(name, []).append(origin)

    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:  # iterative: a long operator chain is a deep tree
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, "<local>")
            stack.extend(reversed(node.decorator_list))
            continue
        if isinstance(node, _OTHER_SCOPES):
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bind(alias.asname, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    bind(top, top)
            continue
        if isinstance(node, ast.ImportFrom):
            origin = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    bind(alias.asname or alias.name, f"{origin}.{alias.name}")
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bind(node.id, "<local>")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, "<local>")
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name, "<local>")
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return bindings


def _origin(node: ast.expr, bindings: Mapping[str, list[str]]) -> str | None:
    """The qualified name an expression refers to, when one import binds its root name."""
    if isinstance(node, ast.Name):
        origins = bindings.get(node.id, [])
        return origins[0] if len(origins) == 1 and origins[0] != "<local>" else None
    if isinstance(node, ast.Attribute):
        base = _origin(node.value, bindings)
        return f"{base}.{node.attr}" if base else None
    return None


# -- reading the flag -----------------------------------------------------------------------


class _Unknown:
    """A value the evaluator cannot know statically."""


UNKNOWN = _Unknown()


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _string_arg(call: ast.Call, position: int) -> str | None:
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if len(positional) > position and isinstance(positional[position], ast.Constant):
        value = positional[position].value  # type: ignore[attr-defined]
        return value if isinstance(value, str) else None
    return None


def flag_read_default(node: ast.AST) -> object:
    """If ``node`` reads ACP_ENABLED from the environment, its value when unset; else UNKNOWN
    (``KeyError`` for ``os.environ["ACP_ENABLED"]``: the request errors, it is not served)."""
    if isinstance(node, ast.Call):
        if _last_name(node.func) in ENV_FUNCTIONS and _string_arg(node, 0) == FLAG:
            for keyword in node.keywords:
                if keyword.arg == "default":
                    return _literal(keyword.value)
            return _literal(node.args[1]) if len(node.args) > 1 else None
    if isinstance(node, ast.Subscript) and _last_name(node.value).endswith("environ"):
        index = node.slice
        if isinstance(index, ast.Constant) and index.value == FLAG:
            return KeyError
    return UNKNOWN


def reads_flag(node: ast.AST) -> bool:
    """True when an expression or statement contains a read of ACP_ENABLED."""
    for candidate in ast.walk(node):
        if isinstance(candidate, ast.Call) and (
            flag_read_default(candidate) is not UNKNOWN or _string_arg(candidate, 0) == FLAG
        ):
            return True
        if isinstance(candidate, ast.Subscript) and flag_read_default(candidate) is not UNKNOWN:
            return True
    return False


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, bool, type(None))):
        return node.value
    return UNKNOWN


class Evaluator:
    """Evaluates a guard condition with ACP_ENABLED unset; UNKNOWN when it cannot."""

    def __init__(self, helpers: Mapping[str, Function], bindings: Mapping[str, ast.expr]) -> None:
        self.helpers = helpers
        self.bindings = dict(bindings)
        self.depth = 0

    def evaluate(self, node: ast.expr) -> object:
        value = flag_read_default(node)
        if value is not UNKNOWN:
            return value
        if isinstance(node, ast.Constant):
            return _literal(node)
        if isinstance(node, ast.Name):
            bound = self.bindings.get(node.id)
            return UNKNOWN if bound is None else self.evaluate(bound)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            values = [self.evaluate(element) for element in node.elts]
            return UNKNOWN if any(v is UNKNOWN for v in values) else tuple(values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            operand = self.evaluate(node.operand)
            return operand if operand is UNKNOWN or operand is KeyError else not operand
        if isinstance(node, ast.BoolOp):
            return self._boolean(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        return UNKNOWN

    def _boolean(self, node: ast.BoolOp) -> object:
        is_and = isinstance(node.op, ast.And)
        value: object = UNKNOWN
        for operand in node.values:
            value = self.evaluate(operand)
            if value is UNKNOWN or value is KeyError:
                return value
            if (not value) if is_and else bool(value):
                return value
        return value

    def _compare(self, node: ast.Compare) -> object:
        left = self.evaluate(node.left)
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.evaluate(comparator)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            if left is KeyError or right is KeyError:
                return KeyError
            try:
                outcome = _COMPARE[type(operator)](left, right)
            except (KeyError, TypeError):
                return UNKNOWN
            if not outcome:
                return False
            left = right
        return True

    def _call(self, node: ast.Call) -> object:
        func = node.func
        if isinstance(func, ast.Attribute) and not node.args and not node.keywords:
            receiver = self.evaluate(func.value)
            if isinstance(receiver, str) and func.attr in _STRING_METHODS:
                return getattr(receiver, func.attr)()
            if receiver is None or receiver is KeyError:
                return KeyError  # None.lower() raises: the request errors, it is not served
            return UNKNOWN
        if isinstance(func, ast.Name):
            if func.id in ("bool", "str") and len(node.args) == 1 and not node.keywords:
                value = self.evaluate(node.args[0])
                if value is UNKNOWN or value is KeyError:
                    return value
                return bool(value) if func.id == "bool" else str(value)
            helper = self.helpers.get(func.id)
            if helper is not None and not node.args and self.depth < 5:
                return self._helper(helper)
        return UNKNOWN

    def _helper(self, helper: Function) -> object:
        statements = [s for s in helper.body if not _is_docstring(s)]
        if len(statements) != 1 or not isinstance(statements[0], ast.Return):
            return UNKNOWN
        value = statements[0].value
        if value is None:
            return UNKNOWN
        self.depth += 1
        try:
            return self.evaluate(value)
        finally:
            self.depth -= 1


_COMPARE: dict[type, Callable[[object, object], object]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.In: lambda a, b: a in b,  # type: ignore[operator]
    ast.NotIn: lambda a, b: a not in b,  # type: ignore[operator]
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}


# -- judging one function -------------------------------------------------------------------


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def guard_index(body: Sequence[ast.stmt]) -> int:
    """Where the guard must be: after a docstring and ``global``/``nonlocal`` statements."""
    index = 1 if body and _is_docstring(body[0]) else 0
    while index < len(body) and isinstance(body[index], (ast.Global, ast.Nonlocal)):
        index += 1
    return index


@record(frozen=True)
class _Check:
    """The ``if`` at the top of a function that reads the flag, and how it exits."""

    verdict: GuardVerdict  # OK or FAILS_OPEN (None of this when MISSING)
    exit: type[ast.stmt]  # ast.Return or ast.Raise


def _flag_check(function: Function, helpers: Mapping[str, Function]) -> _Check | None:
    """The guard at the top of ``function`` (None when there is none)."""
    body = function.body
    position = guard_index(body)
    bindings: dict[str, ast.expr] = {}
    while position < len(body):
        statement = body[position]
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and reads_flag(statement.value)
        ):
            break
        bindings[statement.targets[0].id] = statement.value
        position += 1
    if position >= len(body) or not isinstance(body[position], ast.If):
        return None
    statement = body[position]
    assert isinstance(statement, ast.If)
    called = {
        node.func.id
        for node in ast.walk(statement.test)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    mentioned = {node.id for node in ast.walk(statement.test) if isinstance(node, ast.Name)}
    reads = (
        reads_flag(statement.test)
        or any(name in helpers and _helper_reads_flag(helpers, name) for name in sorted(called))
        or bool(mentioned & bindings.keys())
    )
    last = statement.body[-1]
    if not reads or not isinstance(last, (ast.Return, ast.Raise)):
        return None
    try:
        value = Evaluator(helpers, bindings).evaluate(statement.test)
    except RecursionError:  # ``not not not ...`` thousands deep: too dynamic to judge
        value = UNKNOWN
    closed = value is UNKNOWN or value is KeyError or bool(value)
    return _Check(GuardVerdict.OK if closed else GuardVerdict.FAILS_OPEN, type(last))


class Helpers(dict[str, Function]):
    """The module-level functions by name, with a memo of which ones read ACP_ENABLED (each
    helper body is walked once, however many operations call it)."""

    def __init__(self, tree: ast.Module) -> None:
        functions = (ast.FunctionDef, ast.AsyncFunctionDef)
        super().__init__((s.name, s) for s in tree.body if isinstance(s, functions))
        self.reads: dict[str, bool] = {}


def _helper_reads_flag(helpers: Mapping[str, Function], name: str) -> bool:
    if not isinstance(helpers, Helpers):
        return reads_flag(helpers[name])
    if name not in helpers.reads:
        helpers.reads[name] = reads_flag(helpers[name])
    return helpers.reads[name]


# -- path operations and their dependencies -------------------------------------------------


@record(frozen=True)
class Operation:
    """A path operation and, for each route registering it, the dependencies FastAPI
    resolves before calling it (module-level functions used as ``Depends(f)``)."""

    function: Function
    registrations: tuple[tuple[str, ...], ...]


class _Module:
    """One module's routers, functions and imports."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.bindings = module_bindings(tree)
        self.functions = Helpers(tree)
        self.routers: dict[str, list[str]] = {}  # router name -> its own dependencies
        self.imported: set[str] = set()  # names imported from elsewhere (unknown routers)
        for name, origins in self.bindings.items():
            if all(origin != "<local>" for origin in origins):
                self.imported.add(name)
        for statement in tree.body:
            target, value = _assignment(statement)
            if target is not None and isinstance(value, ast.Call):
                if _origin(value.func, self.bindings) in _ROUTER_CLASSES:
                    self.routers[target] = self.depends(value.keywords)
        included: dict[str, list[list[str]]] = {}
        for statement in tree.body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "include_router"
                and call.args
                and isinstance(call.args[0], ast.Name)
                and call.args[0].id in self.routers
            ):
                included.setdefault(call.args[0].id, []).append(self.depends(call.keywords))
        for router, lists in included.items():
            # Only what every include of the router adds guards all of its requests.
            common = [name for name in lists[0] if all(name in other for other in lists)]
            self.routers[router] += common

    def depends(self, keywords: Sequence[ast.keyword]) -> list[str]:
        """Module functions named in a literal ``dependencies=[Depends(f), ...]``."""
        found: list[str] = []
        for keyword in keywords:
            if keyword.arg == "dependencies" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                for element in keyword.value.elts:
                    name = self.depends_target(element)
                    if name is not None:
                        found.append(name)
        return found

    def depends_target(self, node: ast.expr | None) -> str | None:
        """``f`` of ``Depends(f)`` / ``Security(f)`` when ``f`` is a module-level function."""
        if not (isinstance(node, ast.Call) and _origin(node.func, self.bindings) in _DEPENDS):
            return None
        target = node.args[0] if node.args else None
        for keyword in node.keywords:
            if keyword.arg == "dependency":
                target = keyword.value
        if isinstance(target, ast.Name) and target.id in self.functions:
            return target.id
        return None

    def is_router(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and (node.id in self.routers or node.id in self.imported)

    def operations(self) -> Iterator[Operation]:
        """Every path operation of the module, in source order."""
        registered: dict[str, list[list[str]]] = {}
        for statement in self.tree.body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_api_route"
                and self.is_router(call.func.value)
            ):
                endpoint = call.args[1] if len(call.args) > 1 else None
                for keyword in call.keywords:
                    if keyword.arg == "endpoint":
                        endpoint = keyword.value
                if isinstance(endpoint, ast.Name) and endpoint.id in self.functions:
                    receiver = call.func.value
                    assert isinstance(receiver, ast.Name)
                    deps = [*self.routers.get(receiver.id, []), *self.depends(call.keywords)]
                    registered.setdefault(endpoint.id, []).append(deps)
        for statement in self.tree.body:
            if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            routes = list(registered.get(statement.name, []))
            for decorator in statement.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in OPERATION_METHODS
                    and self.is_router(decorator.func.value)
                    and _path_argument(decorator)
                ):
                    receiver = decorator.func.value
                    assert isinstance(receiver, ast.Name)
                    own = self.depends(decorator.keywords)
                    routes.append([*self.routers.get(receiver.id, []), *own])
            if not routes:
                continue
            parameters = self.parameter_depends(statement)
            yield Operation(
                statement, tuple(tuple(dict.fromkeys([*r, *parameters])) for r in routes)
            )

    def parameter_depends(self, function: Function) -> list[str]:
        """``Depends(f)`` in the parameters' defaults or ``Annotated[...]`` metadata."""
        found: list[str] = []
        arguments = function.args
        candidates: list[ast.expr | None] = [*arguments.defaults, *arguments.kw_defaults]
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            annotation = argument.annotation
            if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple):
                candidates.extend(annotation.slice.elts[1:])
        for candidate in candidates:
            name = self.depends_target(candidate)
            if name is not None:
                found.append(name)
        return found


def _assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _path_argument(decorator: ast.Call) -> bool:
    """The decorator names a route path: a literal that is empty or starts with ``/`` (as
    FastAPI requires; ``@cache.get("key")`` is no route), or any ``path=`` keyword."""
    if decorator.args:
        first = decorator.args[0]
        return (
            isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and (first.value == "" or first.value.startswith("/"))
        )
    return any(keyword.arg == "path" for keyword in decorator.keywords)


# -- the verdicts ---------------------------------------------------------------------------


@record(frozen=True)
class Verdict:
    verdict: GuardVerdict
    message: str


def _dependency_guard(name: str, module: _Module) -> tuple[bool, str | None]:
    """Whether dependency ``name`` stops a disabled request; else why not (None when it
    does not read the flag at all)."""
    check = _flag_check(module.functions[name], module.functions)
    if check is None:
        return False, None
    if check.exit is ast.Return:
        return False, (
            f"its dependency `{name}` returns when disabled, and FastAPI ignores a "
            "dependency's return value (raise instead)"
        )
    if check.verdict is GuardVerdict.FAILS_OPEN:
        return False, f"its dependency `{name}` fails open with ACP_ENABLED unset"
    return True, None


def judge_operation(operation: Operation, module: _Module) -> Verdict:
    """Guarded when every route registering it has a dependency that guards it, or when
    the operation checks the flag first itself."""
    name = operation.function.name
    failing: list[str] = []
    guarded = 0
    for dependencies in operation.registrations:
        for dependency in dependencies:
            ok, why = _dependency_guard(dependency, module)
            if ok:
                guarded += 1
                break
            if why is not None and why not in failing:
                failing.append(why)
    if guarded == len(operation.registrations):
        return Verdict(GuardVerdict.OK, f"`{name}` is guarded by a dependency")
    own = _flag_check(operation.function, module.functions)
    if own is not None and own.verdict is GuardVerdict.OK:
        return Verdict(GuardVerdict.OK, f"`{name}` checks ACP_ENABLED first")
    if own is not None:
        return Verdict(
            GuardVerdict.FAILS_OPEN,
            f"path operation `{name}` fails open: with ACP_ENABLED unset its guard lets the "
            "request through",
        )
    message = (
        f"path operation `{name}` does not check ACP_ENABLED before doing anything else, and "
        "no dependency of it or its router does"
    )
    if guarded:
        message = (
            f"path operation `{name}` does not check ACP_ENABLED first, and only "
            f"{guarded} of the {len(operation.registrations)} routes registering it have a "
            "dependency that does"
        )
    if failing:
        message += f" ({'; '.join(failing)})"
    return Verdict(GuardVerdict.MISSING, message)


def check_text(text: str, path: str = "<module>") -> list[OperationGuard]:
    """Every path operation of the module with its verdict, in source order (a module that
    does not parse has none: the parse-error rule reports it)."""
    try:
        tree = quiet_parse(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    module = _Module(tree)
    positions = Positions(path, text)
    fixer = GuardFix(text, tree, module.bindings, positions)
    results: list[OperationGuard] = []
    for operation in module.operations():
        verdict = judge_operation(operation, module)
        function = operation.function
        start, end = _name_span(text, positions, function)
        line, column = positions.position(start)
        end_line, end_column = positions.position(end)
        header_end = max(line, function.body[0].lineno - 1)
        fix = None if verdict.verdict is GuardVerdict.OK else fixer.fix(function)
        results.append(
            OperationGuard(
                function.name,
                verdict.verdict,
                verdict.message,
                Span(path, line, column, end_line, end_column),
                (line, header_end),
                fix,
            )
        )
    return results


def diagnostics(text: str, path: str) -> list[Diagnostic]:
    """ACP104 findings of one FastAPI handler module."""
    return [
        Diagnostic(
            span=result.span,
            code=GUARD_RULE.code,
            name=GUARD_RULE.name,
            message=result.message,
            fix=result.fix,
            statement_lines=result.statement_lines,
        )
        for result in check_text(text, path)
        if result.verdict is not GuardVerdict.OK
    ]


_DEF = re.compile(r"(?:async\s+)?def\s+")


def _name_span(text: str, positions: Positions, function: Function) -> tuple[int, int]:
    """Character offsets of the function's name (where the finding is reported)."""
    start = positions.offset(function.lineno, function.col_offset)
    match = _DEF.match(text, start)
    name_start = match.end() if match else start
    return name_start, name_start + len(function.name)


# -- the fix --------------------------------------------------------------------------------

GUARD_LINES = (
    '{i}if {os}.environ.get("ACP_ENABLED", "").strip().lower() != "true":',
    "{i}{u}return {json}(",
    '{i}{u}{u}{{"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"}},',
    "{i}{u}{u}status_code=503,",
    "{i}{u})",
)


class GuardFix:
    """Builds the safe fix for one operation of a module: the guard, and the imports it needs
    (computed once per module: every fix of the module adds the same ones)."""

    def __init__(
        self,
        text: str,
        tree: ast.Module,
        bindings: Mapping[str, list[str]],
        positions: Positions,
    ) -> None:
        self.text = text
        self.tree = tree
        self.positions = positions
        self.os = _usable(bindings, "os", frozenset({"os"}))
        self.json = _usable(bindings, "JSONResponse", _JSON_RESPONSES)
        self.missing = [
            (module, name)
            for local, module, name in (
                (self.os, "os", None),
                (self.json, "fastapi.responses", "JSONResponse"),
            )
            if local is not None and local not in bindings
        ]
        self.newline = _newline(text)
        self.unit = self._module_unit()

    def _module_unit(self) -> str:
        """The module's indentation step (that of its first indented block), for a body
        written on the ``def`` line."""
        for statement in self.tree.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = statement.body[0]
                start = self.positions.offset(first.lineno, first.col_offset)
                indent = self.text[_line_start(self.text, start) : start]
                if indent and not indent.strip():
                    return indent
        return "    "

    def fix(self, function: Function) -> Fix | None:
        """None where the canonical guard cannot be inserted as is (see the module doc)."""
        if self.os is None or self.json is None:
            return None
        os_name, json_name = self.os, self.json
        if _is_generator(function) or _binds_locally(function, {os_name, json_name}):
            return None
        guard = self._guard_edit(function, os_name, json_name)
        if guard is None:
            return None
        edits = [guard, *self._import_edits()]
        return Fix(Applicability.SAFE, FIX_MESSAGE, tuple(sorted(edits)))

    def _guard_edit(self, function: Function, os_name: str, json_name: str) -> Edit | None:
        body = function.body
        index = guard_index(body)
        text, positions = self.text, self.positions
        def_start = positions.offset(function.lineno, function.col_offset)
        def_indent = text[_line_start(text, def_start) : def_start]
        if index < len(body):
            statement = body[index]
            start = positions.offset(statement.lineno, statement.col_offset)
            line_start = _line_start(text, start)
            prefix = text[line_start:start]
            if prefix.strip() == "":
                indent = prefix
                lower = body[index - 1].end_lineno if index else function.lineno
                line_start = self._above_comments(line_start, lower or function.lineno)
                unit = _unit(indent, def_indent)
                return Edit(line_start, line_start, self._guard(indent, unit, os_name, json_name))
            if index == 0 and text[:start].rstrip(" \t").endswith(":"):
                # ``def f(): return 1``: the body moves to an indented block under the guard.
                gap = len(text[:start]) - len(text[:start].rstrip(" \t"))
                indent = def_indent + self.unit
                guard = self._guard(indent, self.unit, os_name, json_name)
                return Edit(start - gap, start, self.newline + guard + indent)
            return None
        # Only a docstring (and ``global`` lines): the guard goes after the last of them.
        last = body[-1]
        end = positions.offset(last.end_lineno or last.lineno, last.end_col_offset or 0)
        rest = text[end : _line_end(text, end)]
        if rest.strip() and not rest.strip().startswith("#"):
            return None
        if last.lineno == function.lineno:
            return None
        first = positions.offset(body[0].lineno, body[0].col_offset)
        indent = text[_line_start(text, first) : first]
        if indent.strip():
            return None
        insert = _line_end(text, end)
        guard = self._guard(indent, _unit(indent, def_indent), os_name, json_name)
        if insert == len(text) and not text.endswith(("\n", "\r")):
            return Edit(insert, insert, self.newline + guard)
        return Edit(insert, insert, guard)

    def _above_comments(self, line_start: int, lower: int) -> int:
        """Move the insertion above comment lines written right above the first statement
        (they belong to it), but not above line ``lower`` (the header or docstring)."""
        line, _ = self.positions.position(line_start)
        while line - 1 > lower:
            previous = self.positions.line_starts[line - 2]
            if not self.text[previous:line_start].strip().startswith("#"):
                break
            line_start, line = previous, line - 1
        return line_start

    def _guard(self, indent: str, unit: str, os_name: str, json_name: str) -> str:
        lines = [line.format(i=indent, u=unit, os=os_name, json=json_name) for line in GUARD_LINES]
        return "".join(line + self.newline for line in lines)

    def _import_edits(self) -> list[Edit]:
        """The imports the guard needs that the module lacks, placed as isort would."""
        block = ImportBlock(self.text, self.tree, self.positions, self.newline)
        return _merge([block.add(module, name) for module, name in self.missing])


def _merge(edits: list[Edit]) -> list[Edit]:
    """Two insertions at one offset become one edit (in the order they were made)."""
    merged: dict[tuple[int, int], str] = {}
    for edit in edits:
        key = (edit.start, edit.end)
        merged[key] = merged.get(key, "") + edit.replacement
    return [Edit(start, end, text) for (start, end), text in merged.items()]


def _usable(bindings: Mapping[str, list[str]], local: str, wanted: frozenset[str]) -> str | None:
    """The name to use for ``wanted`` (its canonical local name, or another local the
    module imports it as), or None when ``local`` is bound to something else."""
    origins = bindings.get(local)
    if origins is not None and all(origin in wanted for origin in origins):
        return local
    for name, found in sorted(bindings.items()):
        if found and all(origin in wanted for origin in found):
            return name
    return local if origins is None else None


def _is_generator(function: Function) -> bool:
    """A ``yield`` of the function's own: a ``return`` with a value cannot answer there."""
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in _own_nodes(function))


def _own_nodes(function: Function) -> Iterator[ast.AST]:
    stack: list[ast.AST] = [*function.body]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _binds_locally(function: Function, names: set[str]) -> bool:
    """Whether the function binds one of ``names`` itself: an inserted guard would read it."""
    arguments = function.args
    params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    params += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    if any(param.arg in names for param in params):
        return True
    declared: set[str] = set()
    bound: set[str] = set()
    for node in _own_nodes(function):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name.split(".")[0]) for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bool((bound - declared) & names)


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def _line_end(text: str, offset: int) -> int:
    """The offset just after the line break ending the line that holds ``offset``."""
    match = re.compile(r"\r\n|\r|\n").search(text, offset)
    return match.end() if match else len(text)


def _newline(text: str) -> str:
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


def _unit(indent: str, outer: str) -> str:
    """One level of indentation, as the function's body uses it."""
    step = indent[len(outer) :] if indent.startswith(outer) else ""
    return step or ("\t" if indent.startswith("\t") else "    ")


# -- import placement -----------------------------------------------------------------------


class ImportBlock:
    """The module's leading imports, and where isort puts one more: in its section (future,
    stdlib, third party, first party, local), ``import x`` lines before ``from x import``
    lines, sorted by module; a new section gets a blank line around it. A name joins an
    existing one-line ``from <module> import ...`` instead, in sorted position."""

    def __init__(self, text: str, tree: ast.Module, positions: Positions, newline: str) -> None:
        self.text = text
        self.positions = positions
        self.newline = newline
        body = tree.body
        start = 1 if body and _is_docstring(body[0]) else 0
        self.first = body[start] if start < len(body) else None
        self.after_docstring = body[0] if start else None
        self.imports: list[ast.Import | ast.ImportFrom] = []
        for statement in body[start:]:
            if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                break
            self.imports.append(statement)

    def add(self, module: str, name: str | None) -> Edit:
        from acp_lint.python.import_order import member_key, section

        if name is not None:
            joined = self._join(module, name, member_key)
            if joined is not None:
                return joined
        line = f"import {module}" if name is None else f"from {module} import {name}"
        own = section(module, 0, lambda _: False)
        key = (name is not None, module.lower())
        described = [(s, *self._describe(s, section)) for s in self.imports]
        same = [d for d in described if d[1] == own]
        top = module.split(".")[0]
        for statement, _, (_, other) in same:
            if other.split(".")[0] == top.lower():
                # Where the file already imports this package, the new line joins that group.
                group = self._group_of(statement)
                same = [d for d in same if self._group_of(d[0]) == group]
                break
        nl = self.newline
        for statement, _, other in same:
            if other > key:
                return Edit(self._start(statement), self._start(statement), line + nl)
        if same:
            end = self._end(same[-1][0])
            return Edit(end, end, line + nl)
        later = [d for d in described if d[1] > own]
        if later:
            start = self._start(later[0][0])
            return Edit(start, start, line + nl + nl)
        if self.imports:
            end = self._end(self.imports[-1])
            return Edit(end, end, nl + line + nl)
        if self.after_docstring is not None:
            end = self._end(self.after_docstring)
            return Edit(end, end, nl + line + nl)
        if self.first is not None:
            start = self._start(self.first)
            return Edit(start, start, line + nl + nl)
        return Edit(len(self.text), len(self.text), line + nl)

    def _group_of(self, statement: ast.stmt) -> int:
        """Which blank-line-separated group of the import block holds the statement."""
        group = 0
        previous = None
        for candidate in self.imports:
            if previous is not None and candidate.lineno > (previous.end_lineno or 0) + 1:
                group += 1
            if candidate is statement:
                return group
            previous = candidate
        return group

    def _describe(
        self, statement: ast.Import | ast.ImportFrom, section: Callable[..., int]
    ) -> tuple[int, tuple[bool, str]]:
        if isinstance(statement, ast.Import):
            module, level, is_from = statement.names[0].name, 0, False
        else:
            module, level, is_from = statement.module or "", statement.level, True
        return section(module, level, lambda _: False), (is_from, module.lower())

    def _join(self, module: str, name: str, member_key: Callable[[str], tuple]) -> Edit | None:
        for statement in self.imports:
            if not (
                isinstance(statement, ast.ImportFrom)
                and statement.level == 0
                and statement.module == module
                and statement.lineno == statement.end_lineno
                and all(alias.name != "*" for alias in statement.names)
            ):
                continue
            start = self.positions.offset(statement.lineno, statement.col_offset)
            end = self.positions.offset(statement.end_lineno, statement.end_col_offset or 0)
            source = self.text[start:end]
            if "(" in source or "\\" in source:
                continue
            aliases = sorted(
                [*statement.names, ast.alias(name=name)], key=lambda a: member_key(a.name)
            )
            names = ", ".join(
                alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
                for alias in aliases
            )
            replacement = f"from {module} import {names}"
            if len(replacement) + statement.col_offset > 88:
                continue
            return Edit(start, end, replacement)
        return None

    def _start(self, statement: ast.stmt) -> int:
        return _line_start(self.text, self.positions.offset(statement.lineno, statement.col_offset))

    def _end(self, statement: ast.stmt) -> int:
        offset = self.positions.offset(
            statement.end_lineno or statement.lineno, statement.end_col_offset or 0
        )
        return _line_end(self.text, offset)
