"""Normalised table names, so "created earlier in this file" can be decided per dialect.

A name is the tuple of its written parts ``(catalog, schema, name)``, each normalised the way
the database itself compares identifiers (DESIGN §2.4):

* postgres: unquoted identifiers fold ASCII ``A-Z`` only (``DONNÉES`` is ``donnÉes``, not
  ``données``), quoted ones are kept; every identifier is then truncated to 63 bytes of UTF-8
  (on a character boundary), as the server does (NAMEDATALEN - 1). The schema ``public`` is
  dropped, so ``public.t`` and ``t`` are one name: the default ``search_path`` resolves ``t``
  to ``public`` (a schema named after the role, ``"$user"``, is assumed absent, as in Django's
  default set-up). Unqualified ``pg_*`` names are never "new": ``pg_catalog`` is searched first.
* sqlite: every identifier, quoted or not, folds ASCII ``A-Z`` only (SQLite's ``nocase``
  comparison; ``"host_K"`` with a Kelvin sign is not ``host_k``);
* mysql: identifiers are kept exactly (table names are case-sensitive on Linux; two names that
  are equal here are equal on every platform, which is the direction that matters).

Other qualifications are not resolved (``main.t`` and ``t`` differ): a mismatch fails closed.
"""

from __future__ import annotations

from typing import Any

TableKey = tuple[str | None, str | None, str]

#: PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated, quoted or not.
PG_MAX_IDENTIFIER_BYTES = 63

_ASCII_UPPER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def ascii_lower(name: str) -> str:
    """Lower-case ASCII letters only, as PostgreSQL and SQLite fold names."""
    return name.translate(_ASCII_UPPER)


def pg_truncate(name: str) -> str:
    """Cut ``name`` to 63 bytes of UTF-8 without splitting a character (pg_mbcliplen)."""
    data = name.encode("utf-8")
    if len(data) <= PG_MAX_IDENTIFIER_BYTES:
        return name
    return data[:PG_MAX_IDENTIFIER_BYTES].decode("utf-8", errors="ignore")


def fold(name: str, quoted: bool, dialect: str) -> str:
    """Fold one identifier the way ``dialect`` compares it."""
    if dialect == "sqlite":
        return ascii_lower(name)
    if dialect == "postgres":
        return pg_truncate(name if quoted else ascii_lower(name))
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
    return normal_key((parts[0], parts[1], name), dialect)


def normal_key(key: TableKey, dialect: str) -> TableKey:
    """``public.t`` is ``t`` on postgres (see the module docstring)."""
    if dialect == "postgres" and key[0] is None and key[1] == "public":
        return (None, None, key[2])
    return key


def may_be_new(key: TableKey, dialect: str) -> bool:
    """Can a CREATE of ``key`` make later statements on ``key`` reach the new object?

    On postgres an unqualified ``pg_*`` name resolves to ``pg_catalog`` first, whatever the
    migration created in ``public``.
    """
    return not (dialect == "postgres" and key[1] is None and key[2].startswith("pg_"))


def display(key: TableKey | None, fallback: str = "?") -> str:
    """Human-readable form of a key for messages."""
    if key is None:
        return fallback
    return ".".join(p for p in key if p is not None)
