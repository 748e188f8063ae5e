"""Find ACP handler functions and judge the ``ACP_ENABLED`` guard at the top of each.

A guard passes when the first statement (after a docstring and ``global``/``nonlocal``) is an
``if`` that reads ``ACP_ENABLED`` (directly, through a helper of the same module, or through a
local assigned just before) and whose body returns or raises. It fails open when, evaluated with
the variable unset, the early return is not taken. Conditions too dynamic to evaluate are
accepted (the rule cannot prove them wrong).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping
from enum import Enum

from acp_lint.python.astsource import string_token_end
from acp_lint.python.scopes import ScopeIndex, param_names
from acp_lint.python.search import contains
from acp_lint.python.syntax import (
    COMPOUND,
    FUNCTIONS,
    Function,
    SourceFile,
    call_args,
    children,
    full_name,
    walk,
)
from acp_lint.records import record

FLAG = "ACP_ENABLED"
HANDLER_METHODS = ("get", "post", "put", "patch", "delete", "dispatch")
ENV_FUNCTIONS = ("getenv", "get", "config", "env", "getenvb")


class GuardVerdict(str, Enum):
    OK = "ok"
    MISSING = "missing"
    FAILS_OPEN = "fails-open"


@record(frozen=True)
class Guard:
    verdict: GuardVerdict
    first_statement: int  # index in the body where the guard is (or must be inserted)


def _positional(function: Function) -> list[ast.arg]:
    return [*function.args.posonlyargs, *function.args.args]


def _first_param(function: Function) -> str | None:
    params = _positional(function)
    return params[0].arg if params else None


def _second_param(function: Function) -> str | None:
    params = _positional(function)
    return params[1].arg if len(params) > 1 else None


def find_handlers(tree: ast.Module, extra_names: Iterable[str] = ()) -> list[Function]:
    """View functions of a handler module, in source order (see DESIGN 2.2)."""
    names = {name.rsplit(".", 1)[-1] for name in extra_names}
    handlers: list[Function] = []
    for statement in tree.body:
        if isinstance(statement, FUNCTIONS):
            if _first_param(statement) == "request" or statement.name in names:
                handlers.append(statement)
        elif isinstance(statement, ast.ClassDef):
            methods = [s for s in statement.body if isinstance(s, FUNCTIONS)]
            by_name = {m.name: m for m in methods}
            if "dispatch" in by_name:
                handlers.append(by_name["dispatch"])
                handlers.extend(m for m in methods if m.name in names)
                continue
            for method in methods:
                is_view_method = (
                    method.name in HANDLER_METHODS and _second_param(method) == "request"
                )
                if is_view_method or method.name in names:
                    handlers.append(method)
    return handlers


def _is_docstring(source: SourceFile, line: list[ast.stmt]) -> bool:
    """A line that is one string expression (one token or a concatenation, not an f-string)."""
    if len(line) != 1 or not isinstance(line[0], ast.Expr):
        return False
    value = line[0].value
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str | bytes)
    if isinstance(value, ast.JoinedStr):  # an f-string concatenated with a plain string
        return not source.is_one_string(value) and _is_concatenation(source, value)
    return False


def _is_concatenation(source: SourceFile, node: ast.JoinedStr) -> bool:
    start, end = source.start(node), source.end(node)
    first = string_token_end(source.text, start)
    return first is not None and first < end


def _is_scope_declaration(line: list[ast.stmt]) -> bool:
    return all(isinstance(small, ast.Global | ast.Nonlocal) for small in line)


def body_lines(source: SourceFile, function: Function) -> list[list[ast.stmt]]:
    """The function's body as libcst's indented block lists it ([] for ``def f(): return``)."""
    if source.is_simple_suite(function.body):
        return []
    return source.lines_of(function.body)


def guard_insertion_index(source: SourceFile, lines: list[list[ast.stmt]]) -> int:
    index = 0
    if lines and _is_docstring(source, lines[0]):
        index = 1
    while index < len(lines) and _is_scope_declaration(lines[index]):
        index += 1
    return index


def _string_arg(source: SourceFile, call: ast.Call, position: int) -> str | None:
    positional = [value for keyword, value in call_args(call) if keyword is None]
    if len(positional) > position:
        value = source.string_value(positional[position])
        return value if isinstance(value, str) else None
    return None


class _Unknown:
    """A value the evaluator cannot know statically."""


UNKNOWN = _Unknown()


def flag_read_default(source: SourceFile, node: ast.AST) -> object:
    """If ``node`` reads ACP_ENABLED from the environment, its value when unset; else UNKNOWN."""
    if isinstance(node, ast.Call):
        last = (full_name(node.func) or "").rsplit(".", 1)[-1]
        if last in ENV_FUNCTIONS and _string_arg(source, node, 0) == FLAG:
            arguments = call_args(node)
            positional = [value for keyword, value in arguments if keyword is None]
            for keyword, value in arguments:
                if keyword == "default":
                    return _literal(source, value)
            return _literal(source, positional[1]) if len(positional) > 1 else None
    if isinstance(node, ast.Subscript):
        name = full_name(node.value) or ""
        if name.endswith("environ") and source.string_value(node.slice) == FLAG:
            return KeyError  # an unset variable raises: the handler fails closed
    return UNKNOWN


def reads_flag(source: SourceFile, node: ast.AST) -> bool:
    """True when an expression contains an environment read of ACP_ENABLED."""

    def is_read(candidate: ast.AST) -> bool:
        if isinstance(candidate, ast.Call):
            return (
                flag_read_default(source, candidate) is not UNKNOWN
                or _string_arg(source, candidate, 0) == FLAG
            )
        if isinstance(candidate, ast.Subscript):
            return flag_read_default(source, candidate) is not UNKNOWN
        return False

    return contains(node, is_read)


def _literal(source: SourceFile, node: ast.AST) -> object:
    """The value of a string token, ``True``/``False``/``None`` or an integer, else UNKNOWN."""
    if not isinstance(node, ast.Constant):
        return UNKNOWN
    value = node.value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str | bytes) and source.is_one_string(node):
        return value
    return UNKNOWN


class Evaluator:
    """Evaluates a guard condition with ACP_ENABLED unset; UNKNOWN when it cannot."""

    def __init__(
        self,
        source: SourceFile,
        helpers: Mapping[str, Function],
        bindings: Mapping[str, ast.expr] | None = None,
    ) -> None:
        self.source = source
        self.helpers = helpers
        self.bindings = dict(bindings or {})
        self.depth = 0

    def evaluate(self, node: ast.AST) -> object:
        value = flag_read_default(self.source, node)
        if value is not UNKNOWN:
            return value
        method = getattr(self, f"_eval_{type(node).__name__}", None)
        if method is None:
            return UNKNOWN
        return method(node)

    def _eval_Constant(self, node: ast.Constant) -> object:
        return _literal(self.source, node)

    def _eval_Name(self, node: ast.Name) -> object:
        if node.id in self.bindings:
            return self.evaluate(self.bindings[node.id])
        return UNKNOWN

    def _eval_Starred(self, node: ast.Starred) -> object:
        return self.evaluate(node.value)  # libcst reads an element through its star

    def _eval_Tuple(self, node: ast.Tuple | ast.List | ast.Set) -> object:
        values = [self.evaluate(element) for element in node.elts]
        return UNKNOWN if any(v is UNKNOWN for v in values) else tuple(values)

    _eval_List = _eval_Tuple
    _eval_Set = _eval_Tuple

    def _eval_UnaryOp(self, node: ast.UnaryOp) -> object:
        value = self.evaluate(node.operand)
        if value is UNKNOWN or not isinstance(node.op, ast.Not):
            return UNKNOWN
        return not value

    def _eval_BoolOp(self, node: ast.BoolOp) -> object:
        left = self.evaluate(node.values[0])
        for right in node.values[1:]:
            if left is UNKNOWN:
                return UNKNOWN
            if isinstance(node.op, ast.And):
                if not left:
                    return left
            elif left:
                return left
            left = self.evaluate(right)
        return left

    def _eval_Compare(self, node: ast.Compare) -> object:
        left = self.evaluate(node.left)
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.evaluate(comparator)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            try:
                outcome = _compare(operator, left, right)
            except TypeError:
                return UNKNOWN
            if outcome is UNKNOWN or not outcome:
                return outcome
            left = right
        return True

    def _eval_Call(self, node: ast.Call) -> object:
        func = node.func
        arguments = call_args(node)
        if isinstance(func, ast.Attribute) and not arguments:
            receiver = self.evaluate(func.value)
            if isinstance(receiver, str) and func.attr in (
                "lower",
                "upper",
                "strip",
                "casefold",
                "lstrip",
                "rstrip",
            ):
                return getattr(receiver, func.attr)()
            if receiver is None or receiver is KeyError:
                return KeyError  # None.lower() raises: the request errors, it is not served
            return UNKNOWN
        if isinstance(func, ast.Name):
            if func.id in ("bool", "str") and len(arguments) == 1:
                value = self.evaluate(arguments[0][1])
                if value is UNKNOWN or value is KeyError:
                    return value
                return bool(value) if func.id == "bool" else str(value)
            helper = self.helpers.get(func.id)
            if helper is not None and not arguments and self.depth < 5:
                return self._eval_helper(helper)
        return UNKNOWN

    def _eval_helper(self, helper: Function) -> object:
        lines = body_lines(self.source, helper)
        statements = [line for line in lines if not _is_docstring(self.source, line)]
        if len(statements) != 1 or isinstance(statements[0][0], COMPOUND):
            return UNKNOWN
        small = statements[0][0]
        if not isinstance(small, ast.Return) or small.value is None:
            return UNKNOWN
        self.depth += 1
        try:
            return self.evaluate(small.value)
        finally:
            self.depth -= 1


def _compare(operator: ast.cmpop, left: object, right: object) -> object:
    if left is KeyError or right is KeyError:
        return KeyError
    if isinstance(operator, ast.Eq):
        return left == right
    if isinstance(operator, ast.NotEq):
        return left != right
    if isinstance(operator, ast.In):
        return left in right  # type: ignore[operator]
    if isinstance(operator, ast.NotIn):
        return left not in right  # type: ignore[operator]
    if isinstance(operator, ast.Is):
        return left is right
    if isinstance(operator, ast.IsNot):
        return left is not right
    return UNKNOWN


class Helpers(dict[str, Function]):
    """The module-level functions by name, with a memo of which ones read ACP_ENABLED, so a
    module with many handlers walks each helper's body at most once (linear, not handlers x
    helpers)."""

    def __init__(self, source: SourceFile) -> None:
        super().__init__((s.name, s) for s in source.tree.body if isinstance(s, FUNCTIONS))
        self.source = source
        self._reads: dict[str, bool] = {}

    def reads_flag(self, name: str) -> bool:
        if name not in self._reads:
            self._reads[name] = any(
                reads_flag(self.source, statement) for statement in self[name].body
            )
        return self._reads[name]


def _called_names(node: ast.AST) -> set[str]:
    """Names of the plain-name calls under ``node`` (one walk)."""
    return {
        candidate.func.id
        for candidate in walk(node)
        if isinstance(candidate, ast.Call) and isinstance(candidate.func, ast.Name)
    }


def judge_guard(source: SourceFile, function: Function, helpers: Helpers) -> Guard:
    """The verdict on ``function``'s guard; ``helpers`` are the module-level functions."""
    lines = body_lines(source, function)
    index = guard_insertion_index(source, lines)
    bindings: dict[str, ast.expr] = {}
    position = index
    # A local assigned from the flag just before the ``if`` is part of the guard.
    while position < len(lines):
        line = lines[position]
        small = line[0]
        if not (
            len(line) == 1
            and isinstance(small, ast.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0], ast.Name)
            and reads_flag(source, small.value)
        ):
            break
        bindings[small.targets[0].id] = small.value  # type: ignore[union-attr]
        position += 1
    if position >= len(lines) or not isinstance(lines[position][0], ast.If):
        return Guard(GuardVerdict.MISSING, index)
    statement = lines[position][0]
    assert isinstance(statement, ast.If)
    used_helpers = {
        name
        for name in sorted(_called_names(statement.test))
        if name in helpers and helpers.reads_flag(name)
    }
    reads = (
        reads_flag(source, statement.test)
        or bool(used_helpers)
        or (bool(bindings) and any(_mentions_name(statement.test, name) for name in bindings))
    )
    if not reads or not isinstance(statement.body[-1], ast.Return | ast.Raise):
        return Guard(GuardVerdict.MISSING, index)
    value = Evaluator(source, helpers, bindings).evaluate(statement.test)
    if value is UNKNOWN or value is KeyError or value:
        return Guard(GuardVerdict.OK, index)
    return Guard(GuardVerdict.FAILS_OPEN, index)


