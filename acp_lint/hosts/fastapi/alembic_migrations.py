"""Statically check the ACP branch's Alembic revisions: CREATE-only (DESIGN §2.4, §11).

No database, no import of the project: a revision file is read with ``ast`` (through the
Django walker's :class:`~acp_lint.sql.migration_module.MigrationModule`, which resolves imports,
constants and string positions; libcst is never imported) and sqlglot is imported only when
there is ``op.execute`` SQL (or an SQL fragment such as ``sa.text(...)``) to judge, by the same
CREATE-only classifier as every other ACP SQL.

Only ``upgrade()`` is judged (``alembic upgrade heads`` never runs ``downgrade()``), statement by
statement, remembering the tables this revision proved new (fail closed):

=============================================================  ==================================
``op.`` call in ``upgrade()``                                  verdict
=============================================================  ==================================
``create_table``                                               allowed; records its table as new
                                                               (not with ``if_not_exists=True``,
                                                               which creates nothing provable)
``create_index``, ``add_column``, ``create_foreign_key``       allowed on a table created earlier
(source table), ``create_unique_constraint``,                  in this revision, else ACP301
``create_check_constraint``, ``create_primary_key``,
``create_table_comment``, ``create_exclude_constraint``,
``bulk_insert``
``execute`` of a literal string or ``sa.text("...")``          the SQL rules, sharing the record
                                                               of new tables (ACP301/302/303)
``drop_*``, ``alter_*``, ``rename_*``, ``batch_alter_table``    ACP301, whatever the table
``get_bind()`` work, any other ``op`` call, any other call     ACP303
=============================================================  ==================================

Arguments are allow-listed too: literals, SQLAlchemy's declarative constructors (``sa.Column``,
types, ``sa.ForeignKey``, constraints, ``sa.Index``), ``op.f`` / ``op.inline_literal``;
``sa.func.<name>()`` only for a known pure built-in, and SQL fragments (``sa.text``,
``server_default=sa.text(...)``, ``CheckConstraint`` / ``Computed`` text) only when they call
pure built-ins. ``sa.Sequence``, a type declared with ``create_type=False`` and ``DOMAIN`` use
objects the revision did not create, and a type or value imported from anywhere but SQLAlchemy,
Alembic or the standard value types (a host ``TypeDecorator``) runs code of its own: ACP303.

Control flow: local names bound to literals or to tables (``t = op.create_table(...)``,
``sa.table("acp_x", ...)``) are followed in order; both branches of an ``if`` are judged (a
table is new after it only when both branches created it; the test may read
``op.get_bind().dialect.name``, or ``bind.dialect.name`` of ``bind = op.get_bind()``, the only
use of the connection allowed); a ``create_table`` Python may skip (``x and ...``, ``a if c
else b``) proves nothing; a ``for`` over a literal list is unrolled; a no-argument call of a
helper function of the module is judged in place. What cannot be read (loops over reflected
tables, dynamic table names, ``with`` blocks, ``try``) is ACP303 at the statement, and its
blocks are judged as well (what they create proves nothing), so a drop inside is still ACP301.
Alembic stops at the first failing step, so a ``create_table`` that ran proves its table new:
one of a host name fails, and nothing after it runs.

The module itself must have the shape of a revision (Alembic imports every file of the versions
directory): imports, constants, function definitions without decorators, ``if TYPE_CHECKING``
imports. Anything else runs when Alembic loads the revision: ACP303.

:func:`acp_revisions` finds the files to judge: the versions directories named by
``alembic.ini`` (``script_location`` / ``version_locations``, or ``[tool.alembic]`` in
``pyproject.toml``), the root revision whose ``branch_labels`` contain ``"acp"``, and every
revision whose ``down_revision`` chain leads to it.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
from collections.abc import Iterator
from pathlib import Path

from acp_lint.diagnostics import Diagnostic
from acp_lint.records import field, record, replace
from acp_lint.sql.classify import SqlState
from acp_lint.sql.findings import (
    CODE_DESTRUCTIVE,
    CODE_UNVERIFIABLE,
    check_dialect,
)
from acp_lint.sql.migration_module import MigrationModule, Scope, Segment, Text, dotted
from acp_lint.sql.names import TableKey, display, fold, normal_key

__all__ = [
    "RevisionHeader",
    "acp_revisions",
    "check_revision",
    "is_acp_revision",
    "looks_like_alembic_revision",
    "read_header",
    "versions_directories",
]

ACP_BRANCH = "acp"
_OP = "alembic.op."
_SA = "sqlalchemy."

#: op call -> (position, keyword) of the table it works on; allowed on new tables only.
OWN_TABLE_OPS: dict[str, tuple[int, str, str]] = {
    "create_index": (1, "table_name", "schema"),
    "add_column": (0, "table_name", "schema"),
    "create_foreign_key": (1, "source_table", "source_schema"),
    "create_unique_constraint": (1, "table_name", "schema"),
    "create_check_constraint": (1, "table_name", "schema"),
    "create_primary_key": (1, "table_name", "schema"),
    "create_table_comment": (0, "table_name", "schema"),
    "create_exclude_constraint": (1, "table_name", "schema"),
}
#: op calls that change what exists, whatever the table: never in an ACP revision.
DESTRUCTIVE_PREFIXES = ("drop_", "alter_", "rename_")
DESTRUCTIVE_OPS = {"batch_alter_table"}
#: op calls that only build a value (no SQL).
VALUE_OPS = {"f", "inline_literal"}

#: SQLAlchemy callables (lower case) that only build a value or a name.
_SA_VALUES = {
    "column",
    "literal",
    "null",
    "true",
    "false",
    "and_",
    "or_",
    "not_",
    "asc",
    "desc",
    "cast",
    "bindparam",
    "table",
}
#: SQLAlchemy callables whose string argument is raw SQL.
_SA_SQL = {"text", "literal_column"}
#: SQLAlchemy classes with a raw SQL argument (position, keyword).
_SA_SQL_CLASSES = {"CheckConstraint": (0, "sqltext"), "Computed": (0, "sqltext")}
#: SQLAlchemy classes that use an object the revision did not create.
_SA_FOREIGN_OBJECTS = {
    "Sequence": "a named sequence, perhaps the host's, whose values it would take",
    "DOMAIN": "a domain type, whose CHECK may run host code on every write",
    "DDL": "raw DDL attached to events",
    "MetaData": None,  # allowed: an empty container
}
_SAFE_CALLS = {
    "datetime.datetime",
    "datetime.date",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "decimal.Decimal",
    "uuid.UUID",
}
_SAFE_MODULES = ("sqlalchemy.", "alembic.", "datetime.", "decimal.", "uuid.")
# Methods of a SQLAlchemy type object that only describe the type (no database work).
_TYPE_METHODS = frozenset({"with_variant"})
_SAFE_BUILTINS = {"dict", "list", "tuple", "set", "frozenset", "str", "int", "float", "bool"}
_HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
MAX_UNROLL = 64
MAX_DEPTH = 8


# -- the revision header and the ACP branch ---------------------------------------------------


@record(frozen=True)
class RevisionHeader:
    """What Alembic reads from a revision module: its id, parents and branch labels."""

    revision: str | None
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list, set, frozenset)):
        return tuple(sorted(v for v in value if isinstance(v, str)))
    return ()


def read_header(text: str) -> RevisionHeader | None:
    """The literal ``revision`` / ``down_revision`` / ``branch_labels`` / ``depends_on``.

    None when the text is not Python. A value that is not a literal reads as empty.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    values: dict[str, object] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _HEADER_NAMES:
                try:
                    values[target.id] = ast.literal_eval(value)
                except LITERAL_ERRORS:
                    values[target.id] = None
    revision = values.get("revision")
    return RevisionHeader(
        revision if isinstance(revision, str) else None,
        _names(values.get("down_revision")),
        _names(values.get("branch_labels")),
        _names(values.get("depends_on")),
    )


