"""ACP301-ACP303: CREATE-only migrations, for SQL files and Django migration files.

The checking itself lives in ``acp_lint.sql`` (statement splitting, the fail-closed sqlglot
classifier, the static Django operation walker); this module turns its findings into
diagnostics and holds the rules' documentation and examples.
"""

from __future__ import annotations

from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.registry import BY_CODE
from acp_lint.rules.meta import Expected, Invalid, Rule
from acp_lint.suppressions import apply_suppressions, python_suppressions


def _to_diagnostics(path: str, findings: list, codes: frozenset[str]) -> list[Diagnostic]:
    return [
        Diagnostic(
            span=finding.span.in_file(path),
            code=finding.code,
            name=BY_CODE[finding.code].name,
            message=finding.message,
            statement_lines=finding.statement_lines,
        )
        for finding in findings
        if finding.code in codes
    ]


def check_sql_file(path: str, text: str, config: Config, codes: frozenset[str]) -> list[Diagnostic]:
    from acp_lint.sql import check_sql

    return _to_diagnostics(path, check_sql(text, config.sql_dialect), codes)


def check_migration_file(
    path: str, text: str, config: Config, codes: frozenset[str]
) -> list[Diagnostic]:
    """A Django migration module, read with ``ast`` (libcst is never imported for it)."""
    from acp_lint.hosts import host_for
    from acp_lint.rules.parse_error import python_parse_error

    host = host_for(config)
    label = host.migration_label(config.root, path)
    try:
        findings = list(host.check_migration(text, config.sql_dialect, label))
    except (SyntaxError, ValueError) as error:
        return [python_parse_error(path, error, text)]
    diagnostics = _to_diagnostics(path, findings, codes)
    return apply_suppressions(diagnostics, python_suppressions(text))


class DestructiveMigration(Rule):
    DOCS = """
## What it does
Reports a step of an ACP migration (an SQL file, or an operation of a Django migration) that
alters, drops, renames, truncates, deletes from, updates, grants on or otherwise changes an
object the same migration file did not create.

What counts as "created": a plain `CREATE TABLE` / `CREATE INDEX` (never `IF NOT EXISTS`,
which creates nothing when a host object has the name), compared by the database's own name
rules. In a standalone `.sql` file, which `psql` or the `sqlite3` shell runs on after a failed
statement, a `CREATE` proves its table new only on PostgreSQL and only inside one explicit
transaction (`BEGIN` ... `COMMIT`); a `ROLLBACK` (or `ROLLBACK TO SAVEPOINT`) undoes the proof.

## Why is this bad?
An ACP install must only add its own `acp_` tables. A migration that touches the host's schema
or data can break the host application, lose data, or lock a production table while it runs.

## Example
```sql
CREATE TABLE acp_audit_log (id bigint PRIMARY KEY);
ALTER TABLE users ADD COLUMN acp_key text;
```

## Use instead
```sql
CREATE TABLE acp_audit_log (id bigint PRIMARY KEY);
CREATE TABLE acp_user_key (user_id bigint, acp_key text);
```

## Fix safety
No fix is offered: only a person can decide how to get the same result without touching the
host's objects.
"""
    VALID = ["CREATE TABLE acp_audit_log (id bigint PRIMARY KEY);"]
    INVALID = [
        Invalid(
            "DROP TABLE users;",
            Expected(1, 1, "DROP TABLE users: drops an object this migration did not create"),
        )
    ]


class InvalidSql(Rule):
    DOCS = """
## What it does
Reports SQL in an ACP migration (an SQL file or the forward SQL of `RunSQL`) that does not
parse in the configured `sql-dialect`, at the parser's line and column (an unterminated string
or dollar quote at its statement's start).

## Why is this bad?
SQL that cannot be parsed cannot be proven CREATE-only; it also fails, half-applied, when the
migration runs.

## Example
```sql
CREATE TABLE acp_key (id int, name text;
```

## Use instead
```sql
CREATE TABLE acp_key (id int, name text);
```

## Fix safety
No fix is offered.
"""
    VALID = ["CREATE TABLE acp_key (id int, name text);"]
    INVALID = [
        Invalid(
            "CREATE TABLE acp_key (id int, name text;",
            Expected(
                1,
                36,
                "CREATE TABLE acp_key (id int, name text: SQL does not parse (Expecting ))",
            ),
        )
    ]


class UnverifiableMigration(Rule):
    DOCS = """
## What it does
Reports a migration step whose effect cannot be proven CREATE-only: `RunPython`, `DO` blocks,
function/procedure/trigger bodies, `CALL`, dynamic (non-literal) SQL, statements the SQL parser
only knows as an opaque command, unknown operations, and a call of any function that is not a
known pure built-in, wherever it stands (`SELECT setval(...)`, a column
`DEFAULT nextval('host_seq')`, an index on a host function). The check fails closed: what is not on
the allow-list is reported.

## Why is this bad?
Code that cannot be read statically can do anything to the host database; an install that must
be safe cannot run it unreviewed.

## Example
```sql
DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;
```

## Use instead
Plain `CREATE TABLE` / `CREATE INDEX` statements for the ACP tables; or review the step and
suppress it with `-- acp-lint: ignore[ACP303] reason`.

## Fix safety
No fix is offered.
"""
    VALID = ["BEGIN;\nCREATE TABLE acp_t (id int);\nCREATE INDEX acp_t_id ON acp_t (id);\nCOMMIT;"]
    INVALID = [
        Invalid(
            "DO $$ BEGIN PERFORM 1; END $$;",
            Expected(
                1,
                1,
                "DO $$ BEGIN PERFORM 1; END $$: a DO block runs procedural code; "
                "cannot be proven CREATE-only",
            ),
        )
    ]
