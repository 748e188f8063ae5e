"""Find ACP handler functions and judge the ``ACP_ENABLED`` guard at the top of each.

A guard passes when the first statement (after a docstring and ``global``/``nonlocal``) is an
``if`` that reads ``ACP_ENABLED`` (directly, through a helper of the same module, or through a
local assigned just before) and whose body returns or raises. It fails open when, evaluated with
the variable unset, the early return is not taken. Conditions too dynamic to evaluate are
accepted (the rule cannot prove them wrong).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

import libcst as cst
from libcst.helpers import get_full_name_for_node

from acp_lint.python.scopes import ScopeIndex
from acp_lint.python.search import contains
from acp_lint.python.walk import walk

FLAG = "ACP_ENABLED"
HANDLER_METHODS = ("get", "post", "put", "patch", "delete", "dispatch")
ENV_FUNCTIONS = ("getenv", "get", "config", "env", "getenvb")


class GuardVerdict(str, Enum):
    OK = "ok"
    MISSING = "missing"
    FAILS_OPEN = "fails-open"


@dataclass(frozen=True)
class Guard:
    verdict: GuardVerdict
    first_statement: int  # index in the body where the guard is (or must be inserted)


def _first_param(function: cst.FunctionDef) -> str | None:
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


def _second_param(function: cst.FunctionDef) -> str | None:
    params = [*function.params.posonly_params, *function.params.params]
    return params[1].name.value if len(params) > 1 else None


def find_handlers(module: cst.Module, extra_names: Iterable[str] = ()) -> list[cst.FunctionDef]:
    """View functions of a handler module, in source order (see DESIGN 2.2)."""
    names = {name.rsplit(".", 1)[-1] for name in extra_names}
    handlers: list[cst.FunctionDef] = []
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            if _first_param(statement) == "request" or statement.name.value in names:
                handlers.append(statement)
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            methods = [s for s in statement.body.body if isinstance(s, cst.FunctionDef)]
            by_name = {m.name.value: m for m in methods}
            if "dispatch" in by_name:
                handlers.append(by_name["dispatch"])
                handlers.extend(m for m in methods if m.name.value in names)
                continue
            for method in methods:
                is_view_method = (
                    method.name.value in HANDLER_METHODS and _second_param(method) == "request"
                )
                if is_view_method or method.name.value in names:
                    handlers.append(method)
    return handlers


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_scope_declaration(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Global, cst.Nonlocal)) for small in statement.body
    )


def guard_insertion_index(body: list[cst.BaseStatement]) -> int:
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_scope_declaration(body[index]):
        index += 1
    return index


def _string_arg(call: cst.Call, position: int) -> str | None:
    positional = [arg for arg in call.args if arg.keyword is None]
    if len(positional) > position and isinstance(positional[position].value, cst.SimpleString):
        value = positional[position].value.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _Unknown:
    """A value the evaluator cannot know statically."""


UNKNOWN = _Unknown()


def flag_read_default(node: cst.CSTNode) -> object:
    """If ``node`` reads ACP_ENABLED from the environment, its value when unset; else UNKNOWN."""
    if isinstance(node, cst.Call):
        last = (get_full_name_for_node(node.func) or "").rsplit(".", 1)[-1]
        if last in ENV_FUNCTIONS and _string_arg(node, 0) == FLAG:
            positional = [arg for arg in node.args if arg.keyword is None]
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "default":
                    return _literal(arg.value)
            return _literal(positional[1].value) if len(positional) > 1 else None
    if isinstance(node, cst.Subscript):
        name = get_full_name_for_node(node.value) or ""
        if name.endswith("environ") and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                if index.value.evaluated_value == FLAG:
                    return KeyError  # an unset variable raises: the handler fails closed
    return UNKNOWN


def reads_flag(node: cst.CSTNode) -> bool:
    """True when an expression contains an environment read of ACP_ENABLED."""

    def is_read(candidate: cst.CSTNode) -> bool:
        if isinstance(candidate, cst.Call):
            return flag_read_default(candidate) is not UNKNOWN or _string_arg(candidate, 0) == FLAG
        if isinstance(candidate, cst.Subscript):
            return flag_read_default(candidate) is not UNKNOWN
        return False

    return contains(node, is_read)


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.Integer):
        return int(node.value)
    return UNKNOWN


class Evaluator:
    """Evaluates a guard condition with ACP_ENABLED unset; UNKNOWN when it cannot."""

    def __init__(
        self,
        helpers: Mapping[str, cst.FunctionDef],
        bindings: Mapping[str, cst.BaseExpression] | None = None,
    ) -> None:
        self.helpers = helpers
        self.bindings = dict(bindings or {})
        self.depth = 0

    def evaluate(self, node: cst.BaseExpression) -> object:
        value = flag_read_default(node)
        if value is not UNKNOWN:
            return value
        method = getattr(self, f"_eval_{type(node).__name__}", None)
        if method is None:
            return UNKNOWN
        return method(node)

    def _eval_SimpleString(self, node: cst.SimpleString) -> object:
        return node.evaluated_value

    def _eval_Integer(self, node: cst.Integer) -> object:
        return int(node.value)

    def _eval_Name(self, node: cst.Name) -> object:
        if node.value in ("True", "False", "None"):
            return _literal(node)
        if node.value in self.bindings:
            return self.evaluate(self.bindings[node.value])
        return UNKNOWN

    def _eval_Tuple(self, node: cst.Tuple | cst.List | cst.Set) -> object:
        values = [self.evaluate(element.value) for element in node.elements]
        return UNKNOWN if any(v is UNKNOWN for v in values) else tuple(values)

    _eval_List = _eval_Tuple
    _eval_Set = _eval_Tuple

    def _eval_UnaryOperation(self, node: cst.UnaryOperation) -> object:
        value = self.evaluate(node.expression)
        if value is UNKNOWN or not isinstance(node.operator, cst.Not):
            return UNKNOWN
        return not value

    def _eval_BooleanOperation(self, node: cst.BooleanOperation) -> object:
        left = self.evaluate(node.left)
        if left is UNKNOWN:
            return UNKNOWN
        if isinstance(node.operator, cst.And):
            return self.evaluate(node.right) if left else left
        return left if left else self.evaluate(node.right)

    def _eval_Comparison(self, node: cst.Comparison) -> object:
        left = self.evaluate(node.left)
        for target in node.comparisons:
            right = self.evaluate(target.comparator)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            try:
                outcome = _compare(target.operator, left, right)
            except TypeError:
                return UNKNOWN
            if outcome is UNKNOWN or not outcome:
                return outcome
            left = right
        return True

    def _eval_Call(self, node: cst.Call) -> object:
        func = node.func
        if isinstance(func, cst.Attribute) and not node.args:
            receiver = self.evaluate(func.value)
            if isinstance(receiver, str) and func.attr.value in (
                "lower",
                "upper",
                "strip",
                "casefold",
                "lstrip",
                "rstrip",
            ):
                return getattr(receiver, func.attr.value)()
            if receiver is None or receiver is KeyError:
                return KeyError  # None.lower() raises: the request errors, it is not served
            return UNKNOWN
        if isinstance(func, cst.Name):
            if func.value in ("bool", "str") and len(node.args) == 1:
                value = self.evaluate(node.args[0].value)
                if value is UNKNOWN or value is KeyError:
                    return value
                return bool(value) if func.value == "bool" else str(value)
            helper = self.helpers.get(func.value)
            if helper is not None and not node.args and self.depth < 5:
                return self._eval_helper(helper)
        return UNKNOWN

    def _eval_helper(self, helper: cst.FunctionDef) -> object:
        body = helper.body.body if isinstance(helper.body, cst.IndentedBlock) else ()
        statements = [s for s in body if not _is_docstring(s)]
        if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
            return UNKNOWN
        small = statements[0].body[0]
        if not isinstance(small, cst.Return) or small.value is None:
            return UNKNOWN
        self.depth += 1
        try:
            return self.evaluate(small.value)
        finally:
            self.depth -= 1


def _compare(operator: cst.BaseCompOp, left: object, right: object) -> object:
    if left is KeyError or right is KeyError:
        return KeyError
    if isinstance(operator, cst.Equal):
        return left == right
    if isinstance(operator, cst.NotEqual):
        return left != right
    if isinstance(operator, cst.In):
        return left in right  # type: ignore[operator]
    if isinstance(operator, cst.NotIn):
        return left not in right  # type: ignore[operator]
    if isinstance(operator, cst.Is):
        return left is right
    if isinstance(operator, cst.IsNot):
        return left is not right
    return UNKNOWN


class Helpers(dict[str, cst.FunctionDef]):
    """The module-level functions by name, with a memo of which ones read ACP_ENABLED, so a
    module with many handlers walks each helper's body at most once (linear, not handlers x
    helpers)."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__((s.name.value, s) for s in module.body if isinstance(s, cst.FunctionDef))
        self._reads: dict[str, bool] = {}

    def reads_flag(self, name: str) -> bool:
        if name not in self._reads:
            self._reads[name] = reads_flag(self[name].body)
        return self._reads[name]


