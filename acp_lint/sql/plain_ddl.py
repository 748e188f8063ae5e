"""Judge the plainest DROP, ALTER and CREATE EXTENSION without sqlglot (importing it costs
a process ~0.1 s, more than the rest of a small project's run).

Real migrations' raw SQL is mostly housekeeping on the host's own tables: ``DROP TABLE IF
EXISTS django_celery_results_taskresult``, ``ALTER TABLE cookbook_food_properties RENAME TO
...``, and Django's ``TrigramExtension()``, which runs ``CREATE EXTENSION IF NOT EXISTS
"pg_trgm"``. For a statement of exactly this grammar (postgres; names and values as
``acp_lint.sql.plain_grammar`` allows)::

    DROP {TABLE | INDEX [CONCURRENTLY] | SEQUENCE | VIEW} [IF EXISTS] name [RESTRICT] [;]
    ALTER TABLE [IF EXISTS] [ONLY] name {RENAME TO name | RENAME [COLUMN] name TO name
        | DROP {CONSTRAINT | COLUMN} [IF EXISTS] name
        | ALTER [COLUMN] name {SET DEFAULT value | DROP DEFAULT | {SET | DROP} NOT NULL}} [;]
    ALTER INDEX [IF EXISTS] name RENAME TO name [;]
    CREATE EXTENSION {word | "name"} ... [;]

the verdict depends on the verb and the object's name alone: ACP301 when the migration did not
create the object (a sequence or view it never records as created), ACP303 for every CREATE
EXTENSION. An object the migration did create goes to the full path, which also records what
the statement changes. ``tests/sql/test_sql_plain_ddl.py`` checks every answer against the
full classifier.
"""

from __future__ import annotations

import re
from functools import cache

from acp_lint.sql.findings import CODE_DESTRUCTIVE, CODE_UNVERIFIABLE, Verdict
from acp_lint.sql.names import TableKey, display, fold
from acp_lint.sql.plain_grammar import (
    END,
    NAME_OR_QUOTED,
    QUOTED,
    VALUE,
    WS,
    unquoted,
    uses_a_keyword,
)

#: Why CREATE EXTENSION is ACP303 (the full classifier gives the same reason).
EXTENSION_REASON = (
    "CREATE EXTENSION runs the extension's install script, which may create or change any "
    "object in the database, so it cannot be proven CREATE-only"
)

_IF_EXISTS = rf"(?:{WS}+IF{WS}+EXISTS)?"
_DROP = (
    rf"DROP{WS}+(?P<kind>TABLE|INDEX(?:{WS}+CONCURRENTLY)?|SEQUENCE|VIEW){_IF_EXISTS}"
    rf"{WS}+(?P<name>{NAME_OR_QUOTED})(?:{WS}+RESTRICT)?{END}"
)
_TABLE_ACTION = (
    rf"(?:RENAME{WS}+TO{WS}+{NAME_OR_QUOTED}"
    rf"|RENAME(?:{WS}+COLUMN)?{WS}+{NAME_OR_QUOTED}{WS}+TO{WS}+{NAME_OR_QUOTED}"
    rf"|DROP{WS}+(?:CONSTRAINT|COLUMN){_IF_EXISTS}{WS}+{NAME_OR_QUOTED}"
    rf"|ALTER(?:{WS}+COLUMN)?{WS}+{NAME_OR_QUOTED}{WS}+"
    rf"(?:SET{WS}+DEFAULT{WS}+{VALUE}|DROP{WS}+DEFAULT|(?:SET|DROP){WS}+NOT{WS}+NULL))"
)
_ALTER = (
    rf"ALTER{WS}+(?:(?P<table>TABLE){_IF_EXISTS}(?:{WS}+ONLY)?{WS}+(?P<tname>{NAME_OR_QUOTED})"
    rf"{WS}+{_TABLE_ACTION}"
    rf"|(?P<index>INDEX){_IF_EXISTS}{WS}+(?P<iname>{NAME_OR_QUOTED}){WS}+RENAME{WS}+TO{WS}+"
    rf"{NAME_OR_QUOTED}){END}"
)
# Any CREATE EXTENSION is ACP303: the rest only has to be words the tokenizer cannot fail on.
_EXTENSION = rf"CREATE{WS}+EXTENSION(?:{WS}+(?:[A-Za-z0-9_]+|{QUOTED}))+{END}"


_PATTERNS = {"CREATE": _EXTENSION, "DROP": _DROP, "ALTER": _ALTER}


@cache
def _pattern(verb: str) -> re.Pattern[str]:
    """The grammar of statements starting with ``verb``, compiled on first use (the three
    take ~5 ms, which a run whose raw SQL has none of them never pays)."""
    return re.compile(_PATTERNS[verb], re.IGNORECASE)


def classify_plain_ddl(
    sql: str, summary: str, tables: set[TableKey], indexes: set[TableKey]
) -> list[Verdict] | None:
    """The classifier's verdicts for a plain DROP/ALTER/CREATE EXTENSION (postgres), or None
    if the statement is not one, or names an object the migration created."""
    words = sql[:7].split(maxsplit=1)
    verb = words[0].upper() if words else ""
    if verb not in _PATTERNS or uses_a_keyword(sql):
        return None
    match = _pattern(verb).fullmatch(sql)
    if match is None:
        return None
    if verb == "CREATE":
        return [Verdict(CODE_UNVERIFIABLE, f"{summary}: {EXTENSION_REASON}")]
    if verb == "DROP":
        kind = match.group("kind").split()[0].upper()
        key = _key(match.group("name"))
        created = {"TABLE": tables, "INDEX": indexes}.get(kind)
        if created is not None and key in created:
            return None
        return [
            Verdict(
                CODE_DESTRUCTIVE,
                f"DROP {kind} {display(key)}: drops an object this migration did not create",
            )
        ]
    table = match.group("table") is not None
    key = _key(match.group("tname") if table else match.group("iname"))
    if key in (tables if table else indexes):
        return None
    kind, what = ("TABLE", "a table") if table else ("INDEX", "an object")
    return [
        Verdict(
            CODE_DESTRUCTIVE,
            f"ALTER {kind} {display(key)}: modifies {what} this migration did not create",
        )
    ]


def _key(name: str) -> TableKey:
    text, quoted = unquoted(name)
    return (None, None, fold(text, quoted, "postgres"))