def _mentions_name(node: ast.AST, name: str) -> bool:
    return contains(node, lambda n: isinstance(n, ast.Name) and n.id == name)


_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def is_generator(function: Function) -> bool:
    """A ``yield`` of the function's own: ``return JsonResponse(...)`` cannot answer there (a
    syntax error in an ``async def``, a generator's ``StopIteration`` value otherwise).
    Nested defs, lambdas and classes are skipped whole (their decorators and defaults too)."""
    stack: list[ast.AST] = [s for s in function.body if not isinstance(s, _NEW_SCOPES)]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        stack.extend(c for c in children(node) if not isinstance(c, _NEW_SCOPES))
    return False


def binds_locally(function: Function, names: Collection[str], index: ScopeIndex) -> bool:
    """Whether the function binds one of ``names`` itself (a parameter, an assignment, an
    import, a loop or ``with`` target...): code inserted at its top would read that local."""
    if set(param_names(function.args)) & set(names):
        return True
    body = index.body_scope[function]
    return bool(body.bindings & set(names)) and not body.globals & set(names)


def import_is_usable(index: ScopeIndex, local: str, qualified: str) -> bool:
    """Whether a fix may add (or reuse) an import binding ``local`` to ``qualified`` at module
    level: the name is free there, or already bound by exactly that import (else the new
    import would redefine another binding, Ruff's F811)."""
    scope = index.module_scope
    if local not in scope.bindings:
        return True
    return scope.imports.get(local) == {qualified}
