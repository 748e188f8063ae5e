"""The audit trail: one ``acp_audit_log`` row per request that reached the enabled endpoint.

Writes are retried briefly when the database is momentarily locked (SQLite under concurrent
writers), because a lost audit row is worse than a slower answer. Each attempt runs in its
own ``atomic()`` block, so inside a write's transaction a failed attempt rolls back to a
savepoint instead of breaking the transaction. What the caller makes of a row that still
cannot be written is decided in ``pipeline``.
"""

from __future__ import annotations

import logging
import time

from django.db import OperationalError, router, transaction

from .models import AuditLog

logger = logging.getLogger("acp")

AUDIT_ATTEMPTS = 6
_RETRY_BASE_SECONDS = 0.05


def database() -> str:
    """The database alias audit rows are written to (a write's transaction runs there)."""
    return router.db_for_write(AuditLog)


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
) -> None:
    """Insert the audit row, retrying transient lock errors; re-raise anything else."""
    row = AuditLog(
        request_id=request_id,
        action=action[:200] if action else None,
        kind=kind,
        key_prefix=key_prefix,
        status=status,
        code=code,
        outcome=outcome_for(status),
        duration_ms=round(duration_ms, 3),
    )
    alias = database()
    for attempt in range(AUDIT_ATTEMPTS):
        try:
            with transaction.atomic(using=alias):
                row.save(force_insert=True, using=alias)
            return
        except OperationalError as exc:
            # Inside a write's transaction a lock error does not go away by waiting (SQLite
            # refuses to upgrade a lock that would deadlock): the transaction must end.
            in_transaction = transaction.get_connection(alias).in_atomic_block
            if not is_transient(exc) or in_transaction or attempt == AUDIT_ATTEMPTS - 1:
                raise
            logger.warning("audit write for %s retried: %s", request_id, exc)
            row.pk = None
            time.sleep(_RETRY_BASE_SECONDS * 2**attempt)


def is_transient(exc: OperationalError) -> bool:
    """A lock that another writer holds (SQLite "database is locked"/busy): worth a retry."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text