def _helper_reads_flag(helpers: Mapping[str, cst.FunctionDef], name: str) -> bool:
    if isinstance(helpers, Helpers):
        return helpers.reads_flag(name)
    return reads_flag(helpers[name].body)


def _called_names(node: cst.CSTNode) -> set[str]:
    """Names of the plain-name calls under ``node`` (one walk)."""
    names: set[str] = set()

    def on_visit(candidate: cst.CSTNode) -> bool:
        if isinstance(candidate, cst.Call) and isinstance(candidate.func, cst.Name):
            names.add(candidate.func.value)
        return True

    walk(node, on_visit, lambda candidate: None)
    return names


def _ends_early(block: cst.BaseSuite) -> bool:
    statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
    if not statements:
        return False
    last = statements[-1]
    smalls = (
        last.body if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else []
    )
    return bool(smalls) and isinstance(smalls[-1], (cst.Return, cst.Raise))


def judge_guard(function: cst.FunctionDef, helpers: Mapping[str, cst.FunctionDef]) -> Guard:
    """The verdict on ``function``'s guard; ``helpers`` are the module-level functions."""
    body = list(function.body.body) if isinstance(function.body, cst.IndentedBlock) else []
    index = guard_insertion_index(body)
    bindings: dict[str, cst.BaseExpression] = {}
    position = index
    # A local assigned from the flag just before the ``if`` is part of the guard.
    while position < len(body):
        statement = body[position]
        if not (
            isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Assign)
            and len(statement.body[0].targets) == 1
            and isinstance(statement.body[0].targets[0].target, cst.Name)
            and reads_flag(statement.body[0].value)
        ):
            break
        assign = statement.body[0]
        bindings[assign.targets[0].target.value] = assign.value  # type: ignore[union-attr]
        position += 1
    if position >= len(body) or not isinstance(body[position], cst.If):
        return Guard(GuardVerdict.MISSING, index)
    statement = body[position]
    assert isinstance(statement, cst.If)
    used_helpers = {
        name
        for name in sorted(_called_names(statement.test))
        if name in helpers and _helper_reads_flag(helpers, name)
    }
    reads = (
        reads_flag(statement.test)
        or bool(used_helpers)
        or (bool(bindings) and any(_mentions_name(statement.test, name) for name in bindings))
    )
    if not reads or not _ends_early(statement.body):
        return Guard(GuardVerdict.MISSING, index)
    value = Evaluator(helpers, bindings).evaluate(statement.test)
    if value is UNKNOWN or value is KeyError or value:
        return Guard(GuardVerdict.OK, index)
    return Guard(GuardVerdict.FAILS_OPEN, index)


