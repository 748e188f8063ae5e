"""Normalised table names, so "created earlier in this file" can be decided per dialect.

Rule (documented in the package docstring): a name is the tuple of its written parts
``(catalog, schema, name)``, each normalised the way the database folds identifiers:

* postgres: unquoted identifiers are lower-cased, quoted ones kept exactly;
* sqlite: every identifier is compared case-insensitively (lower-cased), quoted or not;
* mysql: identifiers are kept exactly (table names are case-sensitive on Linux with the
  default ``lower_case_table_names=0``; treating them as equal could allow a host table).

Qualification is *not* resolved: ``public.t`` and ``t`` are different names, because which
schema ``t`` means depends on the session's ``search_path``. A mismatch therefore fails closed
(reported), it never lets a host table through.
"""

from __future__ import annotations

from typing import Any

TableKey = tuple[str | None, str | None, str]


def fold(name: str, quoted: bool, dialect: str) -> str:
    """Fold one identifier the way ``dialect`` compares it."""
    if dialect == "sqlite":
        return name.lower()
    if dialect == "postgres" and not quoted:
        return name.lower()
    return name


def identifier_key(node: Any, dialect: str) -> str | None:
    """Fold a sqlglot Identifier (or None); anything else is not a plain name."""
    from sqlglot import exp

    if node is None:
        return None
    if isinstance(node, exp.Identifier):
        return fold(node.this, bool(node.args.get("quoted")), dialect)
    return None


def table_key(table: Any, dialect: str) -> TableKey | None:
    """Key of a sqlglot ``Table`` (or ``Schema`` wrapping one); None when it is no plain name."""
    from sqlglot import exp

    if isinstance(table, exp.Schema):
        table = table.this
    if not isinstance(table, exp.Table):
        return None
    name = identifier_key(table.args.get("this"), dialect)
    if name is None:
        return None
    parts: list[str | None] = []
    for part in ("catalog", "db"):
        node = table.args.get(part)
        if node is None:
            parts.append(None)
            continue
        key = identifier_key(node, dialect)
        if key is None:
            return None
        parts.append(key)
    return (parts[0], parts[1], name)


def display(key: TableKey | None, fallback: str = "?") -> str:
    """Human-readable form of a key for messages."""
    if key is None:
        return fallback
    return ".".join(p for p in key if p is not None)
