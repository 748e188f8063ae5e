"""The words of the sqlglot-free paths (``plain_dml``, ``plain_ddl``): a grammar so narrow that
a statement matching it means the same to PostgreSQL, to sqlglot and to the full classifier.

A plain name is unquoted and cannot be a grammar word: it is one of ``SHORT_NAMES`` or has a
``_`` or a digit (no SQL keyword without one), and no word of the statement may be one of
sqlglot's keywords that do have one (``KEYWORDS_WITH_UNDERSCORE_OR_DIGIT``). A quoted name is
one ASCII word, kept as written (quoted names do not fold). A value is a literal
number, NULL, TRUE, FALSE or a string without quotes or backslashes inside (what the string
means never matters, and nothing can hide in it). ``tests/sql/test_sql_plain_dml.py`` checks
the word lists against sqlglot's own.
"""

from __future__ import annotations

import re

#: Common column names without ``_`` or a digit that are no SQL words at all (a test checks
#: sqlglot's list; ``ORDER`` or ``KEY`` are not on it, yet are grammar words, so this list
#: takes only names that are obviously data).
SHORT_NAMES = frozenset(
    {"ID", "PK", "APP", "MODEL", "SLUG", "CODENAME", "EMAIL", "TITLE", "LABEL", "USERNAME"}
)
WS = r"[ \t\r\n]"  # whitespace every tokenizer skips
#: A plain name: one of SHORT_NAMES or a word with ``_`` or a digit (grammar words have neither).
NAME = rf"(?:(?:{'|'.join(sorted(SHORT_NAMES))})|(?=[A-Za-z0-9_]*[_0-9])[A-Za-z_][A-Za-z0-9_]*)\b"
#: A quoted name of one ASCII word (kept as written: ``names.fold`` knows it was quoted).
QUOTED = r'"[A-Za-z_][A-Za-z0-9_]*"'
#: A plain name, or a quoted one.
NAME_OR_QUOTED = rf"(?:{NAME}|{QUOTED})"
VALUE = r"(?:NULL|TRUE|FALSE|-?[0-9]+(?:\.[0-9]+)?|'[^'\\]*')"
END = rf"{WS}*;?"
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: sqlglot postgres keywords and special words with ``_`` or a digit (a test checks that this
#: covers all of them); a statement using one goes to the full path.
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


def uses_a_keyword(sql: str) -> bool:
    """Some word of ``sql`` (strings included: that only sends more to the full path) is one
    of sqlglot's keywords that look like names."""
    return any(word.upper() in KEYWORDS_WITH_UNDERSCORE_OR_DIGIT for word in _WORD.findall(sql))


def unquoted(name: str) -> tuple[str, bool]:
    """A matched ``NAME_OR_QUOTED`` without its quotes, and whether it had them."""
    if name.startswith('"'):
        return name[1:-1], True
    return name, False
