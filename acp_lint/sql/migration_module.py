"""Read a Django migration module with ``ast``: names, constants, strings, and its shape.

Migrations have no fixes, so they are read with ``ast`` (positions come free; libcst and its
position metadata cost ten times more) and nothing here imports libcst. This module answers
three questions for the operation walker in :mod:`acp_lint.hosts.django.django_migrations`:

* what a name means: the import it comes from (module level and class body), or a constant
  bound exactly once (a name bound twice, augmented or declared ``global`` is no constant);
* what text a string expression holds, with 1-based character positions in the ``.py`` file
  (exact inside a plain literal, the start of the piece otherwise);
* whether the module has the allowed shape (DESIGN §2.4): imports, literal constants, helper
  functions used only by RunPython, exactly one ``class Migration(<django Migration>)``.
  Anything else is one ACP303 naming the construct.
"""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Iterator

from acp_lint.records import field, record
from acp_lint.span import Span
from acp_lint.sql.pyspan import Source, parse_python, string_token_end

MIGRATIONS = "django.db.migrations"
MIGRATION_BASES = {f"{MIGRATIONS}.Migration", f"{MIGRATIONS}.migration.Migration"}
#: star imports whose names are known (everything else may rebind any name)
KNOWN_STAR_MODULES = {MIGRATIONS, f"{MIGRATIONS}.operations", "django.db.models"}
#: attributes of ``class Migration`` that Django reads
MIGRATION_ATTRIBUTES = {
    "operations",
    "dependencies",
    "run_before",
    "replaces",
    "initial",
    "atomic",
}

