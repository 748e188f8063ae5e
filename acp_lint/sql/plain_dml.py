"""Judge the plainest UPDATE/DELETE without sqlglot (it costs a worker process ~0.2 s to import).

Data migrations are full of ``UPDATE app_model SET flag = NULL WHERE id < 0`` on the host's
own tables. For a statement of exactly this grammar (postgres; names and values as
``acp_lint.sql.plain_grammar`` allows)::

    UPDATE name SET col = value [, col = value ...] [WHERE col op value [AND|OR ...]] [;]
    DELETE FROM name [WHERE col op value [AND|OR ...]] [;]

the classifier's verdict is known without parsing: ACP301 when the table was not created
earlier in the migration, nothing when it was (no call, no nested statement can hide in such
a text), and anything else (a table with a user-defined column type) goes to the full path.
``tests/sql/test_sql_plain_dml.py`` checks every answer against the full classifier.
"""

from __future__ import annotations

import re
from functools import cache

from acp_lint.sql.findings import CODE_DESTRUCTIVE, Verdict
from acp_lint.sql.names import TableKey, display, fold
from acp_lint.sql.plain_grammar import END, NAME, VALUE, WS, uses_a_keyword

_OP = r"(?:<>|!=|<=|>=|=|<|>)"
_CONDITION = rf"{NAME}{WS}*{_OP}{WS}*{VALUE}"
_WHERE = rf"(?:{WS}+WHERE{WS}+{_CONDITION}(?:{WS}+(?:AND|OR){WS}+{_CONDITION})*)?"
_ASSIGN = rf"{NAME}{WS}*={WS}*{VALUE}"
_STATEMENT = (
    rf"(?:UPDATE{WS}+(?P<update>{NAME}){WS}+SET{WS}+{_ASSIGN}"
    rf"(?:{WS}*,{WS}*{_ASSIGN})*"
    rf"|DELETE{WS}+FROM{WS}+(?P<delete>{NAME})){_WHERE}{END}"
)


@cache
def _statement() -> re.Pattern[str]:
    """Compiled on first use: ~3 ms that a run without raw SQL never pays."""
    return re.compile(_STATEMENT, re.IGNORECASE)


def classify_plain_dml(
    sql: str, tables: set[TableKey], host_typed: set[TableKey]
) -> list[Verdict] | None:
    """The classifier's verdicts for a plain UPDATE/DELETE (postgres), or None if not one."""
    if sql[:6].upper() not in ("UPDATE", "DELETE"):
        return None
    match = _statement().fullmatch(sql)
    if match is None:
        return None
    if uses_a_keyword(sql):
        return None
    update = match.group("update")
    name = update if update is not None else match.group("delete")
    key: TableKey = (None, None, fold(name, False, "postgres"))
    if key not in tables:
        verb = "UPDATE" if update is not None else "DELETE FROM"
        return [
            Verdict(
                CODE_DESTRUCTIVE,
                f"{verb} {display(key, '?')}: writes a table this migration did not create",
            )
        ]
    if key in host_typed:
        return None  # the full path words this one
    return []