def _mentions_name(node: cst.CSTNode, name: str) -> bool:
    return contains(node, lambda n: isinstance(n, cst.Name) and n.value == name)


_NEW_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


def _own_nodes(function: cst.FunctionDef, predicate: Callable[[cst.CSTNode], bool]) -> bool:
    """Whether a node of the function's own scope (nested defs, lambdas and classes skipped)
    satisfies ``predicate``."""
    found = False

    def on_visit(node: cst.CSTNode) -> bool:
        nonlocal found
        if found or isinstance(node, _NEW_SCOPES):
            return False
        found = predicate(node)
        return not found

    for statement in _body(function):
        walk(statement, on_visit, lambda node: None)
    return found


def _body(function: cst.FunctionDef) -> list[cst.CSTNode]:
    body = function.body
    return list(body.body) if isinstance(body, cst.IndentedBlock) else [body]


def is_generator(function: cst.FunctionDef) -> bool:
    """A ``yield`` of the function's own: ``return JsonResponse(...)`` cannot answer there (a
    syntax error in an ``async def``, a generator's ``StopIteration`` value otherwise)."""
    return _own_nodes(function, lambda node: isinstance(node, cst.Yield))


def binds_locally(
    function: cst.FunctionDef, names: Collection[str], index: ScopeIndex | None = None
) -> bool:
    """Whether the function binds one of ``names`` itself (a parameter, an assignment, an
    import, a loop or ``with`` target...): code inserted at its top would read that local.
    ``index``: the file's scope pass, when it has one (its scope of the function's body holds
    the same bindings a walk of the function alone would find)."""
    params = function.params
    own = {
        param.name.value
        for param in (*params.posonly_params, *params.params, *params.kwonly_params)
    }
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            own.add(star.name.value)
    if own & set(names):
        return True
    body = index.body_scope.get(function.body) if index is not None else None
    if body is not None:
        return bool(body.bindings & set(names)) and not body.globals & set(names)
    index = ScopeIndex()
    walk(function, index.on_visit, index.on_leave)
    return any(
        scope.kind == "function"
        and scope.parent is index.module_scope
        and bool(scope.bindings & set(names))
        and not scope.globals & set(names)
        for scope in index.scope_of.values()
    )


def import_is_usable(index: ScopeIndex, local: str, qualified: str) -> bool:
    """Whether a fix may add (or reuse) an import binding ``local`` to ``qualified`` at module
    level: the name is free there, or already bound by exactly that import (else the new
    import would redefine another binding, Ruff's F811)."""
    scope = index.module_scope
    if local not in scope.bindings:
        return True
    return scope.imports.get(local) == {qualified}
