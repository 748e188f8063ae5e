"""Read URLconfs with ``ast`` and build the route table in Django's dispatch order.

Each module is parsed once and "executed" abstractly, statement by statement, over a small
immutable value model (``values.py``): ``urlpatterns = [...]``, ``+=``, ``.append``/``.extend``/
``.insert``, ``+ [...]``, both branches of ``if`` (entries marked with the branch condition),
``try`` bodies, ``register_converter``, DRF routers. Whatever cannot be evaluated becomes an
``UnresolvedEntry`` exactly where it would sit in the list, so the rest of the graph is still
checked. Includes are expanded afterwards by walking the entries from the root URLconf
(``expand.py``).

``ast`` rather than libcst: a cold run parses every URLconf of the project, and libcst's parse
plus position metadata cost ~100x ``ast.parse`` (and 0.17 s to import); ``pysource`` turns ast's
byte columns into the character positions and source text that reports and fixes need.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from acp_lint.encoding import DecodeError, decode_python
from acp_lint.hosts.django.urls import drf
from acp_lint.hosts.django.urls.django_calls import (
    KNOWN_CALLABLES,
    SETTINGS_PREFIXES,
    DjangoCalls,
    _has_star,
)
from acp_lint.hosts.django.urls.expand import At, Expander
from acp_lint.hosts.django.urls.modules import ModuleLocator, resolve_relative
from acp_lint.hosts.django.urls.pysource import Source, block_indent, parse_python
from acp_lint.hosts.django.urls.settings_reader import (
    UNKNOWN,
    RootUrlconfResult,
    SettingValue,
    declared_languages,
)
from acp_lint.hosts.django.urls.values import (
    Choice,
    ClassValue,
    ConstValue,
    FunctionValue,
    Ref,
    Registration,
    RouterValue,
    SeqValue,
    StrValue,
    Unknown,
    UnresolvedEntry,
    Value,
    ViewText,
    choice,
    mark,
    options_of,
)
from acp_lint.python.astsource import string_token_end
from acp_lint.records import field, record
from acp_lint.routes.model import (
    Condition,
    LiteralRef,
    ParseError,
    ReservedPrefix,
    RouteTable,
    unique_conditions,
)
from acp_lint.sources import SourceTree
from acp_lint.span import Span

MAX_UNROLL = 64  # items of a known list a ``for`` loop or comprehension is unrolled over
MAX_CALL_DEPTH = 8  # nested calls of the project's own URL-building functions
STR_METHODS = frozenset(
    {"rstrip", "lstrip", "strip", "removeprefix", "removesuffix", "lower", "replace", "format"}
)


@record
class ModuleState:
    """A parsed, evaluated module."""

    dotted: str
    file: str
    is_package: bool
    text: str = ""
    source: Source | None = None
    module: ast.Module | None = None
    env: dict[str, Value] = field(default_factory=dict)
    star_externals: list[str] = field(default_factory=list)
    failure: str | None = None  # why it could not be read or parsed
    done: bool = False


class GraphBuilder:
    """Evaluates modules on demand and expands includes from the root URLconf."""

    def __init__(
        self,
        tree: SourceTree,
        locator: ModuleLocator,
        settings: Mapping[str, SettingValue] | None = None,
    ) -> None:
        self.tree = tree
        self.locator = locator
        self.settings = dict(settings or {})
        self.converters: dict[str, str] = {}
        self.modules: dict[str, ModuleState] = {}
        self.parse_errors: list[ParseError] = []
        self.files: set[str] = set()
        self._router_ids = itertools.count(1)
        self.call_depth = 0
        self.languages = declared_languages(self.settings)

    # ----- settings -------------------------------------------------------------------------
    def setting(self, name: str) -> object:
        value = self.settings.get(name)
        return UNKNOWN if value is None else value.value

    # ----- modules --------------------------------------------------------------------------
    def is_project_module(self, dotted: str) -> bool:
        return self.locator.find(dotted) is not None

    def module(self, dotted: str) -> ModuleState | None:
        """The evaluated module (None when it is not in the project); cycles see partial env."""
        state = self.modules.get(dotted)
        if state is not None:
            return state
        found = self.locator.find(dotted)
        if found is None:
            return None
        state = ModuleState(dotted, found.file, found.is_package)
        self.modules[dotted] = state
        self._load(state)
        if state.failure is None:
            ModuleEvaluator(self, state).run()
        state.done = True
        return state

    def _load(self, state: ModuleState) -> None:
        self.files.add(state.file)
        data = self.tree.read_bytes(state.file)
        if data is None:
            state.failure = f"cannot read {state.file}"
            why = self.tree.read_problem(state.file) or "cannot read file"
            self.parse_errors.append(ParseError(state.file, 1, 1, why))
            return
        try:
            text = decode_python(data).text  # the engine's decoding: BOM and coding cookie
        except DecodeError as error:
            state.failure = f"cannot decode {state.file}"
            self.parse_errors.append(ParseError(state.file, error.line, error.column, str(error)))
            return
        try:
            module = parse_python(text, state.file)
        except SyntaxError as error:  # CPython's message and (character) position, as ACP000
            state.failure = f"syntax error in {state.file}"
            self.parse_errors.append(
                ParseError(
                    state.file, error.lineno or 1, error.offset or 1, f"syntax error: {error.msg}"
                )
            )
            return
        except (RecursionError, MemoryError, ValueError) as error:
            state.failure = f"cannot parse {state.file}"
            self.parse_errors.append(ParseError(state.file, 1, 1, f"cannot parse: {error}"))
            return
        state.text = text
        state.module = module
        state.source = Source(state.file, text)

    def lookup(self, qualified: str) -> Value:
        """Follow a dotted reference into project modules (``app.api.router``)."""
        parts = qualified.split(".")
        for index in range(len(parts), 0, -1):
            dotted = ".".join(parts[:index])
            if not self.is_project_module(dotted):
                continue
            if index == len(parts):
                return Ref(qualified)
            state = self.module(dotted)
            assert state is not None
            if state.failure is not None:
                return Unknown(state.failure)
            value = state.env.get(parts[index])
            if value is None:
                if not state.done:
                    return Unknown(f"{qualified} is used while {dotted} is still being imported")
                return Unknown(f"{parts[index]} is not defined in {dotted}")
            for attr in parts[index + 1 :]:
                value = self.get_attr(value, attr)
            return value
        return Ref(qualified)

    def get_attr(self, value: Value, attr: str) -> Value:
        if isinstance(value, Choice):
            return choice([(self.get_attr(v, attr), c) for v, c in value.options])
        if isinstance(value, RouterValue) and attr == "urls":
            return drf.router_entries(value, self.class_of, self.converters)
        if isinstance(value, Ref):
            return Ref(f"{value.qualified}.{attr}")
        if isinstance(value, ClassValue):
            return Ref(f"{value.module}.{value.node.name}.{attr}")
        if isinstance(value, Unknown):
            return value
        return Unknown(f"attribute {attr!r} cannot be evaluated")

    def class_of(self, value: Value) -> ClassValue | None:
        if isinstance(value, Ref):
            value = self.lookup(value.qualified)
        return value if isinstance(value, ClassValue) else None

    def discover_converters(self, current: ModuleState) -> None:
        """Run project modules imported by any URLconf read so far that call
        ``register_converter`` (registration is an import side effect, global to the process)."""
        for state in [current, *self.modules.values()]:
            self._discover_in(state)

    def _discover_in(self, state: ModuleState) -> None:
        if state.module is None:
            return
        for statement in state.module.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for dotted in _imported_modules(statement, state):
                    found = self.locator.find(dotted)
                    if found is None or dotted in self.modules:
                        continue
                    data = self.tree.read_bytes(found.file) or b""
                    if b"register_converter" in data:
                        self.module(dotted)

    # ----- include expansion ----------------------------------------------------------------
    def build(self, root: str) -> RouteTable:
        table = RouteTable(root=root, languages=self.languages)
        found = self.locator.find(root)
        table.root_file = found.file if found else None
        state = self.module(root)
        if state is None:
            return table
        at = At(Span(state.file, 1, 1, 1, 1), stack=(root,))
        Expander(self.module, table).module_patterns(state, at)
        table.parse_errors = list(self.parse_errors)
        table.files = set(self.files)
        return table


def _imported_modules(node: ast.Import | ast.ImportFrom, state: ModuleState) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = resolve_relative(state.dotted, state.is_package, node.level, node.module or None)
    if base is None:
        return []
    return [base, *(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")]


class ModuleEvaluator:
    """Abstract execution of one module's top-level statements."""

    def __init__(self, builder: GraphBuilder, state: ModuleState) -> None:
        self.builder = builder
        self.state = state
        self.env = state.env
        self.conditions: tuple[Condition, ...] = ()
        self._footer_indent: int | None = None  # see ``Source.statement_code``
        self.calls = DjangoCalls(self)  # what Django's URL callables evaluate to

    # ----- helpers --------------------------------------------------------------------------
    @property
    def source(self) -> Source:
        assert self.state.source is not None
        return self.state.source

    def span(self, node: ast.AST, last: ast.AST | None = None) -> Span:
        return self.source.span(node, last)

    def literal_ref(self, node: ast.expr) -> LiteralRef | None:
        """The string token of ``node``, when it is one token (not an implicit concatenation)."""
        source = self.source
        start, end = source.range(node)
        if string_token_end(source.text, start) != end:
            return None
        line, column = source.position(start)
        end_line, end_column = source.position(end)
        span = Span(source.file, line, column, end_line, end_column)
        return LiteralRef(span, start, end, source.text[start:end])

    def code(self, node: ast.AST) -> str:
        return self.source.code(node)

    def unknown(self, reason: str, node: ast.AST) -> Unknown:
        return Unknown(reason, self.span(node))

    # ----- statements -----------------------------------------------------------------------
    def run(self) -> None:
        assert self.state.module is not None
        self.block(self.state.module.body)

    def block(self, statements: Sequence[ast.stmt]) -> None:
        """Run a body; simple statements sharing a line (``a; b``) form one line, also when
        they follow the colon of their compound statement (``if settings.DEBUG: x += y``)."""
        saved = self._footer_indent
        self._footer_indent = None
        index = 0
        while index < len(statements):
            statement = statements[index]
            if isinstance(statement, _COMPOUND):
                self.statement(statement)
                index += 1
            else:
                end = index + 1
                while (
                    end < len(statements)
                    and not isinstance(statements[end], _COMPOUND)
                    and statements[end].lineno == statements[end - 1].end_lineno
                ):
                    end += 1
                line = _Line(statements[index], statements[end - 1])
                for small in statements[index:end]:
                    self.small(small, line)
                index = end
            previous = statements[index - 1]
            compound = isinstance(previous, _COMPOUND)
            self._footer_indent = block_indent(previous) if compound else None
        self._footer_indent = saved

    def statement(self, statement: ast.stmt) -> None:
        if isinstance(statement, ast.If):
            self.if_statement(statement)
        elif isinstance(statement, ast.Try):
            self.block(statement.body)
            self.block(statement.orelse)
            for handler in statement.handlers:
                test = f"except {self.code(handler.type)}" if handler.type else "except"
                self.branch(handler.body, Condition(test, True))
            self.block(statement.finalbody)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            self.block(statement.body)
        elif isinstance(statement, ast.For) and self.unrolled(statement):
            return
        elif isinstance(statement, ast.ClassDef):
            self.env[statement.name] = ClassValue(statement, self.state.dotted)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.env[statement.name] = FunctionValue(statement, self.state.dotted)
        else:
            self.opaque(_Line(statement, statement))

    def opaque(self, line: _Line | ast.stmt) -> None:
        """A statement we do not execute: if it touches a pattern list, that list is unknown."""
        first, last = (line.first, line.last) if isinstance(line, _Line) else (line, line)
        code: str | None = None
        for name, value in list(self.env.items()):
            if not isinstance(value, (SeqValue, RouterValue)):
                continue
            if code is None and isinstance(line, _Line):
                own = block_indent(first) if isinstance(first, _COMPOUND) else None
                code = self.source.statement_code(first, last, self._footer_indent, own)
            elif code is None:  # one small statement: its own text, as libcst had it
                start, end = self.source.range(first)
                code = self.source.text[start:end]
            if not re.search(rf"(?<![\w.]){re.escape(name)}\b", code):
                continue
            reason = f"{name} is changed by code that cannot be analysed statically"
            span = self.span(first, last)
            entry = UnresolvedEntry(reason, span, self.conditions)
            if isinstance(value, SeqValue):
                self.env[name] = SeqValue((*value.items, entry), value.is_list)
            else:
                registration = Registration(
                    None, entry, None, span, self.state.dotted, self.conditions
                )
                self.env[name] = _with_registration(value, registration)

    def unrolled(self, node: ast.For) -> bool:
        """Run a ``for`` over a list of known values once per value (so a name assigned in the
        loop, and each route it builds, takes every value); False when it cannot be."""
        if node.orelse or contains_jump(node.body):
            return False
        iterable = self.deref(self.expr(node.iter))
        if not isinstance(iterable, SeqValue) or len(iterable.items) > MAX_UNROLL:
            return False
        if any(isinstance(item, (Unknown, Choice)) for item in iterable.items):
            return False
        for item in iterable.items:
            self.assign(node.target, item, node)
            self.block(node.body)
        return True

    def branch(self, body: Sequence[ast.stmt], condition: Condition) -> None:
        before = dict(self.env)
        saved = self.conditions
        self.conditions = (*saved, condition)
        self.block(body)
        self.conditions = saved
        after = dict(self.env)
        self.env.clear()
        self.env.update(_merge_envs(before, after, before, condition, None))

    def if_statement(self, node: ast.If) -> None:
        test = self.code(node.test)
        before = dict(self.env)
        saved = self.conditions
        true_condition = Condition(test, True)
        false_condition = Condition(test, False)
        self.conditions = (*saved, true_condition)
        self.block(node.body)
        env_true = dict(self.env)
        self.env.clear()
        self.env.update(before)
        self.conditions = (*saved, false_condition)
        self.block(node.orelse)  # ``elif`` is an ``if`` alone in the ``else`` block
        env_false = dict(self.env)
        self.conditions = saved
        self.env.clear()
        self.env.update(_merge_envs(before, env_true, env_false, true_condition, false_condition))

    def small(self, small: ast.stmt, line: _Line) -> None:
        if isinstance(small, ast.Import):
            for alias in small.names:
                if alias.asname is not None:
                    self.env[alias.asname] = Ref(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.env[top] = Ref(top)
        elif isinstance(small, ast.ImportFrom):
            self.import_from(small)
        elif isinstance(small, (ast.Assign, ast.AnnAssign)):
            if isinstance(small, ast.AnnAssign):
                if small.value is None:
                    return
                targets = [small.target]
            else:
                targets = small.targets
            value = self.expr(small.value)
            for target in targets:
                self.assign(target, value, small)
        elif isinstance(small, ast.AugAssign):
            self.aug_assign(small)
        elif isinstance(small, ast.Expr):
            self.expression_statement(small, line)
        elif isinstance(small, (ast.Pass, ast.Global, ast.Nonlocal, ast.Assert, ast.Break)):
            return
        elif isinstance(small, ast.Continue):
            return
        else:
            self.opaque(line)

    def import_from(self, node: ast.ImportFrom) -> None:
        base = resolve_relative(
            self.state.dotted, self.state.is_package, node.level, node.module or None
        )
        if base is None:
            return
        if node.names and node.names[0].name == "*":
            state = self.builder.module(base) if self.builder.is_project_module(base) else None
            if state is not None and state is not self.state:
                for key, value in state.env.items():
                    if not key.startswith("_"):
                        self.env[key] = value
            elif state is None:
                self.state.star_externals.append(base)
            return
        for alias in node.names:
            self.env[alias.asname or alias.name] = Ref(f"{base}.{alias.name}")

    def assign(self, target: ast.expr, value: Value, node: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = _named_unknowns(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names = [e.value if isinstance(e, ast.Starred) else e for e in target.elts]
            items = value.items if isinstance(value, SeqValue) else None
            for index, element in enumerate(names):
                if items is not None and len(items) == len(names):
                    self.assign(element, items[index], node)
                elif isinstance(element, ast.Name):
                    self.env[element.id] = self.unknown("unpacking cannot be evaluated", node)
        else:
            self.opaque(node)

    def aug_assign(self, node: ast.AugAssign) -> None:
        if not isinstance(node.target, ast.Name) or node.target.id not in self.env:
            self.opaque(node)
            return
        name = node.target.id
        current = self.env[name]
        value = self.expr(node.value)
        if isinstance(node.op, ast.Add) and isinstance(current, SeqValue):
            self.env[name] = SeqValue(
                current.items + self.as_items(value, node.value), current.is_list
            )
        else:
            self.env[name] = self.unknown(
                f"{name} is changed in a way that cannot be evaluated", node
            )

    def deref(self, value: Value) -> Value:
        """Follow a reference into a project module when its value (not its name) is needed."""
        if isinstance(value, Ref) and not self.builder.is_project_module(value.qualified):
            return self.builder.lookup(value.qualified)
        return value

    def as_items(self, value: Value, node: ast.AST) -> tuple[Value, ...]:
        """The items a list extension adds; an unknown value becomes one unresolved entry."""
        value = self.deref(value)
        if isinstance(value, SeqValue):
            return value.items
        if isinstance(value, Choice):
            items: list[Value] = []
            for option, conditions in value.options:
                sub = self.as_items(option, node)
                for condition in reversed(conditions):
                    sub = tuple(mark(item, condition) for item in sub)
                items.extend(sub)
            return tuple(items)
        reason = value.reason if isinstance(value, Unknown) else "value is not a list"
        span = value.span if isinstance(value, Unknown) and value.span else self.span(node)
        return (UnresolvedEntry(reason, span, self.conditions),)

    def expression_statement(self, small: ast.Expr, line: _Line) -> None:
        call = small.value
        if not isinstance(call, ast.Call):
            if not (
                isinstance(call, ast.Constant)
                and (isinstance(call.value, (str, bytes)) or call.value is Ellipsis)
            ):
                self.opaque(line)
            return
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            method = func.attr
            current = self.env.get(owner)
            if isinstance(current, SeqValue) and method in ("append", "extend", "insert"):
                self.list_method(owner, current, method, call, line)
                return
            if isinstance(current, RouterValue) and method == "register":
                self.register(owner, current, call)
                return
        func_value = self.expr(func)
        if isinstance(func_value, Ref) and self.known(func_value) == "register_converter":
            self.register_converter(call)
            return
        self.opaque(line)

    def list_method(
        self, owner: str, current: SeqValue, method: str, call: ast.Call, line: _Line
    ) -> None:
        args = _arg_values(call)
        if method == "append" and len(args) == 1:
            value = self.expr(args[0])
            items = (value,) if not isinstance(value, Unknown) else self.as_items(value, args[0])
            self.env[owner] = SeqValue(current.items + items, current.is_list)
        elif method == "extend" and len(args) == 1:
            self.env[owner] = SeqValue(
                current.items + self.as_items(self.expr(args[0]), args[0]), current.is_list
            )
        elif method == "insert" and len(args) == 2:
            index = self.expr(args[0])
            value = self.expr(args[1])
            if isinstance(index, ConstValue) and isinstance(index.value, int):
                items = list(current.items)
                items.insert(index.value, value)
                self.env[owner] = SeqValue(tuple(items), current.is_list)
            else:
                self.opaque(line)
        else:
            self.opaque(line)

    def register(self, owner: str, router: RouterValue, call: ast.Call) -> None:
        positional = [_unstarred(arg) for arg in call.args]
        positional += [kw.value for kw in call.keywords if kw.arg is None]
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
        prefix_node = positional[0] if positional else keywords.get("prefix")
        viewset_node = positional[1] if len(positional) > 1 else keywords.get("viewset")
        basename_node = (
            positional[2]
            if len(positional) > 2
            else keywords.get("basename", keywords.get("base_name"))
        )
        prefix = self.expr(prefix_node) if prefix_node is not None else None
        basename = self.expr(basename_node) if basename_node is not None else None
        viewset: Value = self.expr(viewset_node) if viewset_node is not None else Unknown("")
        span = self.span(call)
        if not isinstance(prefix, StrValue):
            viewset = UnresolvedEntry("router prefix is not a string literal", span)
        registration = Registration(
            prefix.text if isinstance(prefix, StrValue) else None,
            viewset,
            basename.text if isinstance(basename, StrValue) else None,
            span,
            self.state.dotted,
            self.conditions,
        )
        self.env[owner] = _with_registration(router, registration)

    def register_converter(self, call: ast.Call) -> None:
        args = _arg_values(call)
        if len(args) != 2:
            return
        cls = self.builder.class_of(self.expr(args[0]))
        name = self.expr(args[1])
        if cls is None or not isinstance(name, StrValue):
            return
        regex = _class_regex(cls)
        if regex is not None:
            self.builder.converters[name.text] = regex

    # ----- expressions ----------------------------------------------------------------------
    def known(self, ref: Ref) -> str | None:
        return KNOWN_CALLABLES.get(ref.qualified)

    def name(self, node: ast.Name) -> Value:
        value = node.id
        if value in self.env:
            return self.env[value]
        for star in self.state.star_externals:
            if f"{star}.{value}" in KNOWN_CALLABLES:
                return Ref(f"{star}.{value}")
        return self.unknown(f"name {value!r} is not defined at module level", node)

    def string(self, node: ast.Constant) -> Value:
        """A str/bytes literal; only a single token (not ``"a" "b"``) can be rewritten."""
        literal = self.literal_ref(node)
        if literal is None:  # an implicit concatenation
            if isinstance(node.value, str):
                return StrValue(node.value)
            return self.unknown("f-string", node)
        if isinstance(node.value, bytes):
            return self.unknown("bytes are not a route", node)
        return StrValue(node.value, literal)

    def formatted(self, node: ast.JoinedStr) -> Value:
        """An f-string: its text when every part is known, one value per value of a name bound
        in several places, and unknown parts kept as holes (``shape``) otherwise."""
        pieces: list[Value] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                pieces.append(StrValue(str(part.value)))
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
                if part.conversion not in (-1, ord("s")):
                    pieces.append(self.unknown("a formatted value with !r/!a", part))
                else:
                    pieces.append(self.expr(part.value))
            else:
                pieces.append(self.unknown("a formatted value with a format spec", part))
        return concat_strings(pieces, self.span(node))

    def expr(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, (str, bytes)):
                return self.string(node)
            if value is None or isinstance(value, (bool, int)):
                return ConstValue(value)
        elif isinstance(node, ast.JoinedStr):
            return self.formatted(node)
        elif isinstance(node, ast.Name):
            return self.name(node)
        elif isinstance(node, ast.Attribute):
            base = self.expr(node.value)
            value = self.builder.get_attr(base, node.attr)
            if isinstance(value, Unknown) and value.span is None:
                return Unknown(value.reason, self.span(node))
            if isinstance(value, Ref) and value.qualified == f"{SETTINGS_PREFIXES[0]}{node.attr}":
                return self.calls.setting_ref(node.attr, value, node)
            return value
        elif isinstance(node, (ast.List, ast.Tuple)):
            items: list[Value] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    items.extend(self.as_items(self.expr(element.value), element))
                else:
                    items.append(self.expr(element))
            return SeqValue(tuple(items), isinstance(node, ast.List))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.deref(self.expr(node.left))
            right = self.deref(self.expr(node.right))
            if isinstance(left, SeqValue):
                return SeqValue(left.items + self.as_items(right, node.right), left.is_list)
            if _stringish(left) and _stringish(right):
                return concat_strings([left, right], self.span(node))
            if isinstance(left, Unknown):
                return left
            return self.unknown("an expression cannot be evaluated statically", node)
        elif isinstance(node, ast.Call):
            return self.call(node)
        elif isinstance(node, ast.ListComp):
            return self.comprehension(node)
        return self.unknown(f"cannot evaluate {self.code(node)[:60]!r}", node)

    def call(self, node: ast.Call) -> Value:
        if isinstance(node.func, ast.Attribute) and node.func.attr in STR_METHODS:
            receiver = self.expr(node.func.value)
            if isinstance(receiver, (StrValue, Choice)):
                return self.str_method(receiver, node.func.attr, node)
        func = self.expr(node.func)
        if isinstance(func, Choice):
            func = _same_callable(func)
        if isinstance(func, FunctionValue):
            return self.call_function(func, node)
        kind = self.known(func) if isinstance(func, Ref) else None
        if kind in ("path", "re_path"):
            return self.calls.pattern(node, kind)
        if kind == "include":
            return self.calls.include(node)
        if kind == "i18n_patterns":
            return self.calls.i18n_patterns(node)
        if kind in ("static", "staticfiles_urlpatterns"):
            return self.calls.static(node, kind)
        if kind in ("SimpleRouter", "DefaultRouter"):
            return self.calls.router(node, kind)
        if kind == "format_suffix_patterns":
            return self.calls.format_suffix(node)
        if kind == "gettext" and len(node.args) + len(node.keywords) == 1:
            return self.expr(_arg_values(node)[0])
        if isinstance(func, Ref) and func.qualified.endswith(".as_view"):
            return ViewText(f"{func.qualified}()")
        if isinstance(func, Unknown) and func.span is not None:
            return self.unknown(f"call of {self.code(node.func)[:60]!r} cannot be evaluated", node)
        return self.unknown(
            f"routes built by calling {self.code(node.func)[:60]!r} cannot be analysed", node
        )

    def str_method(self, receiver: Value, method: str, node: ast.Call) -> Value:
        """``"a/".rstrip("/")`` and the like, on each value the receiver may have."""
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            return self.unknown(f"str.{method}() with keywords or *args", node)
        args = [self.expr(arg) for arg in node.args]
        if not all(isinstance(arg, StrValue) for arg in args):
            return self.unknown(f"str.{method}() of values that cannot be evaluated", node)
        texts = [arg.text for arg in args if isinstance(arg, StrValue)]
        options: list[tuple[Value, tuple[Condition, ...]]] = []
        for value, conditions in options_of(receiver):
            if not isinstance(value, StrValue):
                options.append((value, conditions))
                continue
            try:
                result = getattr(value.text, method)(*texts)
            except (TypeError, ValueError):
                return self.unknown(f"str.{method}() cannot be evaluated", node)
            options.append((StrValue(result), conditions))
        return choice(options)

    def call_function(self, function: FunctionValue, node: ast.Call) -> Value:
        """A call of a function of the project's own modules whose result depends only on
        literals and its arguments (``*make_urls("schedule")``): evaluated like its module."""
        reason = f"routes built by calling {self.code(node.func)[:60]!r} cannot be analysed"
        definition = function.node
        if (
            isinstance(definition, ast.AsyncFunctionDef)
            or definition.decorator_list
            or self.builder.call_depth >= MAX_CALL_DEPTH
        ):
            return self.unknown(reason, node)
        state = self.builder.modules.get(function.module)
        if state is None or state.source is None:
            return self.unknown(reason, node)
        params = self.bind_arguments(definition.args, node)
        if params is None:
            return self.unknown(reason + " (arguments not understood)", node)
        self.builder.call_depth += 1
        try:
            evaluator = FunctionEvaluator(self.builder, state, params)
            result = evaluator.evaluate(definition.body)
        finally:
            self.builder.call_depth -= 1
        if isinstance(result, Unknown):
            return Unknown(f"{reason}: {result.reason}", self.span(node))
        return result

    def bind_arguments(self, spec: ast.arguments, node: ast.Call) -> dict[str, Value] | None:
        """Parameter name -> value for a plain call (no ``*``/``**``), defaults included."""
        if spec.vararg or spec.kwarg or spec.kwonlyargs or spec.posonlyargs or _has_star(node):
            return None
        names = [arg.arg for arg in spec.args]
        if len(node.args) > len(names):
            return None
        bound: dict[str, Value] = {}
        for name, arg in zip(names, node.args, strict=False):
            bound[name] = self.expr(arg)
        for keyword in node.keywords:
            if keyword.arg not in names or keyword.arg in bound:
                return None
            bound[keyword.arg] = self.expr(keyword.value)
        defaults = dict(zip(names[len(names) - len(spec.defaults) :], spec.defaults, strict=True))
        for name in names:
            if name not in bound:
                if name not in defaults:
                    return None
                bound[name] = self.expr(defaults[name])
        return bound

    def comprehension(self, node: ast.ListComp) -> Value:
        """``[elt for target in <known list>]``: one value per item (no ``if`` clauses)."""
        if len(node.generators) != 1:
            return self.unknown("a comprehension cannot be evaluated statically", node)
        generator = node.generators[0]
        if generator.ifs or generator.is_async:
            return self.unknown("a comprehension cannot be evaluated statically", node)
        iterable = self.deref(self.expr(generator.iter))
        if not isinstance(iterable, SeqValue) or len(iterable.items) > MAX_UNROLL:
            reason = iterable.reason if isinstance(iterable, Unknown) else "not a known list"
            return self.unknown(f"a comprehension over {reason}", node)
        saved = dict(self.env)
        items: list[Value] = []
        try:
            for item in iterable.items:
                self.assign(generator.target, item, node)  # type: ignore[arg-type]
                items.append(self.expr(node.elt))
        finally:
            self.env.clear()
            self.env.update(saved)
        return SeqValue(tuple(items))

    def args(self, node: ast.Call, names: Sequence[str]) -> dict[str, ast.expr]:
        result: dict[str, ast.expr] = {}
        positional = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        for name, arg in zip(names, positional, strict=False):
            result[name] = arg
        for kw in node.keywords:
            if kw.arg is not None:
                result[kw.arg] = kw.value
        return result


class FunctionEvaluator(ModuleEvaluator):
    """Runs the body of a function of a URLconf's module over its arguments: the module's
    names, the parameters bound to the call's values, and the first ``return``."""

    def __init__(self, builder: GraphBuilder, state: ModuleState, params: dict[str, Value]):
        super().__init__(builder, state)
        self.env = {**state.env, **params}
        self.result: Value | None = None

    def evaluate(self, body: Sequence[ast.stmt]) -> Value:
        for statement in body:
            if isinstance(statement, ast.Return):
                if statement.value is None:
                    return Unknown("the function returns None")
                return self.expr(statement.value)
            if isinstance(statement, _COMPOUND) or not isinstance(
                statement, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Pass)
            ):
                return Unknown("its body is more than assignments and a return")
            if isinstance(statement, ast.Expr) and not (
                isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)
            ):
                return Unknown("its body is more than assignments and a return")
            self.small(statement, _Line(statement, statement))
        return Unknown("the function has no return")


def _named_unknowns(name: str, value: Value) -> Value:
    """Say which name an unknown value is bound to: the ACP204 for every route built from it
    then reads ``'prefix' cannot be evaluated statically (...)`` at the expression concerned."""
    if isinstance(value, Choice):
        if not any(isinstance(option, Unknown) for option, _ in value.options):
            return value
        return Choice(tuple((_named_unknowns(name, v), c) for v, c in value.options))
    if not isinstance(value, Unknown) or value.reason.startswith(f"{name!r} "):
        return value
    reason = f"{name!r} cannot be evaluated statically ({value.reason})"
    return Unknown(reason, value.span, value.shape)


def _stringish(value: Value) -> bool:
    return all(isinstance(v, (StrValue, Unknown)) for v, _ in options_of(value))


def concat_strings(pieces: Sequence[Value], span: Span) -> Value:
    """Concatenate string values (each may be a Choice): one string per combination of
    values; an unknown piece leaves a hole in the result's ``shape``."""
    combinations: list[tuple[list[Value], tuple[Condition, ...]]] = [([], ())]
    for piece in pieces:
        options = options_of(piece)
        if len(combinations) * len(options) > 32:
            return Unknown("a string takes too many different values", span)
        combinations = [
            ([*values, value], (*conditions, *more))
            for values, conditions in combinations
            for value, more in options
        ]
    results: list[tuple[Value, tuple[Condition, ...]]] = []
    for values, conditions in combinations:
        results.append((_concat_one(values, span), unique_conditions(conditions)))
    return choice(results)


def _concat_one(values: list[Value], span: Span) -> Value:
    shape: list[str | None] = []
    first_unknown: Unknown | None = None
    for value in values:
        if isinstance(value, StrValue):
            shape.append(value.text)
        elif isinstance(value, ConstValue) and isinstance(value.value, int):
            shape.append(str(value.value))
        elif isinstance(value, Unknown):
            first_unknown = first_unknown or value
            shape.extend(value.shape if value.shape is not None else (None,))
        else:
            first_unknown = first_unknown or Unknown("a value that is not a string", span)
            shape.append(None)
    if first_unknown is None:
        return StrValue("".join(text for text in shape if text is not None))
    merged: list[str | None] = []
    for item in shape:  # adjacent literals joined, adjacent holes merged
        if merged and item is not None and merged[-1] is not None:
            merged[-1] = merged[-1] + item
        elif not (merged and item is None and merged[-1] is None) and item != "":
            merged.append(item)
    return Unknown(first_unknown.reason, first_unknown.span or span, tuple(merged))


def _same_callable(value: Choice) -> Value:
    """A callee bound to several imports of the same known callable (``try: from
    django.urls import path`` / ``except: from django.conf.urls import url as path``)."""
    kinds = {
        KNOWN_CALLABLES.get(v.qualified) if isinstance(v, Ref) else None for v, _ in value.options
    }
    if len(kinds) == 1 and None not in kinds:
        return value.options[0][0]
    return Unknown("a name bound to different callables")


def contains_jump(body: Sequence[ast.stmt]) -> bool:
    """A ``break``/``continue``/``return`` in a loop body (outside nested functions)."""
    for statement in body:
        for sub in ast.walk(statement):
            if isinstance(sub, (ast.Break, ast.Continue, ast.Return, ast.While, ast.For)):
                return True
    return False


def _class_regex(cls: ClassValue) -> str | None:
    """The ``regex`` class attribute of a path converter, when it is a string literal."""
    for statement in cls.node.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = statement.value
            if any(isinstance(t, ast.Name) and t.id == "regex" for t in targets):
                if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
                    return value.value if isinstance(value.value, str) else None
    return None


def _unstarred(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node


def _arg_values(call: ast.Call) -> list[ast.expr]:
    """Every argument's expression in source order, as libcst's ``Arg.value`` list had them."""
    values = [_unstarred(arg) for arg in call.args]
    if call.keywords:
        values += [kw.value for kw in call.keywords]
        values.sort(key=lambda node: (node.lineno, node.col_offset))
    return values


class _Line:
    """Simple statements on one logical line (libcst's ``SimpleStatementLine``)."""

    __slots__ = ("first", "last")

    def __init__(self, first: ast.stmt, last: ast.stmt) -> None:
        self.first = first
        self.last = last


_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.Try,
    ast.TryStar,
    ast.With,
    ast.AsyncWith,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
)


def _with_registration(router: RouterValue, registration: Registration) -> RouterValue:
    return RouterValue(
        router.ident,
        router.kind,
        router.trailing_slash,
        router.use_regex,
        router.span,
        router.module,
        (*router.registrations, registration),
    )


def _merge_values(
    before: Value | None,
    first: Value | None,
    second: Value | None,
    first_condition: Condition,
    second_condition: Condition | None,
) -> Value | None:
    if first is second:
        return first
    if isinstance(first, SeqValue) and isinstance(second, SeqValue):
        common = 0
        limit = min(len(first.items), len(second.items))
        while common < limit and first.items[common] is second.items[common]:
            common += 1
        rest_first = tuple(mark(item, first_condition) for item in first.items[common:])
        rest_second = second.items[common:]
        if second_condition is not None:
            rest_second = tuple(mark(item, second_condition) for item in rest_second)
        return SeqValue(first.items[:common] + rest_first + rest_second, first.is_list)
    if (
        isinstance(first, RouterValue)
        and isinstance(second, RouterValue)
        and first.ident == second.ident
    ):
        common = 0
        limit = min(len(first.registrations), len(second.registrations))
        while common < limit and first.registrations[common] is second.registrations[common]:
            common += 1
        registrations = (
            first.registrations[:common]
            + tuple(
                mark(item, first_condition)  # type: ignore[misc]
                for item in first.registrations[common:]
            )
        )
        for item in second.registrations[common:]:
            registrations += (
                mark(item, second_condition) if second_condition else item,  # type: ignore[assignment]
            )
        return RouterValue(
            first.ident,
            first.kind,
            first.trailing_slash,
            first.use_regex,
            first.span,
            first.module,
            registrations,  # type: ignore[arg-type]
        )
    if second is None:
        return mark(first, first_condition) if first is not None else None
    if first is None:
        return mark(second, second_condition) if second_condition else second
    # bound to different values: the name takes every one, each under its branch
    return choice(
        [(first, (first_condition,)), (second, (second_condition,) if second_condition else ())]
    )


def _merge_envs(
    before: dict[str, Value],
    first: dict[str, Value],
    second: dict[str, Value],
    first_condition: Condition,
    second_condition: Condition | None,
) -> dict[str, Value]:
    merged: dict[str, Value] = {}
    for name in {**first, **second}:
        value = _merge_values(
            before.get(name), first.get(name), second.get(name), first_condition, second_condition
        )
        if value is not None:
            merged[name] = value
    return merged


def table_from_root(tree: SourceTree, found: RootUrlconfResult) -> RouteTable:
    """The route table from the root URLconf ``find_root_urlconf`` found (``build_route_table``
    handles a project without one)."""
    assert found.module is not None and found.locator is not None
    builder = GraphBuilder(tree, found.locator, found.settings)
    table = builder.build(found.module)
    table.parse_errors = found.parse_errors + table.parse_errors
    table.reserved = reserved_prefixes(found.settings)
    return table


def reserved_prefixes(settings: Mapping[str, SettingValue]) -> list[ReservedPrefix]:
    """``STATIC_URL`` and ``MEDIA_URL`` when they are local paths (not another host)."""
    reserved: list[ReservedPrefix] = []
    for name in ("STATIC_URL", "MEDIA_URL"):
        setting = settings.get(name)
        if setting is None or not isinstance(setting.value, str):
            continue
        url = setting.value
        parts = urlsplit(url)
        prefix = parts.path.lstrip("/")
        if parts.scheme or parts.netloc or not prefix:
            continue
        if not prefix.endswith("/"):
            prefix += "/"
        reserved.append(ReservedPrefix(name, prefix, setting.span))
    return reserved
