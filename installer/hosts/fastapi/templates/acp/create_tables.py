"""``python -m acp.create_tables``: create the ACP tables, for a host without Alembic.

CREATE only: each table (and its indexes) is created when it does not exist yet; an existing
table is left exactly as it is (never altered, never dropped), and no host table is touched.
A host with Alembic applies the ACP revision instead (``alembic upgrade heads``). This never
runs by itself: not at import, not at start-up.
"""

from __future__ import annotations

import logging
import sys

import sqlalchemy as sa


def main(argv: list[str] | None = None) -> int:
    if argv if argv is not None else sys.argv[1:]:
        print(f"usage: python -m {__package__}.create_tables (no arguments)", file=sys.stderr)
        return 2

    from . import db
    from .errors import AcpError

    # This command prints its own one-line errors; the runtime's log lines (and tracebacks)
    # would only repeat them.
    logging.getLogger("acp").addHandler(logging.NullHandler())

    try:
        engine = db.get_engine()
        with engine.begin() as connection:
            existing = set(sa.inspect(connection).get_table_names())
            for table in db.metadata.sorted_tables:
                if table.name in existing:
                    print(f"{table.name}: exists, left as it is")
                    continue
                table.create(connection)
                print(f"{table.name}: created")
    except AcpError:
        print("error: no ACP database: set ACP_DATABASE_URL (or DATABASE_URL)", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback
        print(f"error: the ACP tables could not be created ({type(exc).__name__})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
