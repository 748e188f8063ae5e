"""Classify one SQL statement against the CREATE-only allow-list (DESIGN §2.4).

Fail closed: a statement passes only when it is recognised *and* on the allow-list:

* ``CREATE TABLE`` (also ``AS SELECT`` and ``PARTITION OF`` a table created earlier) --
  records the table as created when that proves it new (not with ``IF NOT EXISTS``; in a
  ``.sql`` file only inside a postgres transaction: see :class:`SqlState`);
* ``CREATE INDEX`` on a table created earlier in the file (building an index on a host table
  locks it and is reported as ACP301);
* ``ALTER TABLE`` / ``COMMENT ON`` / ``INSERT`` -- and, because ACP301 is about objects the
  migration "did not create itself", ``UPDATE`` / ``DELETE`` / ``MERGE`` / ``DROP`` /
  ``TRUNCATE`` -- on tables created earlier in the file (``CASCADE`` is always ACP301: it reaches
  objects the migration did not create);
* transaction control (``BEGIN``, ``START TRANSACTION``, ``COMMIT``, ``END``, ``ROLLBACK``,
  ``SAVEPOINT``, ``RELEASE``) and ``SET`` of lock / statement / idle-in-transaction timeouts;
* a read-only ``SELECT`` / ``VALUES`` that calls only known pure built-in functions
  (:mod:`acp_lint.sql.functions`; the same holds for defaults, checks and index expressions).

Every tree is walked for nested writes (a ``DELETE`` inside a ``WITH``), ``SELECT ... INTO``,
row locks and calls of anything but a pure built-in. Everything else, including
every ``exp.Command`` (sqlglot's "I could not parse this" node), is ACP303, or ACP301 when the
verb alone says it is destructive (``DROP``, ``RENAME``, ``GRANT``...). sqlglot is imported
lazily, only when a statement is actually classified.
"""

from __future__ import annotations

import re
from typing import Any

from acp_lint.records import field, record
from acp_lint.sql.findings import (
    CODE_DESTRUCTIVE,
    CODE_INVALID_SQL,
    CODE_UNVERIFIABLE,
    Verdict,
)
from acp_lint.sql.functions import unknown_call
from acp_lint.sql.names import TableKey, ascii_lower, display, may_be_new, table_key
from acp_lint.sql.plain_ddl import EXTENSION_REASON, classify_plain_ddl
from acp_lint.sql.plain_dml import classify_plain_dml

#: SET variables a migration may change: they only make it give up sooner.
ALLOWED_SET_VARIABLES = frozenset(
    {
        "lock_timeout",
        "statement_timeout",
        "idle_in_transaction_session_timeout",
        "innodb_lock_wait_timeout",  # mysql
        "lock_wait_timeout",  # mysql
        "max_execution_time",  # mysql
    }
)

_SET_REASONS = {
    "search_path": "changes which schema unqualified table names resolve to, so the tables "
    "of later statements cannot be trusted",
    "session_replication_role": "disables triggers and foreign-key enforcement for the session",
    "foreign_key_checks": "disables foreign-key enforcement for the session",
    "sql_mode": "changes how the server interprets later statements",
}

_TXN_START = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"}
_TXN_WORDS = _TXN_START | {
    "TRANSACTION",
    "WORK",
    "AND",
    "NO",
    "CHAIN",
    "DEFERRED",
    "IMMEDIATE",
    "EXCLUSIVE",
    "ISOLATION",
    "LEVEL",
    "READ",
    "WRITE",
    "ONLY",
    "COMMITTED",
    "UNCOMMITTED",
    "REPEATABLE",
    "SERIALIZABLE",
    "DEFERRABLE",
    "NOT",
    "WITH",
    "CONSISTENT",
    "SNAPSHOT",
    "TO",
    ",",
    ";",
}
_TXN_NAME_AFTER = {"SAVEPOINT", "RELEASE", "TO"}

_DESTRUCTIVE_VERBS = {
    "DROP": "drops objects",
    "TRUNCATE": "empties tables",
    "DELETE": "deletes rows",
    "UPDATE": "rewrites rows",
    "RENAME": "renames objects",
    "ALTER": "alters objects",
    "REPLACE": "overwrites rows",
    "GRANT": "changes privileges",
    "REVOKE": "changes privileges",
}

