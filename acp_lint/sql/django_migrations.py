"""Statically check a Django migration module: no database, no import of the project.

The module is parsed with libcst; ``class Migration`` → ``operations = [...]`` is read, each
operation's class is resolved through the module's imports (``migrations.RunSQL``,
``from django.db.migrations import RunSQL as R``, ``migrations.operations.RunSQL``...) and
judged by this table (fail closed, DESIGN §2.4):

==========================================================  ===================================
operation                                                   verdict
==========================================================  ===================================
CreateModel                                                 allowed; records the model (lower
                                                            case) and a literal ``db_table``
AlterModelOptions, AlterModelManagers                       allowed (no SQL)
AddField, AddIndex, AddConstraint, AlterField, RemoveField,  allowed on a model created earlier
RenameField, AlterUniqueTogether, AlterIndexTogether,        in the same file, else ACP301
AlterOrderWithRespectTo, AlterModelTable,                    (RenameModel / DeleteModel /
AlterModelTableComment, RemoveIndex, RenameIndex,            AlterModelTable update the record)
RemoveConstraint, AlterConstraint, DeleteModel, RenameModel,
AddIndexConcurrently, RemoveIndexConcurrently,
AddConstraintNotValid, ValidateConstraint
RunSQL                                                      forward SQL checked with the SQL
                                                            rules; ``reverse_sql`` not judged;
                                                            non-literal SQL → ACP303
SeparateDatabaseAndState                                    ``database_operations`` judged with
                                                            this table; ``state_operations``
                                                            ignored
RunPython                                                   ACP303 (``RunPython.noop`` forward
                                                            is allowed: it does nothing)
RemoveCollation                                             ACP301
CreateExtension and its subclasses, CreateCollation,        ACP303
any class that does not resolve to a Django operation
==========================================================  ===================================

SQL positions inside a plain literal (no escapes, or a raw string) map exactly into the .py
file; anything else (escapes, ``+`` concatenation pieces, module constants) is reported at the
start of that piece. Findings carry the operation's first/last line as ``statement_lines``, so a
``# noqa`` on either line of the operation call is the engine's to honour; ``-- noqa`` inside
the SQL is applied here, per SQL statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from acp_lint.sql.classify import SqlState
from acp_lint.sql.findings import (
    CODE_DESTRUCTIVE,
    CODE_UNVERIFIABLE,
    SqlFinding,
    check_dialect,
)
from acp_lint.sql.names import fold

_MIGRATIONS = "django.db.migrations"
_OPS_MODULES = {
    "models": (
        "CreateModel DeleteModel RenameModel AlterModelTable AlterModelTableComment "
        "AlterUniqueTogether AlterIndexTogether AlterOrderWithRespectTo AlterModelOptions "
        "AlterModelManagers AddIndex RemoveIndex RenameIndex AddConstraint RemoveConstraint "
        "AlterConstraint"
    ).split(),
    "fields": "AddField RemoveField AlterField RenameField".split(),
    "special": "SeparateDatabaseAndState RunSQL RunPython".split(),
}
_POSTGRES_OPS = (
    "CreateExtension BloomExtension BtreeGinExtension BtreeGistExtension CITextExtension "
    "CryptoExtension HStoreExtension TrigramExtension UnaccentExtension AddIndexConcurrently "
    "RemoveIndexConcurrently CreateCollation RemoveCollation AddConstraintNotValid "
    "ValidateConstraint"
).split()
_POSTGRES_MODULE = "django.contrib.postgres.operations"

#: short name -> the module that defines it (``__module__`` of the real class)
DJANGO_OPERATIONS: dict[str, str] = {
    name: f"{_MIGRATIONS}.operations.{sub}" for sub, names in _OPS_MODULES.items() for name in names
}
DJANGO_OPERATIONS.update({name: _POSTGRES_MODULE for name in _POSTGRES_OPS})

ALWAYS_ALLOWED = {"CreateModel", "AlterModelOptions", "AlterModelManagers"}
#: operation -> (argument position, keyword) of the model it works on
OWN_MODEL_ONLY: dict[str, tuple[int, str]] = {
    **{
        n: (0, "model_name")
        for n in (
            "AddField AddIndex AddConstraint AlterField RemoveField RenameField RemoveIndex "
            "RenameIndex RemoveConstraint AlterConstraint AddIndexConcurrently "
            "RemoveIndexConcurrently AddConstraintNotValid ValidateConstraint"
        ).split()
    },
    **{
        n: (0, "name")
        for n in (
            "AlterUniqueTogether AlterIndexTogether AlterOrderWithRespectTo AlterModelTable "
            "AlterModelTableComment DeleteModel"
        ).split()
    },
    "RenameModel": (0, "old_name"),
}
DESTRUCTIVE = {"RemoveCollation"}


@dataclass(frozen=True)
class OperationInfo:
    """One top-level entry of ``Migration.operations`` as the linter resolved it.

    ``qualified_class`` is ``module.ClassName`` of the Django class (what
    ``type(op).__module__ + "." + type(op).__qualname__`` gives at runtime), or None when
    the callee does not resolve to a known Django operation.
    """

    name: str
    qualified_class: str | None
    line: int


# -- import / alias resolution ----------------------------------------------------------------


def _dotted(node: Any) -> str | None:
    import libcst as cst

    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


class _Aliases:
    """Module-level import aliases: local name -> dotted qualified name."""

    def __init__(self, module: Any) -> None:
        import libcst as cst

        self.names: dict[str, str] = {}
        self.star_modules: list[str] = []
        for stmt in module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        full = _dotted(alias.name)
                        if full is None:
                            continue
                        if alias.asname is not None:
                            local = _dotted(alias.asname.name)
                            if local:
                                self.names[local] = full
                        else:
                            head = full.split(".")[0]
                            self.names[head] = head
                elif isinstance(small, cst.ImportFrom) and not small.relative:
                    base = _dotted(small.module) if small.module is not None else None
                    if base is None:
                        continue
                    if isinstance(small.names, cst.ImportStar):
                        self.star_modules.append(base)
                        continue
                    for alias in small.names:
                        name = _dotted(alias.name)
                        if name is None:
                            continue
                        local = _dotted(alias.asname.name) if alias.asname else name
                        if local:
                            self.names[local] = f"{base}.{name}"

    def qualify(self, node: Any) -> str | None:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.names:
            full = self.names[head]
            return f"{full}.{rest}" if rest else full
        if not rest:
            for base in self.star_modules:
                if _canonical(f"{base}.{head}"):
                    return f"{base}.{head}"
        return None


def _canonical(qualified: str | None) -> str | None:
    """Map any public path of a Django operation to its short class name."""
    if qualified is None:
        return None
    for prefix in (f"{_MIGRATIONS}.operations.", f"{_MIGRATIONS}.", f"{_POSTGRES_MODULE}."):
        if qualified.startswith(prefix):
            rest = qualified[len(prefix) :].split(".")
            name = rest[-1]
            if name not in DJANGO_OPERATIONS:
                return None
            if prefix == f"{_POSTGRES_MODULE}.":
                return name if len(rest) == 1 else None
            if len(rest) == 1:
                return name
            if prefix == f"{_MIGRATIONS}." and rest[0] == "operations":
                rest = rest[1:]
            if len(rest) == 1 or (len(rest) == 2 and DJANGO_OPERATIONS[name].endswith(rest[0])):
                return name
            return None
    return None


# -- string resolution --------------------------------------------------------------------------


@dataclass
class _Segment:
    """A piece of resolved SQL text and where it came from in the .py file."""

    value: str
    line: int  # 1-based position of the first character of value (exact) or of the anchor
    column: int
    exact: bool


@dataclass
class _Text:
    segments: list[_Segment] = field(default_factory=list)

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


_PREFIX = re.compile(r"^([rRuU]*)('''|\"\"\"|'|\")")


class _Resolver:
    """Resolves literal strings, concatenations and module-level string constants."""

    def __init__(self, module: Any, positions: Any) -> None:
        import libcst as cst

        self._positions = positions
        self._constants: dict[str, Any] = {}
        seen: set[str] = set()
        for stmt in module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                targets: list[Any] = []
                value = None
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                    value = small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets = [small.target]
                    value = small.value
                for target in targets:
                    if isinstance(target, cst.Name):
                        if target.value in seen:
                            self._constants.pop(target.value, None)  # reassigned: ambiguous
                        else:
                            self._constants[target.value] = value
                        seen.add(target.value)

    def start(self, node: Any) -> tuple[int, int]:
        pos = self._positions[node].start
        return pos.line, pos.column + 1

    def end(self, node: Any) -> tuple[int, int]:
        pos = self._positions[node].end
        return pos.line, pos.column + 1

    def text(self, node: Any, depth: int = 0, anchor: Any = None) -> _Text | None:
        """Resolve a string expression, or None when it is not static."""
        import libcst as cst

        if depth > 20:
            return None
        if isinstance(node, cst.SimpleString):
            match = _PREFIX.match(node.value)
            if match is None:
                return None  # bytes, f-strings and the like
            prefix, quote = match.group(1), match.group(2)
            value = node.evaluated_value
            if not isinstance(value, str):
                return None
            body = node.value[len(prefix) + len(quote) : len(node.value) - len(quote)]
            line, column = self.start(anchor if anchor is not None else node)
            exact = anchor is None and body == value and "\r" not in body
            if exact:
                column += len(prefix) + len(quote)
            return _Text([_Segment(value, line, column, exact)])
        if isinstance(node, cst.ConcatenatedString):
            left = self.text(node.left, depth + 1, anchor)
            right = self.text(node.right, depth + 1, anchor)
            if left is None or right is None:
                return None
            return _Text(left.segments + right.segments)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self.text(node.left, depth + 1, anchor)
            right = self.text(node.right, depth + 1, anchor)
            if left is None or right is None:
                return None
            return _Text(left.segments + right.segments)
        if isinstance(node, cst.Name) and node.value in self._constants:
            return self.text(
                self._constants[node.value], depth + 1, anchor if anchor is not None else node
            )
        return None

    def constant(self, node: Any) -> Any:
        """Follow a module-level NAME to its value node (once), for lists of statements."""
        import libcst as cst

        if isinstance(node, cst.Name) and node.value in self._constants:
            return self._constants[node.value]
        return node


# -- the walker -----------------------------------------------------------------------------------


def _arg(call: Any, position: int, keyword: str) -> Any:
    """The argument bound to ``keyword`` (by keyword or position), or None."""
    positional = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
            continue
        if positional == position:
            return arg.value
        positional += 1
    return None


def _string_value(node: Any) -> str | None:
    import libcst as cst

    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


_PARAM = re.compile(r"%\(\w+\)s|%s|%%")


def _neutralise_params(sql: str) -> str:
    """Django interpolates ``%s`` / ``%(name)s`` when params are given: keep offsets intact."""
    return _PARAM.sub(lambda m: "% " if m.group() == "%%" else "0".ljust(len(m.group())), sql)


class _MigrationChecker:
    def __init__(self, module: Any, positions: Any, dialect: str) -> None:
        self.aliases = _Aliases(module)
        self.resolver = _Resolver(module, positions)
        self.dialect = dialect
        self.sql_state = SqlState()
        self.models: set[str] = set()
        self.model_tables: dict[str, tuple[None, None, str]] = {}
        self.findings: list[SqlFinding] = []
        self._op_lines: tuple[int, int] = (1, 1)

    # positions
    def _report(self, code: str, message: str, node: Any) -> None:
        line, column = self.resolver.start(node)
        end_line, end_column = self.resolver.end(node)
        self.findings.append(
            SqlFinding(code, message, line, column, end_line, end_column, self._op_lines)
        )

    def operation_name(self, call: Any) -> tuple[str | None, str]:
        """(short Django class name or None, the callee as written)."""
        written = _dotted(call.func) or "<call>"
        return _canonical(self.aliases.qualify(call.func)), written

    def check_operations(self, node: Any, context: str = "") -> None:
        import libcst as cst

        node = self.resolver.constant(node)
        if not isinstance(node, (cst.List, cst.Tuple)):
            self._report(
                CODE_UNVERIFIABLE,
                f"{context or 'operations'} is not a literal list, so its steps cannot be "
                "proven CREATE-only",
                node,
            )
            return
        for element in node.elements:
            if isinstance(element, cst.StarredElement) or not isinstance(element.value, cst.Call):
                self._report(
                    CODE_UNVERIFIABLE,
                    "operation is not a direct call of a Django operation class, so it cannot "
                    "be proven CREATE-only",
                    element.value,
                )
                continue
            self.check_operation(element.value)

    def check_operation(self, call: Any) -> None:
        saved = self._op_lines
        start, end = self.resolver.start(call)[0], self.resolver.end(call)[0]
        self._op_lines = (start, end)
        try:
            self._check_operation(call)
        finally:
            self._op_lines = saved

    def _check_operation(self, call: Any) -> None:
        name, written = self.operation_name(call)
        if name is None:
            self._report(
                CODE_UNVERIFIABLE,
                f"{written}: not a known Django operation, so its effect cannot be proven "
                "CREATE-only",
                call,
            )
            return
        if name == "CreateModel":
            self._create_model(call)
        elif name in ALWAYS_ALLOWED:
            return
        elif name in OWN_MODEL_ONLY:
            self._own_model(call, name)
        elif name == "RunSQL":
            self._run_sql(call)
        elif name == "SeparateDatabaseAndState":
            ops = _arg(call, 0, "database_operations")
            if ops is not None:
                self.check_operations(ops, "SeparateDatabaseAndState.database_operations")
        elif name == "RunPython":
            code = _arg(call, 0, "code")
            if code is not None and _canonical(self.aliases.qualify(code)) is None:
                qualified = self.aliases.qualify(code) or ""
                if qualified.endswith("RunPython.noop") and _canonical(
                    qualified.removesuffix(".noop")
                ):
                    return
            self._report(
                CODE_UNVERIFIABLE,
                "RunPython: runs Python code whose effect cannot be proven CREATE-only",
                call,
            )
        elif name in DESTRUCTIVE:
            self._report(
                CODE_DESTRUCTIVE, f"{name}: drops an object this migration did not create", call
            )
        else:
            self._report(
                CODE_UNVERIFIABLE,
                f"{name}: runs SQL the linter cannot inspect, so it cannot be proven CREATE-only",
                call,
            )

    def _model_name(self, call: Any, position: int, keyword: str) -> str | None:
        value = _string_value(_arg(call, position, keyword))
        return value.lower() if value is not None else None

    def _create_model(self, call: Any) -> None:
        import libcst as cst

        model = self._model_name(call, 0, "name")
        if model is None:
            self._report(
                CODE_UNVERIFIABLE, "CreateModel: the model name is not a string literal", call
            )
            return
        self.models.add(model)
        options = _arg(call, 2, "options")
        if isinstance(options, cst.Dict):
            for element in options.elements:
                if isinstance(element, cst.DictElement) and _string_value(element.key) == (
                    "db_table"
                ):
                    table = _string_value(element.value)
                    if table:
                        self._record_table(model, table)

    def _record_table(self, model: str, table: str) -> None:
        key = (None, None, fold(table, True, self.dialect))
        old = self.model_tables.get(model)
        if old is not None:
            self.sql_state.tables.discard(old)
        self.model_tables[model] = key
        self.sql_state.tables.add(key)

    def _own_model(self, call: Any, name: str) -> None:
        position, keyword = OWN_MODEL_ONLY[name]
        model = self._model_name(call, position, keyword)
        if model is None:
            self._report(CODE_UNVERIFIABLE, f"{name}: the model name is not a string literal", call)
            return
        if model not in self.models:
            self._report(
                CODE_DESTRUCTIVE,
                f"{name} on model {model!r}: alters a model (table) this migration did not create",
                call,
            )
            return
        if name == "DeleteModel":
            self.models.discard(model)
            table = self.model_tables.pop(model, None)
            if table is not None:
                self.sql_state.tables.discard(table)
        elif name == "RenameModel":
            new = self._model_name(call, 1, "new_name")
            self.models.discard(model)
            if new is not None:
                self.models.add(new)
                if model in self.model_tables:
                    self.model_tables[new] = self.model_tables.pop(model)
        elif name == "AlterModelTable":
            table = _string_value(_arg(call, 1, "table"))
            if table:
                self._record_table(model, table)

    def _run_sql(self, call: Any) -> None:
        import libcst as cst

        sql = _arg(call, 0, "sql")
        if sql is None:
            self._report(CODE_UNVERIFIABLE, "RunSQL: no forward SQL found", call)
            return
        qualified = self.aliases.qualify(sql) or ""
        if qualified.endswith("RunSQL.noop") and _canonical(qualified.removesuffix(".noop")):
            return
        text = self.resolver.text(sql)
        if text is not None:
            self._check_text(text, params=False)
            return
        container = self.resolver.constant(sql)
        if isinstance(container, (cst.List, cst.Tuple)):
            for element in container.elements:
                value = self.resolver.constant(element.value)
                params = False
                if isinstance(value, (cst.List, cst.Tuple)):
                    if len(value.elements) != 2:
                        self._report(
                            CODE_UNVERIFIABLE,
                            "RunSQL: a statement entry must be a string or an (sql, params) pair",
                            value,
                        )
                        continue
                    value = value.elements[0].value
                    params = True
                item = self.resolver.text(value)
                if item is None:
                    self._report(CODE_UNVERIFIABLE, _DYNAMIC, value)
                    continue
                self._check_text(item, params=params)
            return
        self._report(CODE_UNVERIFIABLE, _DYNAMIC, sql)

    def _check_text(self, text: _Text, params: bool) -> None:
        from acp_lint.sql.check import check_sql_raw, statement_lines
        from acp_lint.sql.positions import LineIndex
        from acp_lint.sql.suppress import Suppressions

        sql = text.value
        if params:
            sql = _neutralise_params(sql)
        raws, comments = check_sql_raw(sql, self.dialect, self.sql_state)
        if not raws:
            return
        index = LineIndex(sql)
        suppressions = Suppressions.from_comments(
            (index.line_of(c.start), c.text) for c in comments
        )
        for raw in raws:
            first, last = statement_lines(raw, index)
            if suppressions.suppresses(raw.code, first, last):
                continue
            line, column = text.position(raw.start)
            end_line, end_column = text.position(raw.end)
            if (end_line, end_column) < (line, column):
                end_line, end_column = line, column
            self.findings.append(
                SqlFinding(
                    raw.code, raw.message, line, column, end_line, end_column, self._op_lines
                )
            )


_DYNAMIC = (
    "RunSQL: the SQL is not a literal string (or a list of them), so it cannot be proven "
    "CREATE-only"
)


def _migration_operations(module: Any) -> Any:
    """The value of ``operations = ...`` in the module-level ``class Migration``, or None."""
    import libcst as cst

    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Migration":
            found = None
            for item in stmt.body.body:
                if not isinstance(item, cst.SimpleStatementLine):
                    continue
                for small in item.body:
                    if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == "operations"
                        for t in small.targets
                    ):
                        found = small.value
                    elif (
                        isinstance(small, cst.AnnAssign)
                        and isinstance(small.target, cst.Name)
                        and small.target.value == "operations"
                        and small.value is not None
                    ):
                        found = small.value
            return found
    return None


def _parse(source: str) -> tuple[Any, Any]:
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    module = cst.parse_module(source)  # raises libcst.ParserSyntaxError: the engine's ACP000
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return wrapper.module, wrapper.resolve(PositionProvider)


def check_migration_module(source: str, dialect: str = "postgres") -> list[SqlFinding]:
    """Findings for one migration module; see the module docstring for the table."""
    check_dialect(dialect)
    module, positions = _parse(source)
    operations = _migration_operations(module)
    if operations is None:
        return []
    checker = _MigrationChecker(module, positions, dialect)
    checker.check_operations(operations)
    return sorted(checker.findings, key=lambda f: (f.line, f.column, f.code, f.message))


def list_operations(source: str) -> list[OperationInfo]:
    """The top-level operations of ``Migration.operations`` with their resolved classes."""
    import libcst as cst

    module, positions = _parse(source)
    operations = _migration_operations(module)
    if operations is None:
        return []
    aliases = _Aliases(module)
    resolver = _Resolver(module, positions)
    operations = resolver.constant(operations)
    out: list[OperationInfo] = []
    if not isinstance(operations, (cst.List, cst.Tuple)):
        return out
    for element in operations.elements:
        value = element.value
        line = resolver.start(value)[0]
        if not isinstance(value, cst.Call):
            out.append(OperationInfo(_dotted(value) or "<expr>", None, line))
            continue
        name = _canonical(aliases.qualify(value.func))
        written = _dotted(value.func) or "<call>"
        qualified = f"{DJANGO_OPERATIONS[name]}.{name}" if name else None
        out.append(OperationInfo(name or written, qualified, line))
    return out
