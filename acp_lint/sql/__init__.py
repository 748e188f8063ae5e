"""Fail-closed CREATE-only checking of ACP migrations: SQL files and Django migration modules.

Public API (importing this package imports neither sqlglot nor sqlparse nor libcst; they are
imported inside the functions, when a file is actually checked):

* :func:`check_sql` -- an SQL file, split as Django's RunSQL splits it (``sqlparse.split``),
  every statement parsed with sqlglot in the configured dialect and classified against the
  allow-list of DESIGN §2.4 (see :mod:`acp_lint.sql.classify` for the exact list).
* :func:`check_migration_module` -- a Django migration ``.py`` file, read statically with ``ast``
  (see :mod:`acp_lint.hosts.django.django_migrations` for the operation table and the module
  shape; the Django host's ``check_migration``).
* :func:`looks_like_django_migration` -- a cheap text test, no parsing.

Decisions where DESIGN.md and the issue leave room (all fail closed):

* Names compare by the dialect's rules (see :mod:`acp_lint.sql.names`): PostgreSQL folds
  unquoted ASCII letters only and truncates to 63 bytes, ``public.t`` is ``t``; SQLite folds
  ASCII letters only, quoted or not; MySQL keeps names exactly. Other qualifications are not
  resolved (``app.t`` and ``t`` differ), so a mismatch fails closed.
* What a CREATE proves: a plain ``CREATE TABLE``/``CREATE INDEX`` records its object as
  created; ``IF NOT EXISTS`` records nothing (DESIGN §10). In a standalone ``.sql`` file, run
  by a shell that carries on after an error, a CREATE proves its table new only on postgres
  and only inside one explicit transaction, until that transaction ends; ``ROLLBACK`` and
  ``ROLLBACK TO SAVEPOINT`` undo the proof of what they undo (a TEMP table of a host name
  rolled back no longer shadows it). RunSQL of a Django migration stops at its first error,
  so there a CREATE that ran proves its table new (see :class:`~acp_lint.sql.classify.SqlState`).
* ``CREATE INDEX`` is allowed only on a table created earlier in the file; on any other table
  it is ACP301, because building the index locks a host table (same for ``AddIndex``).
* Statements on tables created earlier in the file are allowed beyond ALTER/COMMENT/INSERT
  (UPDATE, DELETE, MERGE, DROP, TRUNCATE, ``DROP COLUMN``, ``ENABLE ROW LEVEL SECURITY``,
  ``PARTITION OF``): ACP301 is about objects the migration "did not create itself".
  ``CASCADE`` is always ACP301. A foreign key from a new table to a host table is allowed.
* ``CREATE OR REPLACE`` is ACP301 (it can overwrite an existing object), except for
  functions/procedures/triggers, which are ACP303 like every code body, ``DO`` and ``CALL``.
  Other ``CREATE`` kinds (VIEW, SEQUENCE, SCHEMA, EXTENSION...) are not on the allow-list: ACP303.
* A function call anywhere (SELECT, VALUES, a column DEFAULT or CHECK, an index expression)
  passes only when it calls a known pure built-in by the name as written (see
  :mod:`acp_lint.sql.functions`); ``SELECT log('x')`` may call a host ``log(text)``, so it is
  ACP303, as are ``nextval``/``setval``, casts to user-defined types, ``LIKE ... INCLUDING``
  and writes to a new table with a column of a user-defined type (a domain CHECK). ``INTO``
  and row locks are ACP303 too.
* Typos such as ``CREATE TABLEE`` become an ``exp.Command`` in sqlglot and are ACP303 ("not
  recognised"); SQL that sqlglot rejects outright (``ParseError``/``TokenError``) is ACP302 at
  the parser's position, or at the statement start for unterminated quotes. Vendor statements
  sqlglot cannot parse (MySQL ``LOAD DATA``) are therefore ACP302 too.
* An ``exp.Command`` whose verb is destructive (DROP, TRUNCATE, DELETE, UPDATE, RENAME, ALTER,
  REPLACE, GRANT, REVOKE) is ACP301, any other ``Command`` ACP303. MySQL executable comments
  (``/*! */``, ``/*M! */``) are ACP303 in every dialect.
* Suppressions (``-- noqa``, ``-- noqa: ACP301``, ``-- acp-lint: ignore[ACP301] reason``; codes
  or rule names) must start a comment on the first or last line of the statement's code;
  a comment on a line of its own before the statement does not attach to it.
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


def check_migration_module(
    source: str, dialect: str = "postgres", app_label: str | None = None
) -> list[SqlFinding]:
    """Findings for a Django migration module's source (positions in the .py file).

    ``app_label`` gives CreateModel's default table (``<app_label>_<model>``). Raises
    ``SyntaxError`` (``ValueError`` for null bytes) when the source is not valid Python.
    """
    from acp_lint.hosts import load_host

    return list(load_host("django").check_migration(source, dialect, app_label))


def looks_like_django_migration(source: str) -> bool:
    """Cheap prefilter: a ``class Migration`` and the word ``operations`` appear in the text."""
    return "operations" in source and _MIGRATION_CLASS.search(source) is not None
