"""The audit trail: one ``acp_audit_log`` row per request that reached the enabled endpoint.

Writes are retried briefly when the database is momentarily locked (SQLite under concurrent
writers), because a lost audit row is worse than a slower answer. A row written inside a
write action's transaction (``connection`` given) is not retried: a failure there must roll
the whole write back. What the caller makes of a row that still cannot be written is decided
in ``pipeline``.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.engine import Connection

from . import db
from .keys import now

logger = logging.getLogger("acp")

AUDIT_ATTEMPTS = 6
_RETRY_BASE_SECONDS = 0.05


def outcome_for(status: int) -> str:
    """A coarse label for dashboards: ok, denied (401/403) or error."""
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "denied"
    return "error"


def record(
    *,
    request_id: str,
    action: str | None,
    kind: str | None,
    key_prefix: str | None,
    status: int,
    code: str,
    duration_ms: float,
    connection: Connection | None = None,
) -> None:
    """Insert the audit row, retrying transient lock errors; re-raise anything else."""
    row = {
        "request_id": request_id,
        "action": action[:200] if action else None,
        "kind": kind,
        "key_prefix": key_prefix,
        "status": status,
        "code": code,
        "outcome": outcome_for(status),
        "created_at": now(),
        "duration_ms": round(duration_ms, 3),
    }
    if connection is not None:
        connection.execute(db.audit_log.insert().values(**row))
        return
    for attempt in range(AUDIT_ATTEMPTS):
        try:
            with db.write_transaction() as own:
                own.execute(db.audit_log.insert().values(**row))
            return
        except Exception as exc:
            if not db.is_transient(exc) or attempt == AUDIT_ATTEMPTS - 1:
                raise
            logger.warning("audit write for %s retried: %s", request_id, exc)
            time.sleep(_RETRY_BASE_SECONDS * 2**attempt)