# Calls that may run when the module is imported (or that Django makes later, for a default):
# only constructors of declarative Django objects and a few harmless value constructors.
_CLASS_PREFIXES = (
    "django.db.models.",
    "django.contrib.postgres.",
    "django.contrib.gis.db.models.",
    "django.core.validators.",
    "django.contrib.auth.validators.",
    f"{MIGRATIONS}.operations.",
)
_SAFE_CALLS = {
    f"{MIGRATIONS}.swappable_dependency",
    "django.utils.translation.gettext_lazy",
    "django.utils.translation.gettext",
    "django.utils.translation.pgettext_lazy",
    "django.utils.translation.gettext_noop",
    "django.utils.timezone.now",
    "django.contrib.auth.models.UserManager",
    "django.contrib.auth.models.GroupManager",
    "django.contrib.auth.models.PermissionManager",
    "datetime.datetime",
    "datetime.date",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "decimal.Decimal",
    "uuid.UUID",
    "uuid.uuid4",
}
_SAFE_BUILTINS = {"dict", "list", "tuple", "set", "frozenset", "str", "int", "float", "bool"}


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if type(node) is ast.Attribute and type(node.value) is ast.Name:  # ``models.X``: most calls
        return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def scope_nodes(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of ``stmts`` that runs in their own scope: not the bodies of functions,
    lambdas, classes or comprehensions (decorators, defaults and bases do run here)."""
    stack: list[ast.AST] = list(reversed(stmts))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            children: list[ast.AST] = [*node.decorator_list, *node.args.defaults]
            children += [d for d in node.args.kw_defaults if d is not None]
        elif isinstance(node, ast.ClassDef):
            children = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
        elif isinstance(node, ast.Lambda):
            children = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            children = [node.generators[0].iter]
        else:
            children = list(ast.iter_child_nodes(node))
        stack.extend(reversed(children))


def iter_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``root`` (parents first); cheaper than ``ast.walk``."""
    stack = [root]
    pop, push, extend, node_type = stack.pop, stack.append, stack.extend, ast.AST
    leaves = (ast.Constant, ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
    call, name, attribute, keyword = ast.Call, ast.Name, ast.Attribute, ast.keyword
    while stack:
        node = pop()
        yield node
        kind = type(node)
        if kind is call:
            push(node.func)  # type: ignore[attr-defined]
            extend(node.args)  # type: ignore[attr-defined]
            extend(k.value for k in node.keywords)  # type: ignore[attr-defined]
        elif kind is keyword:
            push(node.value)  # type: ignore[attr-defined]
        elif kind is attribute:
            push(node.value)  # type: ignore[attr-defined]
        elif kind is name or isinstance(node, leaves):
            continue
        else:
            for field_name in node._fields:
                value = getattr(node, field_name, None)
                if isinstance(value, list):
                    extend(item for item in value if isinstance(item, node_type))
                elif isinstance(value, node_type):
                    push(value)


_BLOCKS = ("body", "orelse", "finalbody", "handlers")
#: the statements with a block of ``_BLOCKS`` that ``Scope.scan`` enters (functions and
#: classes are their own scopes); no other statement type has one of those fields
_COMPOUND = frozenset(
    kind
    for kind in vars(ast).values()
    if isinstance(kind, type)
    and issubclass(kind, (ast.stmt, ast.excepthandler))
    and set(kind._fields) & set(_BLOCKS)
)


@record
class Scope:
    """What one scope binds: counts per name, import bindings, candidate constants."""

    counts: Counter[str] = field(default_factory=Counter)
    imported: Counter[str] = field(default_factory=Counter)
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    assigns: list[tuple[str, ast.expr]] = field(default_factory=list)

    def scan(self, stmts: list[ast.stmt], walrus: bool) -> Scope:
        """Statement level only (bindings live there); ``walrus`` also walks expressions."""
        stack = list(stmts)
        counts = self.counts
        while stack:
            stmt = stack.pop()
            kind = type(stmt)
            if kind is ast.Assign:  # the common statement, by its exact type (``ast.parse``)
                targets = stmt.targets  # type: ignore[attr-defined]
                if len(targets) == 1 and type(targets[0]) is ast.Name:
                    self.assigns.append((targets[0].id, stmt.value))  # type: ignore[attr-defined]
                    counts[targets[0].id] += 1
                    continue
            elif kind is ast.Expr or kind is ast.Pass:
                continue  # binds nothing, holds no statements
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.imports.append(stmt)
                for alias in stmt.names:
                    if alias.name != "*":
                        name = (alias.asname or alias.name).split(".")[0]
                        self.counts[name] += 1
                        self.imported[name] += 1
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.counts[stmt.name] += 1
                continue
            targets: list[ast.expr] = []
            if isinstance(stmt, ast.Assign):
                targets = stmt.targets
                if len(targets) == 1 and isinstance(targets[0], ast.Name):
                    self.assigns.append((targets[0].id, stmt.value))
            elif isinstance(stmt, ast.AnnAssign):
                targets = [stmt.target]
                if stmt.value is not None and isinstance(stmt.target, ast.Name):
                    self.assigns.append((stmt.target.id, stmt.value))
            elif isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)):
                targets = [stmt.target]
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
            elif isinstance(stmt, ast.Delete):
                targets = stmt.targets
            elif isinstance(stmt, ast.ExceptHandler) and stmt.name:
                self.counts[stmt.name] += 1
            elif isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    for node in iter_nodes(case.pattern):
                        name = getattr(node, "name", None)
                        if isinstance(name, str):
                            self.counts[name] += 1
                    stack.extend(case.body)
            for target in targets:
                for node in iter_nodes(target):
                    if isinstance(node, ast.Name):
                        self.counts[node.id] += 1
            if kind in _COMPOUND:
                for block in _BLOCKS:
                    children = getattr(stmt, block, None)
                    if isinstance(children, list):
                        stack.extend(children)
        if walrus:
            for node in scope_nodes(stmts):
                if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                    self.counts[node.target.id] += 1
        return self

    def constants(self) -> dict[str, ast.expr]:
        return {name: value for name, value in self.assigns if self.counts[name] == 1}


@record
class Segment:
    """A piece of resolved text and where it came from in the .py file."""

    value: str
    line: int  # 1-based position of its first character (exact) or of the anchor
    column: int
    exact: bool