_UPGRADE = re.compile(r"^def[ \t]+upgrade[ \t]*\(", re.MULTILINE)
_REVISION = re.compile(r"^revision\b", re.MULTILINE)


def looks_like_alembic_revision(text: str) -> bool:
    """Cheap prefilter, no parsing: a module-level ``def upgrade(`` and ``revision``."""
    return _UPGRADE.search(text) is not None and _REVISION.search(text) is not None


def is_acp_revision(text: str) -> bool:
    """Is this the root of the ACP branch (``branch_labels`` containing ``"acp"``)?"""
    header = read_header(text)
    return header is not None and ACP_BRANCH in header.branch_labels


def _read_text(path: Path, root: Path) -> str | None:
    """A file of the project as text, read as every project file is (``read_regular_file``:
    a FIFO, a device or a link out of the repository is not read, and never hangs the run);
    None when it cannot be read or is not UTF-8."""
    from acp_lint.sources import read_in_repository

    data = read_in_repository(path, root)
    try:
        return None if data is None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _config_sections(root: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    ini = root / "alembic.ini"
    text = _read_text(ini, root)
    if text is not None:
        parser = configparser.ConfigParser(defaults={"here": str(root)})
        try:
            parser.read_string(text, source=str(ini))
        except configparser.Error:
            parser = None
        if parser is not None and parser.has_section("alembic"):
            options = {}
            for key in (
                "script_location",
                "version_locations",
                "version_path_separator",
                "path_separator",
            ):
                try:
                    value = parser.get("alembic", key, fallback=None)
                except configparser.Error:
                    value = None
                if value is not None:
                    options[key] = value
            yield root, options
    text = _read_text(root / "pyproject.toml", root)
    if text is not None:
        from acp_lint.config import toml_reader

        try:
            data = toml_reader().loads(text)
        except ValueError:
            return
        table = data.get("tool", {}).get("alembic")
        if isinstance(table, dict):
            options = {}
            location = table.get("script_location")
            if isinstance(location, str):
                options["script_location"] = location.replace("%(here)s", str(root))
            locations = table.get("version_locations")
            if isinstance(locations, list):
                joined = " ".join(str(v).replace("%(here)s", str(root)) for v in locations)
                options["version_locations"] = joined
            yield root, options


def versions_directories(root: Path) -> list[Path]:
    """The versions directories Alembic would read for the project at ``root``.

    ``version_locations`` when set (split as Alembic splits it), else
    ``<script_location>/versions``; relative paths are relative to ``root`` (Alembic resolves
    them from the working directory, where ``alembic.ini`` is). A ``package:path`` location
    cannot be resolved without importing the package and is left out. Locations outside
    the project are listed (the installer refuses them); ``acp_revisions`` skips them.
    """
    found: list[Path] = []
    for base, options in _config_sections(root):
        locations = options.get("version_locations")
        if locations:
            separator = options.get("path_separator") or options.get("version_path_separator")
            splitters = {"space": " ", "newline": "\n", ":": ":", ";": ";", "os": os.pathsep}
            if separator in splitters:
                parts = locations.split(splitters[separator])
            else:  # Alembic's legacy default: spaces and commas
                parts = re.split(r"[ ,]+", locations)
            candidates = [p.strip() for p in parts if p.strip()]
        else:
            location = options.get("script_location")
            if not location or (":" in location and not Path(location).is_absolute()):
                continue
            candidates = [str(Path(location) / "versions")]
        for candidate in candidates:
            path = Path(candidate)
            path = path if path.is_absolute() else base / path
            if path.is_dir() and path not in found:
                found.append(path)
    return found


def acp_revisions(root: Path) -> list[Path]:
    """The revision files of the ACP branch under the project at ``root``.

    The roots are the revisions whose ``branch_labels`` contain ``"acp"``; every revision whose
    ``down_revision`` (a merge has several) names an ACP revision is on the branch too.
    """
    from acp_lint.sources import repository_boundary

    boundary = repository_boundary(str(root))
    headers: dict[Path, RevisionHeader] = {}
    for directory in versions_directories(root):
        if not boundary.holds(str(directory)):
            continue  # outside the repository (``version_locations = /`` walked the disk)
        for path in sorted(directory.rglob("*.py")):
            if "__pycache__" in path.parts or path.name == "__init__.py":
                continue
            text = _read_text(path, root)
            header = None if text is None else read_header(text)
            if header is not None and header.revision is not None:
                headers[path] = header
    members = {h.revision for h in headers.values() if ACP_BRANCH in h.branch_labels}
    changed = True
    while changed:
        changed = False
        for header in headers.values():
            if header.revision not in members and set(header.down_revisions) & members:
                members.add(header.revision)
                changed = True
    return sorted(path for path, header in headers.items() if header.revision in members)


# -- values seen while walking upgrade() -------------------------------------------------------


@record(frozen=True)
class _Value:
    """What a local name holds: a string, a table object, or some harmless value."""

    kind: str  # str | table | opaque | bind (a connection) | batch | unread (line in table_name)
    text: Text | None = None
    table: TableKey | None = None
    table_name: str = ""


_GET_BIND = (
    "op.get_bind(): work through the connection cannot be read statically, so it cannot be "
    "proven CREATE-only"
)
_OPAQUE = _Value("opaque")
_BIND = _Value("bind")
_BATCH = _Value("batch")


@record
class _State:
    """Tables proven new so far (shared with the SQL classifier) and the local names."""

    sql: SqlState = field(default_factory=SqlState)
    env: dict[str, _Value] = field(default_factory=dict)

    def copy(self) -> _State:
        sql = replace(
            self.sql,
            tables=set(self.sql.tables),
            indexes=set(self.sql.indexes),
            savepoints=list(self.sql.savepoints),
            host_typed=set(self.sql.host_typed),
        )
        return _State(sql, dict(self.env))


class _Unreadable(Exception):
    """Raised inside a statement that cannot be read; carries the finding."""

    def __init__(self, node: ast.AST, message: str, code: str = CODE_UNVERIFIABLE) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.code = code


class _Checker:
    """Judges one revision module; see the module docstring for the table."""

    def __init__(self, path: str, text: str, dialect: str) -> None:
        self.path = path
        self.dialect = dialect
        self.module = MigrationModule(text, path)
        self.findings: dict[tuple, Diagnostic] = {}
        self._statement: tuple[int, int] = (1, 1)
        self._locals: set[str] = set()
        self._inlining: list[str] = []

    # -- reporting ---------------------------------------------------------------------------
    def report(self, code: str, message: str, node: ast.AST) -> None:
        line, column = self.module.start(node)
        end_line, end_column = self.module.end(node)
        self._add(code, message, line, column, end_line, end_column)

    def _add(
        self, code: str, message: str, line: int, column: int, end_line: int, end_col: int
    ) -> None:
        from acp_lint.registry import BY_CODE

        if (end_line, end_col) < (line, column):
            end_line, end_col = line, column
        diagnostic = Diagnostic.at(
            path=self.path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_col,
            code=code,
            name=BY_CODE[code].name,
            message=message,
            statement_lines=self._statement,
        )
        self.findings.setdefault((line, column, code, message), diagnostic)

    # -- the module --------------------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        upgrade = self._module_shape()
        if upgrade is not None:
            self._locals = self._local_names(upgrade)
            self._block(upgrade.body, _State())
        return sorted(self.findings.values(), key=lambda d: d.sort_key)

    def _module_shape(self) -> ast.FunctionDef | None:
        tree = self.module.tree
        upgrade: ast.FunctionDef | None = None
        for index, stmt in enumerate(tree.body):
            self._statement = self.module.lines(stmt)
            if index == 0 and _is_docstring(stmt):
                continue
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                continue
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                self._module_assign(stmt)
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._module_function(stmt)
                if stmt.name == "upgrade":
                    upgrade = stmt if isinstance(stmt, ast.FunctionDef) else None
                continue
            if isinstance(stmt, ast.If) and _is_type_checking(stmt):
                continue
            self.report(
                CODE_UNVERIFIABLE,
                f"{_describe(stmt)} at module level runs when Alembic loads the revision; "
                "it cannot be proven CREATE-only",
                stmt,
            )
        self._statement = (1, 1)
        if upgrade is None or self.module.module_bindings["upgrade"] != 1:
            where = upgrade or tree
            if upgrade is not None:
                self._statement = self.module.lines(upgrade)
            message = (
                "upgrade is bound more than once: which one Alembic runs cannot be proven "
                "CREATE-only"
                if upgrade is not None
                else "no plain `def upgrade()` at module level: what Alembic runs for this "
                "revision cannot be read"
            )
            if isinstance(where, ast.Module):
                self._add(CODE_UNVERIFIABLE, message, 1, 1, 1, 1)
            else:
                self.report(CODE_UNVERIFIABLE, message, where)
            return None
        if upgrade.args.args or upgrade.args.posonlyargs or upgrade.args.kwonlyargs:
            self._statement = self.module.lines(upgrade)
            self.report(
                CODE_UNVERIFIABLE,
                "upgrade() takes parameters: what Alembic passes cannot be read",
                upgrade,
            )
            return None
        return upgrade

    def _module_assign(self, stmt: ast.Assign | ast.AnnAssign) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if not all(isinstance(t, ast.Name) for t in targets):
            self.report(
                CODE_UNVERIFIABLE,
                "assignment to something other than a name at module level changes an object "
                "when Alembic loads the revision; it cannot be proven CREATE-only",
                stmt,
            )
            return
        if isinstance(stmt, ast.AnnAssign):
            self._annotation(stmt.annotation)
        if stmt.value is not None:
            self._guard(lambda: self._value(stmt.value, None))

    def _module_function(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if stmt.decorator_list:
            self.report(
                CODE_UNVERIFIABLE,
                f"the decorator of {stmt.name}() runs when Alembic loads the revision; it "
                "cannot be proven CREATE-only",
                stmt.decorator_list[0],
            )
        args = stmt.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._guard(lambda default=default: self._value(default, None))
        annotations = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
        for annotation in [*annotations, stmt.returns]:
            if annotation is not None:
                self._annotation(annotation)

    def _annotation(self, node: ast.expr) -> None:
        for child in ast.walk(node):
            if isinstance(child, (ast.Call, ast.Lambda, ast.NamedExpr, ast.Await)):
                self.report(
                    CODE_UNVERIFIABLE,
                    "an annotation with a call runs when Alembic loads the revision; it "
                    "cannot be proven CREATE-only",
                    child,
                )
                return

    def _guard(self, action) -> None:
        try:
            action()
        except _Unreadable as problem:
            self.report(problem.code, problem.message, problem.node)

    def _local_names(self, function: ast.FunctionDef) -> set[str]:
        scope = Scope().scan(function.body, walrus=True)
        return set(scope.counts)

    # -- upgrade() ---------------------------------------------------------------------------
    def _block(self, stmts: list[ast.stmt], state: _State) -> _State:
        """Judge statements in order. A finding's ``statement_lines`` are those of the simple
        statement it is in (of the call, inside an inlined helper), for suppressions."""
        for stmt in stmts:
            if not self._inlining:
                self._statement = self.module.lines(stmt)
            try:
                if isinstance(stmt, ast.Return):
                    if stmt.value is not None:
                        self._value(stmt.value, state)
                    break
                state = self._stmt(stmt, state)
            except _Unreadable as problem:
                self.report(problem.code, problem.message, problem.node)
        return state

    def _stmt(self, stmt: ast.stmt, state: _State) -> _State:
        if isinstance(stmt, ast.Pass) or _is_docstring(stmt):
            return state
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            if self._call(stmt.value, state) is None:
                self._value(stmt.value, state)
            return state
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if stmt.value is None:
                return state
            if not all(isinstance(t, ast.Name) for t in targets):
                raise _Unreadable(
                    stmt,
                    "assignment to something other than a local name changes an object "
                    "the linter cannot follow; it cannot be proven CREATE-only",
                )
            try:
                value = self._assigned(stmt.value, state)
            except _Unreadable:
                line = self.module.start(stmt)[0]
                for target in targets:  # later uses are reported too, pointing here
                    state.env[target.id] = _Value("unread", table_name=str(line))  # type: ignore[union-attr]
                raise
            for target in targets:
                state.env[target.id] = value  # type: ignore[union-attr]
            return state
        if isinstance(stmt, ast.If):
            self._value(stmt.test, state)
            body = self._block(stmt.body, state.copy())
            orelse = self._block(stmt.orelse, state.copy())
            return _merge(body, orelse)
        if isinstance(stmt, ast.For):
            return self._for(stmt, state)
        self._nested(stmt, state)
        if isinstance(stmt, ast.With):
            for item in stmt.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and self._op_name(expr.func) == "batch_alter_table":
                    what = _describe_table_of(self, expr, "batch_alter_table", state)
                    raise _Unreadable(
                        expr,
                        f"op.batch_alter_table{what}: a batch alters (and on SQLite re-creates) "
                        "an existing table; an ACP revision only creates",
                        CODE_DESTRUCTIVE,
                    )
            raise _Unreadable(
                stmt,
                "a with block runs code on entry and exit that cannot be proven CREATE-only",
            )
        raise _Unreadable(
            stmt,
            f"{_describe(stmt)} in upgrade() cannot be read statically, so its effect cannot "
            "be proven CREATE-only",
        )

    def _nested(self, stmt: ast.stmt, state: _State) -> None:
        """The blocks of a statement that is ACP303 as a whole (``try``, ``with``, ``while``,
        a loop that cannot be unrolled) are judged too, on a copy of the state (whether they
        run is unknown, so what they create proves nothing): a DROP inside stays an ACP301
        even when the construct's ACP303 is suppressed."""
        copy = state.copy()
        unread = _Value("unread", table_name=str(self.module.start(stmt)[0]))
        for name in Scope().scan([stmt], walrus=True).counts:
            copy.env[name] = unread
        if isinstance(stmt, ast.With):
            for item in stmt.items:
                expr, target = item.context_expr, item.optional_vars
                if (
                    isinstance(expr, ast.Call)
                    and self._op_name(expr.func) == "batch_alter_table"
                    and isinstance(target, ast.Name)
                ):
                    copy.env[target.id] = _BATCH  # its steps are the batch's ACP301
        saved = self._statement
        blocks: list[list[ast.stmt]] = []
        for name in ("body", "orelse", "finalbody"):
            block = getattr(stmt, name, None)
            if isinstance(block, list):
                blocks.append(block)
        blocks += [handler.body for handler in getattr(stmt, "handlers", [])]
        blocks += [case.body for case in getattr(stmt, "cases", [])]
        for block in blocks:
            self._block(block, copy.copy())
        self._statement = saved

    def _assigned(self, value: ast.expr, state: _State) -> _Value:
        """The value of an assignment's right-hand side (``bind = op.get_bind()`` is a
        connection whose only allowed use is reading ``.dialect.name``)."""
        if isinstance(value, ast.Call):
            if self._op_name(value.func) == "get_bind" and not value.args and not value.keywords:
                return _BIND
            known = self._call(value, state)
            if known is not None:
                return known
        return self._value(value, state)

    def _for(self, stmt: ast.For, state: _State) -> _State:
        iterable = self.module.constant(stmt.iter, in_class=False)
        if isinstance(stmt.iter, ast.Name) and stmt.iter.id in self._locals:
            iterable = stmt.iter
        readable = (
            isinstance(stmt.target, ast.Name)
            and isinstance(iterable, (ast.List, ast.Tuple))
            and not any(isinstance(e, ast.Starred) for e in iterable.elts)
            and len(iterable.elts) <= MAX_UNROLL
            and not stmt.orelse
            and not any(isinstance(n, (ast.Break, ast.Continue)) for n in _walk_body(stmt.body))
        )
        if not readable:
            self._nested(stmt, state)
            raise _Unreadable(
                stmt,
                "a loop over values that cannot be read statically (reflected tables, a "
                "computed list): its steps cannot be proven CREATE-only",
            )
        for element in iterable.elts:  # type: ignore[union-attr]
            text = self._string(element, state)
            value = _Value("str", text) if text is not None else self._value(element, state)
            state.env[stmt.target.id] = value  # type: ignore[union-attr]
            state = self._block(stmt.body, state)
        return state

    # -- calls -------------------------------------------------------------------------------
    def _op_name(self, func: ast.expr) -> str | None:
        """``create_table`` for ``op.create_table`` (through imports), else None."""
        name = dotted(func)
        if name is None or name.split(".")[0] in self._locals:
            return None
        qualified = self.module.qualify(func, in_class=False)
        if qualified and qualified.startswith(_OP) and qualified.count(".") == 2:
            return qualified[len(_OP) :]
        return None

    def _call(self, call: ast.Call, state: _State) -> _Value | None:
        """Judge a call made in upgrade(); return the value it gives when it is known."""
        op = self._op_name(call.func)
        if op is None:
            helper = self._helper(call)
            if helper is not None:
                self._inline(helper, state)
                return _OPAQUE
            return None  # judged as a value by the caller
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            raise _Unreadable(
                call,
                f"op.{op}: its arguments are unpacked at run time (* or **), so they cannot "
                "be read and proven CREATE-only",
            )
        if op == "create_table":
            return self._create_table(call, state)
        if op in OWN_TABLE_OPS:
            position, keyword, schema = OWN_TABLE_OPS[op]
            key, name = self._table_arg(call, position, keyword, schema, state)
            if key not in state.sql.tables:
                raise _Unreadable(
                    call,
                    f"op.{op} on table {name!r}: works on a table this revision did not create",
                    CODE_DESTRUCTIVE,
                )
            self._arguments(call, state, skip={id(_arg(call, position, keyword))})
            return _OPAQUE
        if op == "bulk_insert":
            self._bulk_insert(call, state)
            return _OPAQUE
        if op == "execute":
            self._execute(call, state)
            return _OPAQUE
        if op.startswith(DESTRUCTIVE_PREFIXES) or op in DESTRUCTIVE_OPS:
            what = _describe_table_of(self, call, op, state)
            raise _Unreadable(
                call,
                f"op.{op}{what}: drops, alters or renames an existing object; an ACP revision "
                "only creates",
                CODE_DESTRUCTIVE,
            )
        if op in VALUE_OPS:
            self._arguments(call, state)
            text = self._string(_arg(call, 0, "name"), state) if op == "f" else None
            return _Value("str", text) if text is not None else _OPAQUE
        if op == "get_bind":
            raise _Unreadable(
                call,
                _GET_BIND,
            )
        raise _Unreadable(call, f"op.{op}: not an operation the linter can prove CREATE-only")

    def _helper(self, call: ast.Call) -> ast.FunctionDef | None:
        if not isinstance(call.func, ast.Name) or call.args or call.keywords:
            return None
        name = call.func.id
        if name in self._locals or self.module.module_bindings[name] != 1:
            return None
        for stmt in self.module.tree.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                args = stmt.args
                if args.args or args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg:
                    return None
                return stmt if name != "upgrade" else None
        return None

    def _inline(self, helper: ast.FunctionDef, state: _State) -> None:
        if helper.name in self._inlining or len(self._inlining) >= MAX_DEPTH:
            raise _Unreadable(helper, f"{helper.name}() calls itself; unreadable")
        saved_locals, saved_env = self._locals, state.env
        self._inlining.append(helper.name)
        self._locals = self._local_names(helper)
        state.env = {}
        try:
            self._block(helper.body, state)
        finally:
            self._inlining.pop()
            self._locals, state.env = saved_locals, saved_env

    def _create_table(self, call: ast.Call, state: _State) -> _Value:
        key, name = self._table_arg(call, 0, "table_name", "schema", state)
        self._arguments(call, state, skip={id(_arg(call, 0, "table_name"))})
        proven = True
        flag = _arg(call, -1, "if_not_exists")
        if flag is not None:
            try:
                proven = not ast.literal_eval(flag)
            except LITERAL_ERRORS as error:
                raise _Unreadable(
                    flag, "op.create_table: if_not_exists is not a literal; unreadable"
                ) from error
        if proven:
            state.sql.tables.add(key)
        return _Value("table", table=key, table_name=name)

    def _bulk_insert(self, call: ast.Call, state: _State) -> None:
        target = _arg(call, 0, "table")
        if target is None:
            raise _Unreadable(call, "op.bulk_insert: no table given; unreadable")
        value: _Value | None = None
        if isinstance(target, ast.Name) and target.id in self._locals:
            value = state.env.get(target.id)
        elif isinstance(target, ast.Call):
            value = self._value(target, state)
        if value is None or value.kind != "table" or value.table is None:
            raise _Unreadable(
                target,
                "op.bulk_insert: the table is not one the linter can read (a local "
                '`op.create_table(...)` result or `sa.table("name", ...)`)',
            )
        if value.table not in state.sql.tables:
            raise _Unreadable(
                call,
                f"op.bulk_insert into table {value.table_name!r}: writes rows to a table this "
                "revision did not create",
                CODE_DESTRUCTIVE,
            )
        self._arguments(call, state, skip={id(target)})

    def _execute(self, call: ast.Call, state: _State) -> None:
        sql = _arg(call, 0, "sqltext")
        text = None
        if sql is not None:
            text = self._string(sql, state)
            if text is None and isinstance(sql, ast.Call):
                if self._sa_name(sql.func) in _SA_SQL and len(sql.args) == 1:
                    text = self._string(sql.args[0], state)
        if text is None:
            if isinstance(sql, ast.Name):
                self._value(sql, state)  # a name bound to something unreadable says so
            raise _Unreadable(
                sql or call,
                "op.execute: the SQL is not a literal string (or sa.text of one), so it "
                "cannot be proven CREATE-only",
            )
        self._check_sql(text, state.sql)

    def _check_sql(self, text: Text, sql_state: SqlState, prefix: str = "") -> None:
        from acp_lint.sql.check import kept_findings

        for found in kept_findings(text.value, self.dialect, sql_state)[1]:
            raw = found.raw
            line, column = text.position(raw.start)
            end_line, end_column = text.position(raw.end)
            self._add(raw.code, prefix + raw.message, line, column, end_line, end_column)

    # -- arguments and values ----------------------------------------------------------------
    def _arguments(self, call: ast.Call, state: _State | None, skip: set[int] = frozenset()):
        for node in [*call.args, *(k.value for k in call.keywords)]:
            if id(node) not in skip:
                self._value(node, state)

    def _sa_name(self, func: ast.expr) -> str | None:
        """``Column`` for ``sa.Column`` / ``sqlalchemy.schema.Column``...; ``func.now`` for
        ``sa.func.now``; else None."""
        name = dotted(func)
        if name is None or name.split(".")[0] in self._locals:
            return None
        qualified = self.module.qualify(func, in_class=False)
        if qualified is None or not qualified.startswith(_SA):
            return None
        parts = qualified.split(".")
        if "func" in parts:
            return "func." + ".".join(parts[parts.index("func") + 1 :])
        return parts[-1]

    def _value(self, node: ast.expr, state: _State | None) -> _Value:
        """Check that evaluating ``node`` only builds a value; what it holds when known."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return _Value("str", self._anchored(node.value, node))
            return _OPAQUE
        if isinstance(node, ast.Name):
            if state is not None and node.id in self._locals:
                value = state.env.get(node.id)
                if value is None:
                    raise _Unreadable(node, f"{node.id} is not bound to a readable value here")
                if value.kind == "unread":
                    raise _Unreadable(
                        node,
                        f"{node.id} holds the value on line {value.table_name} that cannot be "
                        "read, so this step cannot be proven CREATE-only",
                    )
                if value.kind == "bind":
                    raise _Unreadable(node, _GET_BIND)
                return value
            self._reference(node)
            constant = self.module.constant(node, in_class=False)
            if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                return _Value("str", self._anchored(constant.value, node))
            return _OPAQUE
        if isinstance(node, ast.Attribute):
            if self._dialect_name(node, state):
                return _OPAQUE
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and not (state is not None and root.id in self._locals):
                self._reference(node)
            else:
                self._value(node.value, state)
            return _OPAQUE
        if isinstance(node, ast.Call):
            return self._value_call(node, state)
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            raise _Unreadable(node, f"{_expr_kind(node)} cannot be proven CREATE-only")
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            raise _Unreadable(
                node, "a comprehension runs code that cannot be read statically; unverifiable"
            )
        conditional = _conditional_operands(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                if id(child) in conditional and state is not None:
                    # may not run (``x and op.create_table(...)``): what it creates proves nothing
                    self._value(child, state.copy())
                else:
                    self._value(child, state)
            elif isinstance(child, ast.keyword):
                self._value(child.value, state)
            elif isinstance(child, ast.comprehension):  # pragma: no cover - handled above
                raise _Unreadable(node, "a comprehension; unverifiable")
        return _OPAQUE

    def _reference(self, node: ast.expr) -> None:
        """A module-level name (or attribute of one) used as a value: a constant of the module
        (judged where it is assigned), a built-in, or something SQLAlchemy, Alembic or the
        standard library's value types define. A host type or helper runs code of its own when
        SQLAlchemy builds the DDL or binds rows: ACP303."""
        name = dotted(node)
        if name is None:
            return
        head = name.split(".")[0]
        if head in self.module.imports:
            qualified = self.module.qualify(node, in_class=False)
            if qualified is not None and (qualified + ".").startswith(_SAFE_MODULES):
                return
            origin = f"from {qualified.rsplit('.', 1)[0]}" if qualified else "from an import"
            raise _Unreadable(
                node,
                f"{name} comes {origin}, not from SQLAlchemy: its code runs when the DDL or "
                "rows are built, so it cannot be proven CREATE-only",
            )
        if head in self.module.module_constants or self.module.is_builtin(head):
            return
        raise _Unreadable(
            node,
            f"{head} is not a constant of the revision, an import from SQLAlchemy or a "
            "built-in, so what it does cannot be proven CREATE-only",
        )

    def _dialect_name(self, node: ast.Attribute, state: _State | None) -> bool:
        """``op.get_bind().dialect.name``, ``op.get_context().dialect.name`` or
        ``bind.dialect.name`` of a local ``bind = op.get_bind()``: a read, nothing more."""
        inner = node.value
        if not (node.attr == "name" and isinstance(inner, ast.Attribute)):
            return False
        source = inner.value
        if inner.attr != "dialect":
            return False
        if isinstance(source, ast.Name):
            return (
                state is not None
                and source.id in self._locals
                and state.env.get(source.id) is _BIND
            )
        return (
            isinstance(source, ast.Call)
            and not source.args
            and not source.keywords
            and self._op_name(source.func) in ("get_bind", "get_context")
        )

    def _value_call(self, call: ast.Call, state: _State | None) -> _Value:
        op = self._op_name(call.func)
        if op is not None:
            if state is None:
                raise _Unreadable(call, f"op.{op} outside upgrade() runs at import; unreadable")
            value = self._call(call, state)
            return value if value is not None else _OPAQUE
        sa = self._sa_name(call.func)
        if sa is not None:
            return self._sa_call(call, sa, state)
        holder = self._local_root(call.func, state)
        if holder is _BATCH:
            self._arguments(call, state)  # a step of the batch, reported with it
            return _OPAQUE
        name = dotted(call.func)
        if (
            name in _SAFE_BUILTINS
            and (state is None or name not in self._locals)
            and self.module.is_builtin(name)
        ) or (self.module.qualify(call.func, in_class=False) in _SAFE_CALLS):
            self._arguments(call, state)
            return _OPAQUE
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in _TYPE_METHODS
            and isinstance(call.func.value, ast.Call)
            and self._sa_name(call.func.value.func) is not None
        ):
            # ``sa.BigInteger().with_variant(sa.Integer(), "sqlite")``: a column type that
            # differs per dialect; declarative, it runs nothing against the database.
            self._value_call(call.func.value, state)
            self._arguments(call, state)
            return _OPAQUE
        if holder is _BIND or any(
            isinstance(n, ast.Call) and self._op_name(n.func) == "get_bind"
            for n in ast.walk(call.func)
        ):
            raise _Unreadable(call, _GET_BIND)
        raise _Unreadable(
            call,
            f"calls {name or 'a computed callee'}, which may run any code; it cannot be "
            "proven CREATE-only",
        )

    def _local_root(self, func: ast.expr, state: _State | None) -> _Value | None:
        """What the local name at the root of ``a.b.c`` holds (None: not a local name)."""
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and state is not None and root.id in self._locals:
            return state.env.get(root.id)
        return None

    def _sa_call(self, call: ast.Call, sa: str, state: _State | None) -> _Value:
        if sa.startswith("func."):
            function = sa[5:]
            from acp_lint.sql.functions import PURE_FUNCTIONS

            if function.lower() not in PURE_FUNCTIONS:
                raise _Unreadable(
                    call,
                    f"sa.func.{function}() calls a database function that is not a known pure "
                    "built-in (it may be the host's); it cannot be proven CREATE-only",
                )
            self._arguments(call, state)
            return _OPAQUE
        for keyword in call.keywords:
            if keyword.arg == "create_type" and _literal(keyword.value) is False:
                raise _Unreadable(
                    call,
                    f"sa.{sa}(create_type=False) uses a type this revision does not create; "
                    "it cannot be proven CREATE-only",
                )
        if sa in _SA_SQL or sa in _SA_SQL_CLASSES:
            position, keyword = _SA_SQL_CLASSES.get(sa, (0, "text"))
            fragment = _arg(call, position, keyword)
            text = self._string(fragment, state) if fragment is not None else None
            if text is None:
                raise _Unreadable(
                    call, f"sa.{sa}: the SQL is not a literal string; it cannot be proven safe"
                )
            self._fragment(text, sa)
            self._arguments(call, state, skip={id(fragment)})
            return _OPAQUE
        if sa in _SA_FOREIGN_OBJECTS and _SA_FOREIGN_OBJECTS[sa] is not None:
            raise _Unreadable(
                call,
                f"sa.{sa} uses {_SA_FOREIGN_OBJECTS[sa]}; it cannot be proven CREATE-only",
            )
        if sa in ("table", "Table"):
            self._arguments(call, state)
            text = self._string(_arg(call, 0, "name"), state)
            schema_node = next((k.value for k in call.keywords if k.arg == "schema"), None)
            schema = self._string(schema_node, state) if schema_node is not None else None
            if text is None or (schema_node is not None and schema is None):
                return _OPAQUE
            return _Value(
                "table", table=self._key(text.value, schema and schema.value), table_name=text.value
            )
        if sa in _SA_VALUES or sa[:1].isupper():
            self._arguments(call, state)
            return _OPAQUE
        raise _Unreadable(
            call,
            f"sa.{sa}(...) is not a declarative SQLAlchemy constructor; it may run SQL and "
            "cannot be proven CREATE-only",
        )

    def _fragment(self, text: Text, what: str) -> None:
        """An SQL expression (a default, a check, an index expression): pure calls only."""
        from acp_lint.sql.check import check_sql_raw

        probe = "SELECT " + text.value
        raws, _ = check_sql_raw(probe, self.dialect, SqlState())
        for raw in raws:
            start = max(0, raw.start - len("SELECT "))
            line, column = text.position(start)
            self._add(raw.code, f"sa.{what}: {raw.message}", line, column, line, column)

    def _anchored(self, value: str, node: ast.AST) -> Text:
        """A string whose positions all point at ``node`` (for names bound to it)."""
        line, column = self.module.start(node)
        return Text([_segment(value, line, column)])

    def _string(self, node: ast.expr | None, state: _State | None) -> Text | None:
        """The string an expression holds (literals, constants, local names), or None."""
        if node is None:
            return None
        if isinstance(node, ast.Name) and state is not None and node.id in self._locals:
            value = state.env.get(node.id)
            if value is None or value.kind != "str" or value.text is None:
                return None
            return self._anchored(value.text.value, node)
        if isinstance(node, ast.Call) and self._op_name(node.func) == "f" and node.args:
            return self._string(node.args[0], state)
        if any(isinstance(n, ast.Name) and n.id in self._locals for n in ast.walk(node)):
            return None
        return self.module.text(node)

    def _key(self, name: str, schema: str | None) -> TableKey:
        folded_schema = fold(schema, True, self.dialect) if schema else None
        return normal_key((None, folded_schema, fold(name, True, self.dialect)), self.dialect)

    def _table_arg(
        self, call: ast.Call, position: int, keyword: str, schema_keyword: str, state: _State
    ) -> tuple[TableKey, str]:
        node = _arg(call, position, keyword)
        text = self._string(node, state)
        if text is None:
            if isinstance(node, ast.Name):
                self._value(node, state)  # a name bound to something unreadable says so
            raise _Unreadable(
                node or call,
                f"the table name of {dotted(call.func) or 'this call'} cannot be read "
                "statically (a dynamic name), so its effect cannot be proven CREATE-only",
            )
        schema_node = next((k.value for k in call.keywords if k.arg == schema_keyword), None)
        schema: str | None = None
        if schema_node is not None and _literal(schema_node) is not None:
            schema_text = self._string(schema_node, state)
            if schema_text is None:
                raise _Unreadable(schema_node, "the schema name cannot be read statically")
            schema = schema_text.value
        key = self._key(text.value, schema)
        return key, display(key, text.value)


# -- small helpers ------------------------------------------------------------------------------


def _arg(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """The argument bound to ``keyword`` (by keyword, or at ``position`` when >= 0)."""
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if 0 <= position < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


_MISSING = object()
#: what ``ast.literal_eval`` raises on a node that is no plain literal (``{[]}`` is a TypeError)
LITERAL_ERRORS = (ValueError, TypeError, SyntaxError, MemoryError, RecursionError)


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except LITERAL_ERRORS:
        return _MISSING


def _segment(value: str, line: int, column: int) -> Segment:
    return Segment(value, line, column, False)


def _describe_table_of(checker: _Checker, call: ast.Call, op: str, state: _State) -> str:
    position = 1 if op in ("drop_index", "drop_constraint", "create_index") else 0
    keyword = "old_table_name" if op == "rename_table" else "table_name"
    node = _arg(call, position, keyword)
    text = checker._string(node, state) if node is not None else None
    return f" on table {text.value!r}" if text is not None else ""


def _merge(left: _State, right: _State) -> _State:
    """After an ``if``: new only what both branches created; names both left alone."""
    merged = left.copy()
    merged.sql.tables &= right.sql.tables
    merged.sql.indexes &= right.sql.indexes
    merged.env = {k: v for k, v in left.env.items() if right.env.get(k) is v}
    return merged


def _conditional_operands(node: ast.AST) -> set[int]:
    """Operands Python may skip: after the first of ``and``/``or``, the branches of ``a if c
    else b``, comparisons after the first of a chain (``a < b < c``)."""
    if isinstance(node, ast.BoolOp):
        return {id(value) for value in node.values[1:]}
    if isinstance(node, ast.IfExp):
        return {id(node.body), id(node.orelse)}
    if isinstance(node, ast.Compare):
        return {id(value) for value in node.comparators[1:]}
    return set()


def _walk_body(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    for stmt in stmts:
        yield from ast.walk(stmt)


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _is_type_checking(stmt: ast.If) -> bool:
    return (
        dotted(stmt.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        and not stmt.orelse
        and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmt.body)
    )


def _describe(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.ClassDef):
        return f"class {stmt.name}"
    if isinstance(stmt, ast.Expr):
        return "an expression statement"
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"a nested function {stmt.name}()"
    return f"a {type(stmt).__name__.lower()} statement"


def _expr_kind(node: ast.expr) -> str:
    return {
        "Lambda": "a lambda",
        "NamedExpr": "an assignment expression",
        "Await": "await",
    }.get(type(node).__name__, "a generator")


# -- the public entry point ---------------------------------------------------------------------


def check_revision(path: str, text: str, dialect: str = "postgres") -> list[Diagnostic]:
    """ACP301/ACP302/ACP303 diagnostics for one Alembic revision of the ACP branch.

    ``path`` is the project-relative path written into each diagnostic; ``dialect`` is the
    database's (``sql-dialect``), for name comparison and ``op.execute`` SQL. Positions are
    1-based; ``statement_lines`` spans the statement of ``upgrade()`` a finding belongs to,
    for suppression comments (applied by the caller). Text that is not Python is one ACP000.
    """
    check_dialect(dialect)
    try:
        try:
            checker = _Checker(path, text, dialect)
        except (SyntaxError, ValueError) as error:
            import warnings

            from acp_lint.rules.parse_error import python_parse_error

            with warnings.catch_warnings():  # it compiles the text again: no escape warnings
                warnings.simplefilter("ignore")
                return [python_parse_error(path, error, text)]
        return checker.run()
    except (RecursionError, MemoryError):  # the engine's protected run reports it the same way
        from acp_lint.protected import too_deep_message
        from acp_lint.rules.parse_error import parse_error

        return [parse_error(path, 1, 1, too_deep_message())]