#: Statements sqlglot does not parse (or parses as something else): judged by their verb.
_OTHER_VERBS: dict[str, tuple[str, str]] = {
    "NOTIFY": (CODE_UNVERIFIABLE, "NOTIFY sends a message that host listeners act on"),
    "LISTEN": (CODE_UNVERIFIABLE, "LISTEN changes the session's notification channels"),
    "UNLISTEN": (CODE_UNVERIFIABLE, "UNLISTEN changes the session's notification channels"),
    "DISCARD": (CODE_UNVERIFIABLE, "DISCARD drops session state, temporary tables included"),
    "CHECKPOINT": (CODE_UNVERIFIABLE, "CHECKPOINT is server maintenance"),
    "LOAD": (CODE_UNVERIFIABLE, "LOAD loads a shared library into the server"),
    "LOCK": (CODE_UNVERIFIABLE, "LOCK takes a table lock"),
    "VACUUM": (CODE_UNVERIFIABLE, "VACUUM is table maintenance"),
    "CLUSTER": (CODE_DESTRUCTIVE, "CLUSTER rewrites a table in index order"),
    "REINDEX": (CODE_DESTRUCTIVE, "REINDEX rebuilds indexes, locking their tables"),
    "REFRESH": (CODE_DESTRUCTIVE, "REFRESH rewrites a materialized view"),
    "REASSIGN": (CODE_DESTRUCTIVE, "REASSIGN OWNED changes the owner of objects"),
    "SECURITY": (CODE_DESTRUCTIVE, "SECURITY LABEL changes an object's label"),
    "IMPORT": (CODE_UNVERIFIABLE, "IMPORT FOREIGN SCHEMA creates objects from another server"),
    "PREPARE": (CODE_UNVERIFIABLE, "PREPARE defines a statement that runs later"),
    "EXECUTE": (CODE_UNVERIFIABLE, "EXECUTE runs a prepared statement"),
    "DEALLOCATE": (CODE_UNVERIFIABLE, "DEALLOCATE changes session state"),
    "DECLARE": (CODE_UNVERIFIABLE, "DECLARE opens a cursor"),
    "FETCH": (CODE_UNVERIFIABLE, "FETCH reads from a cursor"),
    "MOVE": (CODE_UNVERIFIABLE, "MOVE moves a cursor"),
    "CLOSE": (CODE_UNVERIFIABLE, "CLOSE closes a cursor"),
    "RESET": (CODE_UNVERIFIABLE, "RESET changes session settings (search_path included)"),
    "COPY": (CODE_UNVERIFIABLE, "COPY moves rows between a table and a file or program"),
}

_ALTER_OWN_TABLE = re.compile(
    r"\s*TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"
    r"(?P<name>(?:\"[^\"]+\"|`[^`]+`|[\w$]+)(?:\.(?:\"[^\"]+\"|`[^`]+`|[\w$]+)){0,2})\s+"
    r"(?:(?:ENABLE|DISABLE|FORCE|NO\s+FORCE)\s+ROW\s+LEVEL\s+SECURITY"
    r"|ADD\s+(?:COLUMN\s+)?(?:\"[^\"]+\"|`[^`]+`|[\w$]+))\s*;?\s*$",
    re.IGNORECASE,
)

_SQLITE_UPDATE_OR = re.compile(
    r"\s*UPDATE\s+(OR\s+(?:ROLLBACK|ABORT|REPLACE|FAIL|IGNORE))\s", re.IGNORECASE
)

_BODY_KINDS = {"FUNCTION", "PROCEDURE", "TRIGGER", "EVENT", "RULE", "AGGREGATE", "OPERATOR"}

_installed_log_filter = False


