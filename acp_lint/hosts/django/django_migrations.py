"""Statically check a Django migration module: no database, no import of the project.

The module is parsed with ``ast`` (:mod:`acp_lint.sql.migration_module`; libcst is never
imported), its shape is allow-listed (:mod:`acp_lint.hosts.django.migration_shape`), and every
operation Django would run is read: the class-body ``operations`` literal, ``+=`` / ``.append`` /
``.extend`` / ``.insert`` after it, names and concatenations that resolve statically, and every
branch of an ``if`` / ``try`` in the class body (each sequence of operations is judged on its own;
what cannot be read is one ACP303 at the statement). Each operation's class is resolved through the
module's imports (``migrations.RunSQL``, ``from django.db.migrations import RunSQL as R``,
``migrations.operations.RunSQL``...) and judged by this table (fail closed, DESIGN §2.4):

==========================================================  ===================================
operation                                                   verdict
==========================================================  ===================================
CreateModel                                                 allowed; records the model (lower
                                                            case) and its table: ``db_table``
                                                            or ``<app_label>_<model>``;
                                                            ``managed: False`` / ``proxy``
                                                            create nothing (the model stays a
                                                            host model)
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
CreateExtension and its subclasses, CreateCollation,        the SQL the real class runs on
RemoveCollation                                             PostgreSQL (``CREATE EXTENSION IF
                                                            NOT EXISTS``, ``CREATE COLLATION``,
                                                            ``DROP COLLATION``) judged by the
                                                            SQL rules; nothing on other
                                                            dialects (the class checks the
                                                            vendor)
any class that does not resolve to a Django operation       ACP303
==========================================================  ===================================

SQL positions inside a plain literal (no escapes, or a raw string) map exactly into the .py
file; anything else (escapes, ``+`` concatenation pieces, module constants) is reported at the
start of that piece. Findings carry the operation's first/last line as ``statement_lines``, so a
``# noqa`` on either line of the operation call is the engine's to honour; ``-- noqa`` inside
the SQL is applied here, per SQL statement.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from acp_lint.hosts.django.migration_shape import (
    check_calls,
    check_module_shape,
    module_roots,
    report,
)
from acp_lint.records import record
from acp_lint.span import Span
from acp_lint.sql.classify import SqlState
from acp_lint.sql.findings import (
    CODE_DESTRUCTIVE,
    CODE_UNVERIFIABLE,
    SqlFinding,
    check_dialect,
)
from acp_lint.sql.migration_module import (
    MIGRATION_ATTRIBUTES,
    MigrationModule,
    Text,
    dotted,
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
#: the extension each ``CreateExtension`` subclass installs (its ``name`` class attribute)
EXTENSIONS = {
    "BloomExtension": "bloom",
    "BtreeGinExtension": "btree_gin",
    "BtreeGistExtension": "btree_gist",
    "CITextExtension": "citext",
    "CryptoExtension": "pgcrypto",
    "HStoreExtension": "hstore",
    "TrigramExtension": "pg_trgm",
    "UnaccentExtension": "unaccent",
}
#: operations that run SQL only on PostgreSQL (``connection.vendor`` is checked)
VENDOR_SQL = {"CreateExtension", *EXTENSIONS, "CreateCollation", "RemoveCollation"}


@record(frozen=True)
class OperationInfo:
    """One operation of ``Migration.operations`` as the linter resolved it.

    ``qualified_class`` is ``module.ClassName`` of the Django class (what
    ``type(op).__module__ + "." + type(op).__qualname__`` gives at runtime), or None when
    the callee does not resolve to a known Django operation.
    """

    name: str
    qualified_class: str | None
    line: int


_CANONICAL: dict[str, str | None] = {}


def canonical(qualified: str | None) -> str | None:
    """Map any public path of a Django operation to its short class name."""
    if qualified is None:
        return None
    known = _CANONICAL.get(qualified, _CANONICAL)
    if known is _CANONICAL:  # a few dozen distinct paths in any project: remember each
        known = _CANONICAL[qualified] = _canonical(qualified)
    return known  # type: ignore[return-value]


def _canonical(qualified: str) -> str | None:
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


# -- reading ``operations``: every sequence Django may run ------------------------------------

#: one sequence of operation expressions; None while ``operations`` is not assigned yet
Path = tuple[ast.expr, ...] | None
MAX_PATHS = 256
_LIST_METHODS = {"append", "extend", "insert"}


class OperationsReader:
    """Walks the class body of ``Migration`` and collects every operations sequence.

    Each ``if`` / ``try`` forks the sequences (every branch is one more sequence, each judged
    on its own); a statement that cannot be read is one ACP303 there, and so is any statement
    that is not an assignment of a Django attribute, a constant, an import or an operations
    edit. ``roots`` are the expressions the class body evaluates (for the call allow-list).
    """

    def __init__(self, module: MigrationModule) -> None:
        self.module = module
        self.findings: dict[tuple, SqlFinding] = {}
        self.roots: list[tuple[ast.AST, bool]] = []
        self._rooted: set[int] = set()
        self._class_assigned: set[str] = set()
        self._unread: set[int] = set()

    def read(self, cls: ast.ClassDef) -> list[tuple[ast.expr, ...]]:
        paths = self.run(cls.body, [None])
        self.roots = [(node, flag) for node, flag in self.roots if id(node) not in self._unread]
        unique: dict[tuple[int, ...], tuple[ast.expr, ...]] = {}
        for path in paths:
            ops = path or ()
            unique.setdefault(tuple(id(op) for op in ops), ops)
        return list(unique.values())

    def _flag(self, node: ast.AST, message: str) -> None:
        found = report(self.module, node, message)
        self.findings.setdefault((found.line, found.column, found.message), found)

    def _root(self, node: ast.AST | None) -> None:
        if node is not None and id(node) not in self._rooted:
            self._rooted.add(id(node))
            self.roots.append((node, True))

    def run(self, stmts: list[ast.stmt], paths: list[Path]) -> list[Path]:
        for stmt in stmts:
            paths = self.statement(stmt, paths)
            if len(paths) > MAX_PATHS:
                self._flag(
                    stmt,
                    f"operations has more than {MAX_PATHS} possible sequences (branches); "
                    "they cannot all be proven CREATE-only",
                )
                paths = paths[:MAX_PATHS]
        return paths

    def statement(self, stmt: ast.stmt, paths: list[Path]) -> list[Path]:
        if isinstance(stmt, ast.Pass) or (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            return paths
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            bound = {(a.asname or a.name).split(".")[0] for a in stmt.names}
            if bound & (MIGRATION_ATTRIBUTES | {"Migration"}):
                self._flag(
                    stmt,
                    f"an import in class Migration binds {', '.join(sorted(bound))}, which "
                    "Django reads; it cannot be proven CREATE-only",
                )
                return [()] * len(paths)
            return paths
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            return self._assign(stmt, paths)
        if isinstance(stmt, ast.AugAssign):
            return self._augment(stmt, paths)
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            edited = self._list_call(stmt, stmt.value, paths)
            if edited is not None:
                return edited
        if isinstance(stmt, ast.If):
            self._root(stmt.test)
            return self.run(stmt.body, paths) + self.run(stmt.orelse, paths)
        if isinstance(stmt, (ast.Try, ast.TryStar)):
            return self._try(stmt, paths)
        self._flag(
            stmt,
            f"{_describe(stmt)} in class Migration runs when Django imports the migration or "
            "changes what it runs; it cannot be proven CREATE-only",
        )
        return paths

    def _try(self, stmt: ast.Try | ast.TryStar, paths: list[Path]) -> list[Path]:
        results = self.run(stmt.orelse, self.run(stmt.body, paths))
        for handler in stmt.handlers:
            self._root(handler.type)
            if handler.name in MIGRATION_ATTRIBUTES:
                self._flag(
                    handler,
                    f"except ... as {handler.name} rebinds an attribute Django reads; it "
                    "cannot be proven CREATE-only",
                )
            for stop in range(len(stmt.body)):  # the exception may come before any statement
                results += self.run(handler.body, self.run(stmt.body[:stop], paths))
        return self.run(stmt.finalbody, results)

    def _assign(self, stmt: ast.Assign | ast.AnnAssign, paths: list[Path]) -> list[Path]:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        if isinstance(stmt, ast.AnnAssign):
            self._root(stmt.annotation)
        self._root(value)
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if len(names) != len(targets):
            self._flag(
                stmt,
                f"assignment to {self.module.code(targets[0], 40)} in class Migration changes "
                "an object Django reads; it cannot be proven CREATE-only",
            )
            return paths
        if "operations" in names:
            if len(targets) != 1:
                self._flag(
                    stmt,
                    "operations is bound together with another name, which may change it; "
                    "it cannot be proven CREATE-only",
                )
                return [()] * len(paths)
            if value is None:
                return paths
            return [self._resolved(stmt, value, path) for path in paths]
        for name in names:
            if name in MIGRATION_ATTRIBUTES:
                continue
            if name in self._class_assigned or self.module.class_bindings[name] > 1:
                self._flag(
                    stmt,
                    f"{name} is bound more than once in class Migration: a value it holds "
                    "cannot be trusted; it cannot be proven CREATE-only",
                )
            self._class_assigned.add(name)
        return paths

    def _resolved(self, stmt: ast.stmt, value: ast.expr, path: Path) -> Path:
        ops = self.resolve(value, path)
        if ops is None:
            self._unread.add(id(value))  # its one finding is this one
            self._flag(
                stmt,
                "operations is not built from literal lists of operations, so its steps "
                "cannot be read and proven CREATE-only",
            )
            return ()
        return ops

    def _augment(self, stmt: ast.AugAssign, paths: list[Path]) -> list[Path]:
        self._root(stmt.value)
        if not (isinstance(stmt.target, ast.Name) and stmt.target.id == "operations"):
            self._flag(
                stmt,
                f"augmented assignment to {self.module.code(stmt.target, 30)} in class Migration "
                "changes a value after it was read; it cannot be proven CREATE-only",
            )
            return paths
        if not isinstance(stmt.op, ast.Add):
            self._flag(stmt, "operations is changed by an operator other than +=; unreadable")
            return [()] * len(paths)
        out: list[Path] = []
        for path in paths:
            if path is None:
                self._flag(stmt, "operations is extended before it is assigned; unreadable")
                out.append(())
                continue
            added = self.resolve(stmt.value, path)
            out.append(self._resolved(stmt, stmt.value, None) if added is None else path + added)
        return out

    def _list_call(self, stmt: ast.Expr, call: ast.Call, paths: list[Path]) -> list[Path] | None:
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "operations"
        ):
            return None
        for arg in call.args:
            self._root(arg)
        for keyword in call.keywords:
            self._root(keyword.value)
        method = func.attr
        unreadable = (
            method not in _LIST_METHODS
            or call.keywords
            or any(isinstance(a, ast.Starred) for a in call.args)
            or len(call.args) != (2 if method == "insert" else 1)
        )
        index = 0
        if not unreadable and method == "insert":
            try:
                index = ast.literal_eval(call.args[0])
            except ValueError:
                unreadable = True
            unreadable = unreadable or not isinstance(index, int) or isinstance(index, bool)
        if unreadable:
            self._flag(
                stmt,
                f"operations.{method}(...) cannot be read statically, so the steps it adds or "
                "removes cannot be proven CREATE-only",
            )
            return [()] * len(paths)
        out: list[Path] = []
        for path in paths:
            if path is None:
                self._flag(stmt, f"operations.{method}(...) before operations is assigned")
                out.append(())
                continue
            if method == "extend":
                added = self.resolve(call.args[0], path)
                if added is None:
                    self._flag(
                        stmt,
                        "operations.extend(...) is not given a literal list of operations, so "
                        "its steps cannot be proven CREATE-only",
                    )
                    out.append(())
                else:
                    out.append(path + added)
                continue
            element = call.args[-1]
            ops = list(path)
            if method == "append":
                ops.append(element)
            else:
                ops.insert(index, element)
            out.append(tuple(ops))
        return out

    def resolve(self, node: ast.expr, current: Path, depth: int = 0) -> tuple[ast.expr, ...] | None:
        """The operation expressions of a list expression, or None when it is not static."""
        if depth > 20:
            return None
        if isinstance(node, ast.Name) and node.id == "operations":
            return current
        if isinstance(node, (ast.List, ast.Tuple)):
            out: list[ast.expr] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.resolve(element.value, current, depth + 1)
                    if inner is None:  # judge the rest; this part is one ACP303
                        self._flag(
                            element,
                            f"{self.module.code(element, 40)} cannot be read statically, so "
                            "the operations it adds cannot be proven CREATE-only",
                        )
                        continue
                    out.extend(inner)
                else:
                    out.append(element)
            return tuple(out)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.resolve(node.left, current, depth + 1)
            right = self.resolve(node.right, current, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.Name):
            value = self.module.constant(node)
            if value is not node and isinstance(value, ast.expr):
                return self.resolve(value, current, depth + 1)
        return None


def _describe(stmt: ast.stmt) -> str:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"method {stmt.name}()"
    if isinstance(stmt, ast.ClassDef):
        return f"nested class {stmt.name}"
    if isinstance(stmt, ast.Expr):
        return "an expression statement"
    return f"a {type(stmt).__name__.lower()} statement"


# -- judging one sequence of operations -------------------------------------------------------


def _arg(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """The argument bound to ``keyword`` (by keyword or position), or None."""
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _unpacked(call: ast.Call) -> bool:
    for argument in call.args:
        if type(argument) is ast.Starred:
            return True
    for item in call.keywords:
        if item.arg is None:
            return True
    return False


_PARAM = re.compile(r"%\(\w+\)s|%s|%%")


def _neutralise_params(sql: str) -> str:
    """Django interpolates ``%s`` / ``%(name)s`` when params are given: keep offsets intact."""
    return _PARAM.sub(lambda m: "% " if m.group() == "%%" else "0".ljust(len(m.group())), sql)


_MAX_NAME = {"postgres": 63, "mysql": 64}


def django_table_name(name: str, dialect: str) -> str:
    """The table name Django uses for ``name`` on ``dialect`` (``truncate_name``)."""
    limit = _MAX_NAME.get(dialect)
    if limit is None or len(name) <= limit:
        return name
    import hashlib  # a name over the dialect's limit is rare

    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:4]
    return name[: limit - 4] + digest


class _Judge:
    """Judges one sequence of operations, remembering the models and tables it created."""

    def __init__(self, module: MigrationModule, dialect: str, app_label: str | None) -> None:
        self.module = module
        self.dialect = dialect
        self.app_label = app_label
        self.sql_state = SqlState()
        self.models: set[str] = set()
        self.unmanaged: set[str] = set()
        #: model -> (table key, whether db_table was given)
        self.model_tables: dict[str, tuple[tuple[None, None, str], bool]] = {}
        self.findings: list[SqlFinding] = []
        self.operation_calls: set[int] = set()
        self._op_lines: tuple[int, int] = (1, 1)

    def _report(self, code: str, message: str, node: ast.AST) -> None:
        self.findings.append(SqlFinding(code, message, self.module.span(node), self._op_lines))

    def check_operations(self, ops: tuple[ast.expr, ...]) -> None:
        for element in ops:
            value = self.module.constant(element)
            if not isinstance(value, ast.Call):
                saved = self._op_lines
                self._op_lines = self.module.lines(element)
                self._report(
                    CODE_UNVERIFIABLE,
                    "operation is not a direct call of a Django operation class, so it cannot "
                    "be proven CREATE-only",
                    element,
                )
                self._op_lines = saved
                continue
            self.check_operation(value)

    def check_operation(self, call: ast.Call) -> None:
        self.operation_calls.add(id(call))
        saved = self._op_lines
        self._op_lines = self.module.lines(call)
        try:
            self._check_operation(call)
        finally:
            self._op_lines = saved

    def _check_operation(self, call: ast.Call) -> None:
        name = canonical(self.module.qualify(call.func))
        if name is None:
            written = dotted(call.func) or "<call>"
            self._report(
                CODE_UNVERIFIABLE,
                f"{written}: not a known Django operation, so its effect cannot be proven "
                "CREATE-only",
                call,
            )
            return
        if _unpacked(call):
            self._report(
                CODE_UNVERIFIABLE,
                f"{name}: its arguments are unpacked at run time (* or **), so they cannot "
                "be read and proven CREATE-only",
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
                reader = OperationsReader(self.module)
                resolved = reader.resolve(ops, ())
                self.findings.extend(reader.findings.values())
                if resolved is None:
                    self._report(
                        CODE_UNVERIFIABLE,
                        "SeparateDatabaseAndState.database_operations is not a literal list, "
                        "so its steps cannot be proven CREATE-only",
                        ops,
                    )
                else:
                    self.check_operations(resolved)
        elif name == "RunPython":
            code = _arg(call, 0, "code")
            qualified = self.module.qualify(code) if code is not None else None
            if (
                qualified
                and qualified.endswith(".noop")
                and canonical(qualified[:-5]) == ("RunPython")
            ):
                return
            self._report(
                CODE_UNVERIFIABLE,
                "RunPython: runs Python code whose effect cannot be proven CREATE-only",
                call,
            )
        elif name in VENDOR_SQL:
            self._vendor_sql(call, name)
        else:
            self._report(
                CODE_UNVERIFIABLE,
                f"{name}: runs SQL the linter cannot inspect, so it cannot be proven CREATE-only",
                call,
            )

    def _vendor_sql(self, call: ast.Call, name: str) -> None:
        """The SQL the real class runs (PostgreSQL only), judged by the SQL rules."""
        if self.dialect != "postgres":
            return  # database_forwards returns at once on another vendor
        from acp_lint.sql.check import check_sql_raw

        target = EXTENSIONS.get(name) or self._string(_arg(call, 0, "name"))
        if target is None:
            self._report(
                CODE_UNVERIFIABLE, f"{name}: the name is not a string literal; unverifiable", call
            )
            return
        quoted = '"' + target.replace('"', '""') + '"'
        if name in ("CreateExtension", *EXTENSIONS):
            sql = f"CREATE EXTENSION IF NOT EXISTS {quoted}"
        elif name == "CreateCollation":
            sql = f"CREATE COLLATION {quoted} (locale = 'und')"
        else:
            sql = f"DROP COLLATION {quoted}"
        raws, _ = check_sql_raw(sql, self.dialect, self.sql_state)
        for raw in raws:
            self._report(raw.code, f"{name} runs {raw.message}", call)

    def _string(self, node: ast.AST | None) -> str | None:
        return None if node is None else self.module.text_value(node)

    def _model_name(self, call: ast.Call, position: int, keyword: str) -> str | None:
        value = self._string(_arg(call, position, keyword))
        return value.lower() if value is not None else None

    def _create_model(self, call: ast.Call) -> None:
        model = self._model_name(call, 0, "name")
        if model is None:
            self._report(
                CODE_UNVERIFIABLE, "CreateModel: the model name is not a string literal", call
            )
            return
        options = _arg(call, 2, "options")
        table: str | None = None
        explicit = False
        managed = True
        if options is not None:
            options = self.module.constant(options)
            if not isinstance(options, ast.Dict) or any(k is None for k in options.keys):
                self._report(
                    CODE_UNVERIFIABLE,
                    "CreateModel: options is not a literal dict, so whether it creates a table "
                    "and which one cannot be read",
                    options,
                )
                return
            for key, value in zip(options.keys, options.values, strict=True):
                option = self._string(key)
                if option == "db_table":
                    table = self._string(value)
                    explicit = True
                    if table is None or '"' in table:
                        self._report(
                            CODE_UNVERIFIABLE,
                            "CreateModel: db_table is not a plain string literal, so the table "
                            "it creates cannot be known",
                            value,
                        )
                        return
                elif option in ("managed", "proxy"):
                    try:
                        flag = ast.literal_eval(value)
                    except ValueError:
                        self._report(
                            CODE_UNVERIFIABLE,
                            f"CreateModel: {option} is not a literal, so whether it creates "
                            "a table cannot be known",
                            value,
                        )
                        return
                    if (option == "managed" and not flag) or (option == "proxy" and flag):
                        managed = False
                elif option is None:
                    self._report(
                        CODE_UNVERIFIABLE, "CreateModel: an option name is not a literal", key
                    )
                    return
        if not managed:  # creates nothing: the model (and its table) stays the host's
            self._forget(model)
            self.unmanaged.add(model)
            return
        self.unmanaged.discard(model)
        self.models.add(model)
        if table is None and self.app_label is not None:
            table = f"{self.app_label}_{model}"
        if table is not None:
            self._record_table(model, table, explicit)

    def _forget(self, model: str) -> None:
        self.models.discard(model)
        old = self.model_tables.pop(model, None)
        if old is not None:
            self.sql_state.tables.discard(old[0])

    def _record_table(self, model: str, table: str, explicit: bool) -> None:
        key = (None, None, fold(django_table_name(table, self.dialect), True, self.dialect))
        old = self.model_tables.get(model)
        if old is not None:
            self.sql_state.tables.discard(old[0])
        self.model_tables[model] = (key, explicit)
        self.sql_state.tables.add(key)

    def _own_model(self, call: ast.Call, name: str) -> None:
        position, keyword = OWN_MODEL_ONLY[name]
        model = self._model_name(call, position, keyword)
        if model is None:
            self._report(CODE_UNVERIFIABLE, f"{name}: the model name is not a string literal", call)
            return
        if model not in self.models:
            why = (
                " (an unmanaged or proxy model creates no table: its table is the host's)"
                if model in self.unmanaged
                else ""
            )
            self._report(
                CODE_DESTRUCTIVE,
                f"{name} on model {model!r}: alters a model (table) this migration did not "
                f"create{why}",
                call,
            )
            return
        if name == "DeleteModel":
            self._forget(model)
        elif name == "RenameModel":
            new = self._model_name(call, 1, "new_name")
            record = self.model_tables.get(model)
            self._forget(model)
            if new is None:
                return
            self.models.add(new)
            if record is not None and record[1]:
                self.model_tables[new] = record
                self.sql_state.tables.add(record[0])
            elif self.app_label is not None:
                self._record_table(new, f"{self.app_label}_{new}", False)
        elif name == "AlterModelTable":
            table = self._string(_arg(call, 1, "table"))
            if table and '"' not in table:
                self._record_table(model, table, True)
            elif table is None and self.app_label is not None:
                self._record_table(model, f"{self.app_label}_{model}", False)
            else:
                old = self.model_tables.pop(model, None)
                if old is not None:
                    self.sql_state.tables.discard(old[0])

    def _run_sql(self, call: ast.Call) -> None:
        sql = _arg(call, 0, "sql")
        if sql is None:
            self._report(CODE_UNVERIFIABLE, "RunSQL: no forward SQL found", call)
            return
        qualified = self.module.qualify(sql) or ""
        if qualified.endswith(".noop") and canonical(qualified[:-5]) == "RunSQL":
            return
        text = self.module.text(sql)
        if text is not None:
            self._check_text(text, params=False)
            return
        container = self.module.constant(sql)
        if isinstance(container, (ast.List, ast.Tuple)):
            for element in container.elts:
                value = self.module.constant(element)
                params = False
                if isinstance(value, (ast.List, ast.Tuple)):
                    if len(value.elts) != 2 or any(isinstance(e, ast.Starred) for e in value.elts):
                        self._report(
                            CODE_UNVERIFIABLE,
                            "RunSQL: a statement entry must be a string or an (sql, params) pair",
                            value,
                        )
                        continue
                    value = value.elts[0]
                    params = True
                item = self.module.text(value)
                if item is None:
                    self._report(CODE_UNVERIFIABLE, _DYNAMIC, value)
                    continue
                self._check_text(item, params=params)
            return
        self._report(CODE_UNVERIFIABLE, _DYNAMIC, sql)

    def _check_text(self, text: Text, params: bool) -> None:
        from acp_lint.sql.check import kept_findings

        sql = text.value
        if params:
            sql = _neutralise_params(sql)
        for found in kept_findings(sql, self.dialect, self.sql_state)[1]:
            raw = found.raw
            line, column = text.position(raw.start)
            end_line, end_column = text.position(raw.end)
            if (end_line, end_column) < (line, column):
                end_line, end_column = line, column
            self.findings.append(
                SqlFinding(
                    raw.code,
                    raw.message,
                    Span.in_text(line, column, end_line, end_column),
                    self._op_lines,
                )
            )


_DYNAMIC = (
    "RunSQL: the SQL is not a literal string (or a list of them), so it cannot be proven "
    "CREATE-only"
)


def _runpython_args(module: MigrationModule) -> Callable[[ast.Call], list[ast.expr]]:
    """The names a RunPython call passes as ``code`` / ``reverse_code`` (a helper's one use)."""

    def args(call: ast.Call) -> list[ast.expr]:
        if canonical(module.qualify(call.func)) != "RunPython":
            return []
        found = [_arg(call, 0, "code"), _arg(call, 1, "reverse_code")]
        return [value for value in found if isinstance(value, ast.Name)]

    return args


def check_migration_module(
    source: str, dialect: str = "postgres", app_label: str | None = None
) -> list[SqlFinding]:
    """Findings for one migration module; see the module docstring for the table.

    ``app_label`` names the app the migration belongs to (for the default table of
    ``CreateModel``); None when unknown, then only explicit ``db_table`` names are recorded.
    Raises ``SyntaxError`` (or ``ValueError`` for null bytes) when the source is not Python.
    """
    check_dialect(dialect)
    module = MigrationModule(source)
    findings: dict[tuple, SqlFinding] = {}

    def add(items: list[SqlFinding]) -> None:
        for item in items:
            findings.setdefault((item.line, item.column, item.code, item.message), item)

    add(check_module_shape(module))
    skip: set[int] = set()
    roots = module_roots(module)
    if module.migration is not None:
        reader = OperationsReader(module)
        paths = reader.read(module.migration)
        add(list(reader.findings.values()))
        roots += reader.roots
        for ops in paths:
            judge = _Judge(module, dialect, app_label)
            judge.check_operations(ops)
            add(judge.findings)
            skip |= judge.operation_calls
    add(check_calls(module, roots, skip, _runpython_args(module)))
    return sorted(findings.values(), key=lambda f: (f.line, f.column, f.code, f.message))


def list_operations(source: str) -> list[OperationInfo]:
    """The operations of ``Migration.operations`` (the first sequence) with their classes."""
    module = MigrationModule(source)
    if module.migration is None:
        return []
    paths = OperationsReader(module).read(module.migration)
    out: list[OperationInfo] = []
    for element in paths[0] if paths else ():
        value = module.constant(element)
        line = module.start(element)[0]
        if not isinstance(value, ast.Call):
            out.append(OperationInfo(dotted(value) or "<expr>", None, line))
            continue
        name = canonical(module.qualify(value.func))
        written = dotted(value.func) or "<call>"
        qualified = f"{DJANGO_OPERATIONS[name]}.{name}" if name else None
        out.append(OperationInfo(name or written, qualified, line))
    return out
