"""API key rows of ``acp_api_key``, as plain values (the FastAPI app has no ORM models)."""

from __future__ import annotations

from acp_lint.records import record
from datetime import datetime, timezone
from typing import Any


@record(frozen=True)
class ApiKey:
    """An API key; only a SHA-256 hash of the key is stored, next to a lookup prefix."""

    id: int
    name: str
    prefix: str
    key_hash: str
    scopes: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> ApiKey:
        """Build from a row of ``db.api_keys`` (SQLite returns naive datetimes: they are UTC)."""
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            key_hash=row.key_hash,
            scopes=row.scopes or "",
            created_at=as_utc(row.created_at),
            revoked_at=as_utc(row.revoked_at) if row.revoked_at is not None else None,
        )

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_set(self) -> frozenset[str]:
        """The scopes granted to this key."""
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())


def now() -> datetime:
    """The current time, timezone-aware (UTC), as stored in every ACP timestamp."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """``value`` with its timezone; a naive value (SQLite) was stored as UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
