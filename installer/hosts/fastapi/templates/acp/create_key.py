"""``python -m acp.create_key --name NAME --scopes manage.read,manage.write``.

Creates an API key in the ACP database (``ACP_DATABASE_URL``, else ``DATABASE_URL``) and
prints it alone on the last line of the output: this is the only time it is shown, since
only its hash is stored. Exit 2 on bad arguments, 1 when the key cannot be stored.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys

_SCOPE_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")


def parse_scopes(raw: str) -> list[str]:
    """Split and validate a comma-separated scope list; raise ValueError with the reason."""
    scopes = [s.strip() for s in raw.split(",") if s.strip()]
    if not scopes:
        raise ValueError("--scopes needs at least one scope, e.g. manage.read")
    bad = [s for s in scopes if not _SCOPE_RE.match(s)]
    if bad:
        raise ValueError(f"invalid scope names: {', '.join(bad)}")
    return list(dict.fromkeys(scopes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.create_key",
        description="Create an ACP API key and print it once (only its hash is stored).",
    )
    parser.add_argument("--name", required=True, help="who or what the key is for")
    parser.add_argument(
        "--scopes",
        default="manage.read",
        help="comma-separated scopes (default: manage.read), e.g. manage.read,manage.write",
    )
    options = parser.parse_args(argv)
    name = options.name.strip()
    if not name:
        parser.error("--name must not be empty")
    try:
        scopes = parse_scopes(options.scopes)
    except ValueError as exc:
        parser.error(str(exc))

    from .auth import create_key
    from .errors import AcpError

    # This command prints its own one-line errors; the runtime's log lines (and tracebacks)
    # would only repeat them.
    logging.getLogger("acp").addHandler(logging.NullHandler())

    try:
        row, key = create_key(name, scopes)
    except AcpError:
        print(
            "error: no ACP database: set ACP_DATABASE_URL (or DATABASE_URL)", file=sys.stderr
        )
        return 1
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback
        print(
            f"error: the key could not be stored ({type(exc).__name__}); are the ACP tables "
            f"created (alembic upgrade heads, or python -m {__package__}.create_tables)?",
            file=sys.stderr,
        )
        return 1
    print(
        f"Created ACP API key id={row.pk} name={row.name!r} prefix={row.prefix} "
        f"scopes={','.join(scopes)}. Store it now; it will not be shown again:"
    )
    print(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