def _quiet_sqlglot() -> None:
    """Drop sqlglot's "falling back to Command" warning: we report those statements ourselves."""
    global _installed_log_filter
    if _installed_log_filter:
        return
    import logging  # only with sqlglot, which imports it anyway

    class _NoFallbackWarning(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "Falling back to parsing as a 'Command'" not in record.getMessage()

    logging.getLogger("sqlglot").addFilter(_NoFallbackWarning())
    _installed_log_filter = True


@record
class SqlState:
    """Objects proven created so far in one migration file (tables and indexes, normalised keys).

    ``script`` is True for a standalone ``.sql`` file, run by a shell that carries on after an
    error (psql without ON_ERROR_STOP, the sqlite3 shell): there a ``CREATE TABLE t`` proves
    ``t`` new only on postgres and only inside an explicit transaction, until that transaction
    ends (a failed statement aborts it, so nothing after it runs until COMMIT/ROLLBACK). A
    Django migration (``script`` False) stops at its first error, so a CREATE that ran proves
    its object new. In both, ``ROLLBACK`` and ``ROLLBACK TO SAVEPOINT`` undo the proof of what
    they undo. ``host_typed`` holds new tables with a column of a user-defined type (a domain's
    CHECK may call host code on every write).
    """

    tables: set[TableKey] = field(default_factory=set)
    indexes: set[TableKey] = field(default_factory=set)
    script: bool = False
    in_transaction: bool = False
    savepoints: list[tuple[str, frozenset[TableKey], frozenset[TableKey]]] = field(
        default_factory=list
    )
    host_typed: set[TableKey] = field(default_factory=set)

    def proves_creation(self, dialect: str) -> bool:
        """Does a CREATE that this file runs now prove its object new for later statements?"""
        if not self.script:
            return True
        return dialect == "postgres" and self.in_transaction

    def forget_all(self) -> None:
        self.tables.clear()
        self.indexes.clear()
        self.savepoints.clear()

    def begin(self) -> None:
        self.in_transaction = True

    def end(self, committed: bool, chain: bool) -> None:
        """COMMIT/END (committed) or ROLLBACK/ABORT; AND CHAIN opens the next transaction."""
        if not committed or self.script:
            self.forget_all()
        self.savepoints.clear()
        self.in_transaction = chain

    def savepoint(self, name: str) -> None:
        self.savepoints.append((name, frozenset(self.tables), frozenset(self.indexes)))

    def rollback_to(self, name: str) -> None:
        """Undo to the *earliest* savepoint of that name (names may be reused): fail closed."""
        for position, (saved, tables, indexes) in enumerate(self.savepoints):
            if saved == name:
                self.tables &= tables
                self.indexes &= indexes
                del self.savepoints[position + 1 :]
                return
        self.forget_all()


def summarise(sql: str, limit: int = 60) -> str:
    """The first words of a statement, comments removed, for messages about it."""
    text = re.sub(r"/\*.*?\*/|--[^\n]*", " ", sql, flags=re.DOTALL)
    text = " ".join(text.split()).rstrip(";").strip()
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text or sql.strip()[:limit]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def executable_comment(comment: str) -> Verdict | None:
    """MySQL/MariaDB run ``/*! ... */`` and ``/*M! ... */`` comments as SQL: fail closed."""
    if comment.startswith("/*!") or comment.startswith("/*M!"):
        return Verdict(
            CODE_UNVERIFIABLE,
            f"executable comment {_shorten(comment, 40)}: MySQL runs the SQL inside it, "
            "so it cannot be proven CREATE-only",
        )
    return None


class Classifier:
    """Classifies statements one after another, remembering what the file created."""

    def __init__(self, dialect: str, state: SqlState | None = None) -> None:
        self.dialect = dialect
        self.state = state if state is not None else SqlState()
        self._sql = ""
        self._sqlglot_dialect: Any = None

    @property
    def _dialect(self) -> Any:
        """sqlglot's dialect, imported on first use (plain DML never needs it)."""
        if self._sqlglot_dialect is None:
            from sqlglot.dialects.dialect import Dialect

            _quiet_sqlglot()
            self._sqlglot_dialect = Dialect.get_or_raise(self.dialect)
        return self._sqlglot_dialect

    # -- entry point -------------------------------------------------------------------------

    def classify(self, sql: str) -> list[Verdict]:
        """Verdicts for one statement (empty when it is allowed). Updates the created set."""
        if self.dialect == "postgres":
            plain = classify_plain_dml(sql, self.state.tables, self.state.host_typed)
            if plain is not None:
                return plain
        summary = summarise(sql)
        if self.dialect == "postgres":
            plain = classify_plain_ddl(sql, summary, self.state.tables, self.state.indexes)
            if plain is not None:
                return plain
        from sqlglot.errors import ParseError, TokenError

        try:
            tokens = self._dialect.tokenize(sql)
        except TokenError:
            return [
                Verdict(
                    CODE_INVALID_SQL,
                    f"{summary}: SQL does not parse (unterminated string, quoted name, "
                    "comment or dollar quote)",
                    0,
                )
            ]
        if not tokens:
            return []
        if _is_transaction_control(tokens):
            self._transaction(tokens)
            return []
        if [t.text.upper() for t in tokens[:2]] == ["CREATE", "EXTENSION"]:
            return [_unverifiable(summary, EXTENSION_REASON, standalone=True)]
        verb = _OTHER_VERBS.get(tokens[0].text.upper())
        if (
            verb is not None
            and len(tokens) > 1
            and tokens[1].text.upper().startswith("TRANSACTION")
        ):
            self.state.end(committed=False, chain=False)  # PREPARE TRANSACTION ends it
            verb = (CODE_UNVERIFIABLE, "PREPARE TRANSACTION leaves a two-phase transaction")
        if verb is not None:
            code, reason = verb
            if tokens[0].text.upper() == "VACUUM" and any(t.text.upper() == "FULL" for t in tokens):
                code, reason = CODE_DESTRUCTIVE, "VACUUM FULL rewrites tables"
            if tokens[0].text.upper() == "LOAD" and len(tokens) > 1:
                if tokens[1].text.upper() in ("DATA", "XML"):
                    code, reason = CODE_DESTRUCTIVE, "LOAD DATA writes rows into a table"
            if code == CODE_DESTRUCTIVE:
                return [Verdict(code, f"{summary}: {reason}")]
            return [_unverifiable(summary, reason)]
        if self.dialect == "sqlite":
            sql, tokens = self._sqlite_update_or(sql, tokens)
        self._sql = sql
        try:
            trees = self._dialect.parser().parse(tokens, sql)
        except ParseError as err:
            return [self._parse_error(sql, summary, err)]
        except Exception as err:  # sqlglot may fail in other ways on odd input: fail closed
            return [
                Verdict(
                    CODE_UNVERIFIABLE,
                    f"{summary}: the SQL parser failed ({type(err).__name__}), so the statement "
                    "cannot be proven CREATE-only",
                )
            ]
        trees = [t for t in trees if t is not None and not _is_empty(t)]
        if not trees:
            return []
        # When sqlglot splits what the driver runs as one statement (a trigger body kept whole
        # by sqlparse), the later trees are fragments of a body: judge the head only.
        verdicts = self._statement(trees[0], summary)
        if len(trees) > 1 and not verdicts:
            verdicts.append(
                Verdict(
                    CODE_UNVERIFIABLE,
                    f"{summary}: the driver runs this as one statement but it parses as "
                    f"{len(trees)}, so it cannot be proven CREATE-only",
                )
            )
        return _dedupe(verdicts)

    def _transaction(self, tokens: list[Any]) -> None:
        """Follow BEGIN/COMMIT/ROLLBACK/SAVEPOINT: what a rollback undoes is no longer proven."""
        words = [t.text.upper() for t in tokens]
        first = words[0]
        chain = "CHAIN" in words and "NO" not in words
        if first in ("BEGIN", "START"):
            self.state.begin()
        elif first in ("COMMIT", "END"):
            self.state.end(committed=True, chain=chain)
        elif first == "SAVEPOINT" and len(tokens) > 1:
            self.state.savepoint(ascii_lower(tokens[1].text))
        elif first in ("ROLLBACK", "ABORT"):
            if "TO" in words:
                rest = [t for t in tokens[words.index("TO") + 1 :] if t.text.upper() != "SAVEPOINT"]
                if rest:
                    self.state.rollback_to(ascii_lower(rest[0].text))
                else:
                    self.state.forget_all()
            else:
                self.state.end(committed=False, chain=chain)

    def _sqlite_update_or(self, sql: str, tokens: list[Any]) -> tuple[str, list[Any]]:
        """``UPDATE OR REPLACE t ...`` (SQLite) is an UPDATE of ``t``: drop the conflict clause.

        The clause only decides what happens to conflicting rows of ``t`` itself; sqlglot does
        not parse it. The text keeps its length so that positions stay right.
        """
        if tokens[0].text.upper() == "REPLACE":
            # REPLACE INTO t ... is INSERT OR REPLACE INTO t ... (sqlglot misses RETURNING);
            # the statement grows by 10 characters, which only a parse error's offset sees.
            start = tokens[0].start
            sql = sql[:start] + "INSERT OR REPLACE" + sql[start + len("REPLACE") :]
            return sql, self._dialect.tokenize(sql)
        match = _SQLITE_UPDATE_OR.match(sql)
        if match is None:
            return sql, tokens
        sql = sql[: match.start(1)] + " " * (match.end(1) - match.start(1)) + sql[match.end(1) :]
        return sql, self._dialect.tokenize(sql)

    def _parse_error(self, sql: str, summary: str, err: Any) -> Verdict:
        info = err.errors[0] if getattr(err, "errors", None) else {}
        offset = 0
        line, col = info.get("line"), info.get("col")
        if isinstance(line, int) and isinstance(col, int) and line >= 1:
            lines = sql.split("\n")
            if line <= len(lines):
                start_of_line = sum(len(x) + 1 for x in lines[: line - 1])
                width = len(info.get("highlight") or "") or 1
                offset = max(0, start_of_line + col - width)
        description = info.get("description") or str(err).split("\n")[0]
        return Verdict(CODE_INVALID_SQL, f"{summary}: SQL does not parse ({description})", offset)

    # -- statements ----------------------------------------------------------------------------

    def _statement(self, tree: Any, summary: str) -> list[Verdict]:
        from sqlglot import exp

        handlers: list[tuple[type, Any]] = [
            (exp.Command, self._command),
            (exp.Create, self._create),
            (exp.Alter, self._alter),
            (exp.Comment, self._comment),
            (exp.Insert, self._dml),
            (exp.Update, self._dml),
            (exp.Delete, self._dml),
            (exp.Merge, self._dml),
            (exp.Drop, self._drop),
            (exp.TruncateTable, self._truncate),
            (exp.Set, self._set),
            (exp.Grant, self._grant),
            (exp.Revoke, self._grant),
            (exp.Transaction, self._allowed),
            (exp.Commit, self._allowed),
            (exp.Rollback, self._allowed),
            (exp.Select, self._query),
            (exp.SetOperation, self._query),
            (exp.Values, self._query),
        ]
        for cls, handler in handlers:
            if type(tree) is cls or (cls in (exp.SetOperation,) and isinstance(tree, cls)):
                return handler(tree, summary)
        if isinstance(tree, exp.Pragma):
            return [_unverifiable(summary, "PRAGMA changes how the connection behaves")]
        if isinstance(tree, exp.Use):
            return [
                _unverifiable(
                    summary, "changes the default database, so later table names cannot be trusted"
                )
            ]
        return [
            _unverifiable(
                summary,
                f"not a statement on the allow-list ({type(tree).__name__})",
            )
        ]

    def _allowed(self, tree: Any, summary: str) -> list[Verdict]:
        return []

    def _command(self, tree: Any, summary: str) -> list[Verdict]:
        verb = str(tree.this or "").upper()
        rest = str(tree.expression or "")
        rest_text = rest.this if hasattr(rest, "this") else rest
        words = str(rest_text).split()
        first = words[0].upper() if words else ""
        if verb == "DO":
            return [_unverifiable(summary, "a DO block runs procedural code")]
        if verb in ("CALL", "EXEC", "EXECUTE"):
            return [_unverifiable(summary, "runs a stored procedure")]
        if verb == "ALTER":
            allowed = self._alter_command(str(rest_text))
            if allowed is not None:
                return allowed
        if verb == "CREATE":
            kind = _create_kind(words)
            if kind in _BODY_KINDS:
                return [_unverifiable(summary, f"CREATE {kind} defines code that runs later")]
            if (
                words
                and words[0].upper() == "OR"
                and len(words) > 1
                and words[1].upper()
                in (
                    "REPLACE",
                    "ALTER",
                )
            ):
                return [
                    Verdict(
                        CODE_DESTRUCTIVE,
                        f"{summary}: CREATE OR REPLACE may replace an existing object",
                    )
                ]
            return [
                _unverifiable(
                    summary,
                    f"CREATE {first} is not recognised (unknown object type or a typo), so "
                    "it cannot be proven CREATE-only",
                    standalone=True,
                )
            ]
        if verb in _DESTRUCTIVE_VERBS:
            return [
                Verdict(
                    CODE_DESTRUCTIVE,
                    f"{summary}: {verb} {_DESTRUCTIVE_VERBS[verb]} and the statement cannot be "
                    "parsed in full to prove it touches only objects this migration created",
                )
            ]
        if verb == "SET":
            return self._set_command(summary, words)
        return [
            _unverifiable(
                summary,
                f"{verb} is not a statement the checker understands, so it cannot be proven "
                "CREATE-only",
                standalone=True,
            )
        ]

    def _alter_command(self, rest: str) -> list[Verdict] | None:
        """ALTER TABLE forms sqlglot does not parse, allowed on a table the file created.

        Only shapes that touch nothing but that table: ``ENABLE/DISABLE/FORCE/NO FORCE ROW
        LEVEL SECURITY`` and ``ADD [COLUMN] name`` without a type (SQLite). None: not one.
        """
        match = _ALTER_OWN_TABLE.match(rest)
        if match is None:
            return None
        from sqlglot import exp
        from sqlglot.errors import SqlglotError

        try:
            table = exp.to_table(match.group("name"), dialect=self.dialect)
        except (SqlglotError, ValueError):
            return None
        key = table_key(table, self.dialect)
        if key is None or key not in self.state.tables:
            return None
        return []

    def _set_command(self, summary: str, words: list[str]) -> list[Verdict]:
        name = words[0].lower().rstrip("=") if words else ""
        if words and words[0].upper() in ("LOCAL", "SESSION") and len(words) > 1:
            name = words[1].lower().rstrip("=")
        reason = _SET_REASONS.get(name, f"SET {name} is not one of the allowed timeouts")
        return [_unverifiable(summary, reason)]

    def _create(self, tree: Any, summary: str) -> list[Verdict]:
        from sqlglot import exp

        kind = str(tree.args.get("kind") or "").upper()
        if kind in _BODY_KINDS or isinstance(tree.this, exp.UserDefinedFunction):
            return [_unverifiable(summary, f"CREATE {kind} defines code that runs later")]
        if tree.args.get("replace"):
            return [
                Verdict(
                    CODE_DESTRUCTIVE,
                    f"{summary}: CREATE OR REPLACE may replace an existing object that this "
                    "migration did not create",
                )
            ]
        if kind == "TABLE":
            return self._create_table(tree, summary)
        if kind == "INDEX":
            return self._create_index(tree, summary)
        return [
            _unverifiable(
                summary,
                f"CREATE {kind or '?'} is not on the allow-list (only CREATE TABLE and "
                "CREATE INDEX are)",
            )
        ]

    def _create_table(self, tree: Any, summary: str) -> list[Verdict]:
        from sqlglot import exp

        key = table_key(tree.this, self.dialect)
        if key is None:
            return [_unverifiable(summary, "the created table's name is not a plain name")]
        verdicts: list[Verdict] = []
        properties = tree.args.get("properties")
        host_typed = False
        if properties is not None:
            for prop in properties.expressions:
                if isinstance(prop, exp.PartitionedOfProperty):
                    parent_key = table_key(prop.this, self.dialect)
                    if parent_key in self.state.tables:
                        host_typed = parent_key in self.state.host_typed
                        continue
                    verdicts.append(
                        Verdict(
                            CODE_DESTRUCTIVE,
                            f"{summary}: attaches a partition to {display(parent_key)}, a table "
                            "this migration did not create",
                        )
                    )
                elif isinstance(prop, exp.InheritsProperty):
                    verdicts.append(
                        _unverifiable(
                            summary,
                            "INHERITS makes the new table's rows appear in its parent tables",
                        )
                    )
        schema = tree.this
        for like in schema.find_all(exp.LikeProperty) if schema is not None else ():
            if like.expressions:
                verdicts.append(
                    _unverifiable(
                        summary,
                        f"LIKE {display(table_key(like.this, self.dialect))} INCLUDING ... copies "
                        "defaults, checks or indexes that may call host functions",
                    )
                )
        for column_type in tree.find_all(exp.DataType):
            if column_type.this == exp.DataType.Type.USERDEFINED:
                host_typed = True
        verdicts.extend(self._nested(tree, summary))
        if verdicts:
            return verdicts
        # IF NOT EXISTS proves nothing (DESIGN §10): a host table of that name stays untouched
        # by the CREATE and every later statement on the name reaches it.
        if (
            not tree.args.get("exists")
            and self.state.proves_creation(self.dialect)
            and may_be_new(key, self.dialect)
        ):
            self.state.tables.add(key)
            if host_typed:
                self.state.host_typed.add(key)
        return verdicts

    def _create_index(self, tree: Any, summary: str) -> list[Verdict]:
        index = tree.this
        table = index.args.get("table") if index is not None else None
        key = table_key(table, self.dialect)
        if key is None:
            return [_unverifiable(summary, "the indexed table is not a plain name")]
        if key not in self.state.tables:
            return [
                Verdict(
                    CODE_DESTRUCTIVE,
                    f"CREATE INDEX on {display(key)}: builds an index on a table this migration "
                    "did not create (that locks the table while the index is built)",
                )
            ]
        verdicts = self._nested(tree, summary)
        if not verdicts and not tree.args.get("exists"):
            # CREATE INDEX IF NOT EXISTS with a host index's name creates nothing: not recorded
            name = index.args.get("this")
            from acp_lint.sql.names import identifier_key

            index_name = identifier_key(name, self.dialect)
            if index_name is not None and self.state.proves_creation(self.dialect):
                self.state.indexes.add((key[0], key[1], index_name))
        return verdicts

    def _alter(self, tree: Any, summary: str) -> list[Verdict]:
        from sqlglot import exp

        kind = str(tree.args.get("kind") or "").upper()
        key = table_key(tree.this, self.dialect)
        created = self.state.indexes if kind == "INDEX" else self.state.tables
        if kind not in ("TABLE", "INDEX") or key is None or key not in created:
            what = "a table" if kind == "TABLE" else "an object"
            return [
                Verdict(
                    CODE_DESTRUCTIVE,
                    f"ALTER {kind or '?'} {display(key)}: modifies {what} this migration did "
                    "not create",
                )
            ]
        if tree.args.get("cascade"):
            return [_cascade(summary)]
        verdicts = self._nested(tree, summary)
        if verdicts:
            return verdicts
        if any(t.this == exp.DataType.Type.USERDEFINED for t in tree.find_all(exp.DataType)):
            return [
                _unverifiable(
                    summary,
                    "a column of a user-defined type: converting or filling existing rows runs "
                    "its input function or domain CHECK, which may call host code",
                )
            ]
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AlterRename):
                new = table_key(action.this, self.dialect)
                if new is None:
                    return [_unverifiable(summary, "the new name is not a plain name")]
                if new[0] is None and new[1] is None:  # RENAME TO keeps the schema
                    new = (key[0], key[1], new[2])
                created.discard(key)
                created.add(new)
        return []

    def _comment(self, tree: Any, summary: str) -> list[Verdict]:
        from sqlglot import exp

        kind = str(tree.args.get("kind") or "").upper()
        target = tree.this
        key: TableKey | None = None
        created = self.state.tables
        if kind == "TABLE":
            key = table_key(target, self.dialect)
        elif kind == "COLUMN" and isinstance(target, exp.Column):
            table = exp.Table(
                this=target.args.get("table"),
                db=target.args.get("db"),
                catalog=target.args.get("catalog"),
            )
            key = table_key(table, self.dialect)
        elif kind == "INDEX":
            key = table_key(target, self.dialect)
            created = self.state.indexes
        if key is None or key not in created:
            return [
                Verdict(
                    CODE_DESTRUCTIVE,
                    f"COMMENT ON {kind or '?'} {display(key, summary)}: modifies an object "
                    "this migration did not create",
                )
            ]
        return []

    def _dml(self, tree: Any, summary: str, nested: bool = False) -> list[Verdict]:
        from sqlglot import exp

        verb = {exp.Insert: "INSERT INTO", exp.Update: "UPDATE", exp.Delete: "DELETE FROM"}.get(
            type(tree), "MERGE INTO"
        )
        where = " inside another statement" if nested else ""
        if isinstance(tree, exp.Insert) and tree.args.get("is_function"):
            return [_unverifiable(summary, "INSERT INTO FUNCTION is not on the allow-list")]
        targets = [tree.this]
        if isinstance(tree, exp.Delete):
            targets += list(tree.args.get("tables") or [])
        for target in targets:
            key = table_key(target, self.dialect)
            if key is None or key not in self.state.tables:
                return [
                    Verdict(
                        CODE_DESTRUCTIVE,
                        f"{verb} {display(key, '?')}{where}: writes a table this migration "
                        "did not create",
                    )
                ]
        if key in self.state.host_typed:
            return [
                _unverifiable(
                    summary,
                    f"{verb} {display(key)}: the table has a column of a user-defined type "
                    "(a domain's CHECK may call host functions)",
                )
            ]
        if isinstance(tree, exp.Update):
            bad = self._update_foreign_targets(tree)
            if bad:
                return [
                    Verdict(
                        CODE_DESTRUCTIVE,
                        f"{verb} {display(table_key(tree.this, self.dialect))}: also sets "
                        f"columns of {bad}, a table this migration did not create",
                    )
                ]
        if nested:
            return []
        return self._nested(tree, summary)

    def _update_foreign_targets(self, tree: Any) -> str | None:
        """MySQL multi-table UPDATE can set columns of a joined table; name one, if so."""
        from sqlglot import exp

        target = tree.this
        allowed = set()
        if isinstance(target, exp.Table):
            allowed.add(target.name.lower())
            if target.alias:
                allowed.add(target.alias.lower())
        for assignment in tree.expressions:
            left = assignment.this if isinstance(assignment, exp.EQ) else None
            if isinstance(left, exp.Column) and left.table and left.table.lower() not in allowed:
                return left.table
        return None

    def _drop(self, tree: Any, summary: str) -> list[Verdict]:
        kind = str(tree.args.get("kind") or "").upper()
        if tree.args.get("cascade"):
            return [_cascade(summary)]
        created = {"TABLE": self.state.tables, "INDEX": self.state.indexes}.get(kind)
        keys = [table_key(t, self.dialect) for t in tree.args.get("tables") or []]
        if created is None or not keys or any(k is None or k not in created for k in keys):
            bad = next((k for k in keys if k is None or created is None or k not in created), None)
            return [
                Verdict(
                    CODE_DESTRUCTIVE,
                    f"DROP {kind or '?'} {display(bad, summary)}: drops an object this "
                    "migration did not create",
                )
            ]
        for key in keys:
            created.discard(key)  # type: ignore[arg-type]
        return []

    def _truncate(self, tree: Any, summary: str) -> list[Verdict]:
        option = str(tree.args.get("option") or "").upper()
        if "CASCADE" in option:
            return [_cascade(summary)]
        for table in tree.expressions:
            key = table_key(table, self.dialect)
            if key is None or key not in self.state.tables:
                return [
                    Verdict(
                        CODE_DESTRUCTIVE,
                        f"TRUNCATE {display(key, summary)}: empties a table this migration did "
                        "not create",
                    )
                ]
        return []

    def _grant(self, tree: Any, summary: str) -> list[Verdict]:
        verb = type(tree).__name__.upper()
        return [Verdict(CODE_DESTRUCTIVE, f"{summary}: {verb} changes privileges")]

    def _set(self, tree: Any, summary: str) -> list[Verdict]:
        from sqlglot import exp

        for item in tree.expressions:
            eq = item.this if isinstance(item, exp.SetItem) else None
            kind = str(item.args.get("kind") or "").upper() if isinstance(item, exp.SetItem) else ""
            if kind not in ("", "LOCAL", "SESSION") or not isinstance(eq, exp.EQ):
                return [
                    _unverifiable(summary, "only SET of lock and statement timeouts is allowed")
                ]
            name = _set_name(eq.this)
            if name is None:
                return [
                    _unverifiable(summary, "only SET of lock and statement timeouts is allowed")
                ]
            if name not in ALLOWED_SET_VARIABLES:
                reason = _SET_REASONS.get(name, f"SET {name} is not one of the allowed timeouts")
                return [_unverifiable(summary, reason)]
            if not isinstance(eq.expression, (exp.Literal, exp.Var, exp.Column, exp.Identifier)):
                return [_unverifiable(summary, "the timeout value is not a literal")]
        return []

    def _query(self, tree: Any, summary: str) -> list[Verdict]:
        return self._nested(tree, summary)

    # -- nested parts ------------------------------------------------------------------------

    def _nested(self, tree: Any, summary: str) -> list[Verdict]:
        """Writes, SELECT INTO, row locks and calls of anything but a pure built-in below ``tree``.

        Calls are reported wherever they stand, column defaults and checks included: a later
        write runs them (``DEFAULT nextval('host_seq')``).
        """
        from sqlglot import exp

        verdicts: list[Verdict] = []
        for node in tree.walk():
            if node is tree:
                continue
            if isinstance(node, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
                if isinstance(tree, exp.Merge) and node.find_ancestor(exp.When) is not None:
                    continue  # WHEN ... THEN UPDATE/INSERT/DELETE writes the MERGE target
                verdicts.extend(self._dml(node, summary, nested=True))
            elif (
                isinstance(tree, exp.Alter)
                and isinstance(node, exp.Drop)
                and node.parent is tree
                and str(node.args.get("kind") or "").upper() in ("COLUMN", "CONSTRAINT")
            ):
                continue  # ALTER TABLE <own table> DROP COLUMN / CONSTRAINT
            elif isinstance(
                node,
                (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable, exp.Command, exp.Grant),
            ):
                verdicts.append(
                    _unverifiable(summary, f"contains a nested {type(node).__name__} statement")
                )
            elif isinstance(node, exp.Into):
                verdicts.append(_unverifiable(summary, "SELECT ... INTO creates or writes a table"))
            elif isinstance(node, exp.Lock):
                verdicts.append(_unverifiable(summary, "locks rows (FOR UPDATE / FOR SHARE)"))
            elif isinstance(node, (exp.Func, exp.NextValueFor)):
                if isinstance(node.parent, exp.PartitionedByProperty) and (
                    unknown_call(node, self._sql) or ""
                ).upper() in ("LIST", "RANGE", "HASH"):
                    continue  # PARTITION BY RANGE (...): the strategy, not a call
                name = unknown_call(node, self._sql)
                if name is not None:
                    verdicts.append(
                        _unverifiable(
                            summary,
                            f"calls {name}, which is not a known pure built-in function (it "
                            "may run host code or advance a host sequence)",
                        )
                    )
        return verdicts


# -- helpers ---------------------------------------------------------------------------------


def _unverifiable(summary: str, reason: str, standalone: bool = False) -> Verdict:
    if standalone:
        return Verdict(CODE_UNVERIFIABLE, f"{summary}: {reason}")
    return Verdict(CODE_UNVERIFIABLE, f"{summary}: {reason}; cannot be proven CREATE-only")


def _cascade(summary: str) -> Verdict:
    return Verdict(
        CODE_DESTRUCTIVE,
        f"{summary}: CASCADE also reaches objects this migration did not create",
    )


def _create_kind(words: list[str]) -> str:
    """The object kind of an unparsed CREATE (skips OR REPLACE, DEFINER=..., TEMP...)."""
    skip = {"OR", "REPLACE", "ALTER", "TEMP", "TEMPORARY", "UNIQUE", "CONSTRAINT", "OR REPLACE"}
    for word in words:
        upper = word.upper()
        if upper in skip or upper.startswith("DEFINER"):
            continue
        return upper
    return ""


def _set_name(node: Any) -> str | None:
    from sqlglot import exp

    if isinstance(node, exp.SessionParameter):
        return str(node.name).lower()
    if isinstance(node, (exp.Column, exp.Var, exp.Identifier)):
        name = node.name
        if isinstance(node, exp.Column) and node.table:
            if node.table.lower() not in ("session", "local"):
                return None
        return str(name).lower()
    return None


def _is_transaction_control(tokens: list[Any]) -> bool:
    """``BEGIN``/``START TRANSACTION``/``COMMIT``/``SAVEPOINT x``... and nothing else."""
    if tokens[0].text.upper() not in _TXN_START:
        return False
    previous = ""
    for token in tokens:
        upper = token.text.upper()
        if previous in _TXN_NAME_AFTER and upper not in _TXN_WORDS:
            previous = "<name>"
            continue
        if previous == "TO" and upper == "SAVEPOINT":
            previous = upper
            continue
        if upper not in _TXN_WORDS:
            return False
        previous = upper
    # "BEGIN" followed by a body ("BEGIN NOT ATOMIC ...", trigger bodies) never gets here:
    # any word outside the vocabulary above fails the test.
    return True


def _dedupe(verdicts: list[Verdict]) -> list[Verdict]:
    seen: set[tuple[str, str]] = set()
    out: list[Verdict] = []
    for v in verdicts:
        if (v.code, v.message) not in seen:
            seen.add((v.code, v.message))
            out.append(v)
    return out


def _is_empty(tree: Any) -> bool:
    """A lone ``;`` or comment that sqlglot returns as its own expression."""
    from sqlglot import exp

    return isinstance(tree, exp.Semicolon)