@record
class Text:
    """A string resolved statically, with positions of its pieces."""

    segments: list[Segment] = field(default_factory=list)

    @property
    def value(self) -> str:
        return "".join(s.value for s in self.segments)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based .py (line, column) of character ``offset`` of the value."""
        pos = 0
        for seg in self.segments:
            if offset < pos + len(seg.value) or seg is self.segments[-1]:
                if not seg.exact:
                    return seg.line, seg.column
                inner = seg.value[: max(0, offset - pos)]
                newlines = inner.count("\n")
                if newlines == 0:
                    return seg.line, seg.column + len(inner)
                return seg.line + newlines, len(inner) - inner.rfind("\n")
            pos += len(seg.value)
        return (self.segments[0].line, self.segments[0].column) if self.segments else (1, 1)


_SKIP = " \t\f\r\n\\"


class MigrationModule:
    """A parsed migration module: positions, names and constants."""

    def __init__(self, source: str, file: str = "<migration>") -> None:
        self.source = Source(file, source)
        self.tree = parse_python(source, file)  # SyntaxError/ValueError: the caller's ACP000
        walrus = ":=" in source
        module_scope = Scope().scan(self.tree.body, walrus)
        self.module_bindings = module_scope.counts
        if "global" in source:  # ``global X`` in a function rebinds X
            for node in iter_nodes(self.tree):
                if isinstance(node, ast.Global):
                    for name in node.names:
                        self.module_bindings[name] += 2
        self.migration: ast.ClassDef | None = None
        for stmt in self.tree.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Migration":
                self.migration = stmt
                break
        class_scope = Scope()
        if self.migration is not None:
            class_scope.scan(self.migration.body, walrus)
        self.class_bindings = class_scope.counts
        self.imports: dict[str, str | None] = {}
        self.star_modules: list[str] = []
        self._collect_imports(module_scope.imports)
        self._collect_imports(class_scope.imports)
        for scope in (module_scope, class_scope):
            for name, count in scope.counts.items():
                if name in self.imports and count > scope.imported[name]:
                    self.imports[name] = None  # also bound otherwise: which one is unknown
        self.module_constants = module_scope.constants()
        self.class_constants = class_scope.constants()
        self._allowed: dict[tuple[str, bool], bool] = {}
        self.functions = {
            stmt.name
            for stmt in self.tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    # -- names ------------------------------------------------------------------------------
    def _collect_imports(self, nodes: list[ast.Import | ast.ImportFrom]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._bind(alias.asname, alias.name)
                    else:
                        head = alias.name.split(".")[0]
                        self._bind(head, head)
            elif isinstance(node, ast.ImportFrom):
                if node.level or node.module is None:
                    for alias in node.names:
                        self._bind(alias.asname or alias.name, None)
                    continue
                for alias in node.names:
                    if alias.name == "*":
                        self.star_modules.append(node.module)
                    else:
                        self._bind(alias.asname or alias.name, f"{node.module}.{alias.name}")

    def _bind(self, local: str, target: str | None) -> None:
        if local in self.imports and self.imports[local] != target:
            self.imports[local] = None
        else:
            self.imports[local] = target

    def qualify(self, node: ast.AST, in_class: bool = True) -> str | None:
        """The dotted name an expression refers to through the imports, or None."""
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if in_class and head in self.class_bindings and head not in self.imports:
            return None
        if head in self.imports:
            full = self.imports[head]
            if full is None:
                return None
            return f"{full}.{rest}" if rest else full
        if head in self.module_bindings or head in self.class_bindings:
            return None
        for base in self.star_modules:
            if base in KNOWN_STAR_MODULES:
                return f"{base}.{name}"
        return None

    def is_builtin(self, name: str) -> bool:
        return (
            name not in self.imports
            and name not in self.module_bindings
            and name not in self.class_bindings
            and not self.star_modules
            and hasattr(builtins, name)
        )

    def constant(self, node: ast.AST, in_class: bool = True) -> ast.AST:
        """Follow a name bound once (class body first, then module) to its value."""
        for _ in range(20):
            if not isinstance(node, ast.Name):
                return node
            if in_class and node.id in self.class_constants:
                node = self.class_constants[node.id]
            elif node.id in self.module_constants and not (
                in_class and node.id in self.class_bindings
            ):
                node = self.module_constants[node.id]
            else:
                return node
        return node

    # -- positions --------------------------------------------------------------------------
    def start(self, node: ast.AST) -> tuple[int, int]:
        return self.source.node_span(node)[:2]

    def end(self, node: ast.AST) -> tuple[int, int]:
        return self.source.node_span(node)[2:]

    def span(self, node: ast.AST) -> Span:
        """Where ``node`` is in the text (``start`` to ``end``, its range computed once)."""
        return Span.in_text(*self.source.node_span(node))

    def lines(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]

    def code(self, node: ast.AST, limit: int = 50) -> str:
        text = self.source.code(node)
        return text if len(text) <= limit else text[: limit - 3] + "..."

    # -- strings ----------------------------------------------------------------------------
    def text(self, node: ast.AST, depth: int = 0, anchor: ast.AST | None = None) -> Text | None:
        """Resolve a string expression (literal, ``+``, constant names), or None."""
        if depth > 20:
            return None
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, str):
                return None
            if anchor is not None:
                line, column = self.start(anchor)
                return Text([Segment(node.value, line, column, False)])
            return self._literal(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.text(node.left, depth + 1, anchor)
            right = self.text(node.right, depth + 1, anchor)
            if left is None or right is None:
                return None
            return Text(left.segments + right.segments)
        if isinstance(node, ast.Name):
            value = self.constant(node)
            if value is node:
                return None
            return self.text(value, depth + 1, anchor if anchor is not None else node)
        return None

    def text_value(self, node: ast.AST, depth: int = 0) -> str | None:
        """What ``text(node).value`` is, without the positions (a model or option name needs
        only the value; splitting a literal into its tokens is what ``text`` pays for)."""
        if depth > 20:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.text_value(node.left, depth + 1)
            right = self.text_value(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.Name):
            value = self.constant(node)
            return None if value is node else self.text_value(value, depth + 1)
        return None

    def _literal(self, node: ast.Constant) -> Text:
        """Split an (implicitly concatenated) literal into its tokens, with exact positions."""
        text = self.source.text
        start, end = self.source.range(node)
        segments: list[Segment] = []
        pos = start
        while pos < end:
            token_end = string_token_end(text, pos)
            if token_end is None or token_end > end:
                break
            token = text[pos:token_end]
            quote_at = len(token) - len(token.lstrip("rRuUbBfF"))
            quote = 3 if token[quote_at : quote_at + 3] in ('"""', "'''") else 1
            body = token[quote_at + quote : len(token) - quote]
            value: object = body
            if "\\" in body or "b" in token[:quote_at].lower():
                try:
                    value = ast.literal_eval(token)
                except (ValueError, SyntaxError):
                    break
            if not isinstance(value, str):
                break
            line, column = self.source.position(pos)
            exact = body == value and "\r" not in body
            segments.append(
                Segment(value, line, column + quote_at + quote if exact else column, exact)
            )
            pos = token_end
            while pos < end:
                if text[pos] in _SKIP:
                    pos += 1
                elif text[pos] == "#":
                    newline = text.find("\n", pos)
                    pos = end if newline < 0 else newline
                else:
                    break
        if "".join(s.value for s in segments) != node.value:
            line, column = self.start(node)
            return Text([Segment(node.value, line, column, False)])
        return Text(segments)

    # -- calls ------------------------------------------------------------------------------
    def call_allowed(self, call: ast.Call, in_class: bool) -> bool:
        """Is this call a constructor of a declarative Django object (or a harmless value)?"""
        name = dotted(call.func)
        if name is None:
            return False
        key = (name, in_class)
        known = self._allowed.get(key)
        if known is None:
            known = self._allowed[key] = self._name_allowed(name, call.func, in_class)
        return known

    def _name_allowed(self, name: str, func: ast.expr, in_class: bool) -> bool:
        if name in _SAFE_BUILTINS and self.is_builtin(name):
            return True
        qualified = self.qualify(func, in_class)
        if qualified is None:
            return False
        if qualified in _SAFE_CALLS:
            return True
        last = qualified.rsplit(".", 1)[-1]
        if qualified.startswith(_CLASS_PREFIXES) and last[:1].isupper():
            return True
        return (
            qualified.startswith(f"{MIGRATIONS}.")
            and qualified.count(".") == 3
            and (last[:1].isupper())
        )
