"""Judge the plainest UPDATE/DELETE without sqlglot (it costs a worker process ~0.2 s to import).

Data migrations are full of ``UPDATE app_model SET flag = NULL WHERE id < 0`` on the host's
own tables. For a statement of exactly this grammar (postgres; names plain, unquoted and not
sqlglot keywords; values literal numbers, NULL, TRUE or FALSE)::

    UPDATE name SET col = value [, col = value ...] [WHERE col op value [AND|OR ...]] [;]
    DELETE FROM name [WHERE col op value [AND|OR ...]] [;]

the classifier's verdict is known without parsing: ACP301 when the table was not created
earlier in the migration, nothing when it was (no call, no nested statement can hide in such
a text), and anything else (a table with a user-defined column type) goes to the full path.
``tests/sql/test_sql_plain_dml.py`` checks every answer against the full classifier and the
word lists below against sqlglot's keywords.
"""

from __future__ import annotations

import re

from acp_lint.sql.findings import CODE_DESTRUCTIVE, Verdict
from acp_lint.sql.names import TableKey, display, fold

#: Names without ``_`` or a digit that are not sqlglot keywords (a test checks it).
SHORT_NAMES = frozenset({"ID", "PK"})
_S = r"[ \t\r\n]"  # whitespace every tokenizer skips
#: A plain name: one of SHORT_NAMES or a word with ``_`` or a digit (grammar words have neither).
_NAME = rf"(?:(?:{'|'.join(sorted(SHORT_NAMES))})|(?=[A-Za-z0-9_]*[_0-9])[A-Za-z_][A-Za-z0-9_]*)\b"
_VALUE = r"(?:NULL|TRUE|FALSE|-?[0-9]+(?:\.[0-9]+)?)"
_OP = r"(?:<>|!=|<=|>=|=|<|>)"
_CONDITION = rf"{_NAME}{_S}*{_OP}{_S}*{_VALUE}"
_WHERE = rf"(?:{_S}+WHERE{_S}+{_CONDITION}(?:{_S}+(?:AND|OR){_S}+{_CONDITION})*)?"
_ASSIGN = rf"{_NAME}{_S}*={_S}*{_VALUE}"
_END = rf"{_S}*;?"
_STATEMENT = re.compile(
    rf"(?:UPDATE{_S}+(?P<update>{_NAME}){_S}+SET{_S}+{_ASSIGN}"
    rf"(?:{_S}*,{_S}*{_ASSIGN})*"
    rf"|DELETE{_S}+FROM{_S}+(?P<delete>{_NAME})){_WHERE}{_END}",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: sqlglot postgres keywords and special words with ``_`` or a digit (a test checks that this
#: covers all of them); names matching one go to the full path.
KEYWORDS_WITH_UNDERSCORE_OR_DIGIT = frozenset(
    {
        "AUTO_INCREMENT",
        "CONNECT_BY_ROOT",
        "CURRENT_CATALOG",
        "CURRENT_DATE",
        "CURRENT_DATETIME",
        "CURRENT_ROLE",
        "CURRENT_SCHEMA",
        "CURRENT_TIME",
        "CURRENT_TIMESTAMP",
        "CURRENT_USER",
        "DECIMAL128",
        "DECIMAL256",
        "DECIMAL32",
        "DECIMAL64",
        "FLOAT4",
        "FLOAT8",
        "INT1",
        "INT128",
        "INT16",
        "INT2",
        "INT256",
        "INT32",
        "INT4",
        "INT4MULTIRANGE",
        "INT4RANGE",
        "INT64",
        "INT8",
        "INT8MULTIRANGE",
        "INT8RANGE",
        "NVARCHAR2",
        "PARTITIONED_BY",
        "SESSION_USER",
        "STRAIGHT_JOIN",
        "TIMESTAMP_LTZ",
        "TIMESTAMP_NTZ",
        "TIME_NS",
        "UINT128",
        "UINT256",
        "VARCHAR2",
    }
)


def classify_plain_dml(
    sql: str, tables: set[TableKey], host_typed: set[TableKey]
) -> list[Verdict] | None:
    """The classifier's verdicts for a plain UPDATE/DELETE (postgres), or None if not one."""
    match = _STATEMENT.fullmatch(sql)
    if match is None:
        return None
    if any(word.upper() in KEYWORDS_WITH_UNDERSCORE_OR_DIGIT for word in _WORD.findall(sql)):
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
