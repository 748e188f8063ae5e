"""Fail-closed CREATE-only checking of ACP migrations: SQL files and Django migration modules.

Public API (importing this package imports neither sqlglot nor sqlparse nor libcst; they are
imported inside the functions, when a file is actually checked):

* :func:`check_sql` -- an SQL file, split as Django's RunSQL splits it (``sqlparse.split``),
  every statement parsed with sqlglot in the configured dialect and classified against the
  allow-list of DESIGN §2.4 (see :mod:`acp_lint.sql.classify` for the exact list).
* :func:`check_migration_module` -- a Django migration ``.py`` file, read statically with libcst
  (see :mod:`acp_lint.sql.django_migrations` for the operation table).
* :func:`looks_like_django_migration` -- a cheap text test, no parsing.

Table names are compared as written, folded per dialect (see :mod:`acp_lint.sql.names`):
``public.t`` and ``t`` are different tables, which fails closed.
"""

from __future__ import annotations

import re

from acp_lint.sql.findings import SUPPORTED_DIALECTS, SqlFinding

__all__ = [
    "SUPPORTED_DIALECTS",
    "SqlFinding",
    "check_migration_module",
    "check_sql",
    "looks_like_django_migration",
]

_MIGRATION_CLASS = re.compile(r"^[ \t]*class[ \t]+Migration\b", re.MULTILINE)


def check_sql(text: str, dialect: str = "postgres") -> list[SqlFinding]:
    """Findings for an SQL file, suppressions applied, sorted by (line, column, code)."""
    from acp_lint.sql.check import check_sql as _check_sql

    return _check_sql(text, dialect)


def check_migration_module(source: str, dialect: str = "postgres") -> list[SqlFinding]:
    """Findings for a Django migration module's source (positions in the .py file).

    Raises ``libcst.ParserSyntaxError`` when the source is not valid Python.
    """
    from acp_lint.sql.django_migrations import check_migration_module as _check

    return _check(source, dialect)


def looks_like_django_migration(source: str) -> bool:
    """Cheap prefilter: a ``class Migration`` and the word ``operations`` appear in the text."""
    return "operations" in source and _MIGRATION_CLASS.search(source) is not None
