"""Tables of the ACP app; every table name starts with ``acp_`` so it never meets a host table."""

from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    """An API key; only a SHA-256 hash of the key is stored, next to a lookup prefix."""

    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=32, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.TextField(default="", blank=True, help_text="Comma-separated scopes")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "acp_api_key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_set(self) -> frozenset[str]:
        """The scopes granted to this key."""
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())


class AuditLog(models.Model):
    """One row per request that reached the endpoint while it was enabled."""

    request_id = models.CharField(max_length=32, db_index=True)
    action = models.CharField(max_length=200, null=True, blank=True)
    kind = models.CharField(max_length=8, null=True, blank=True)
    key_prefix = models.CharField(max_length=32, null=True, blank=True)
    status = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    duration_ms = models.FloatField()

    class Meta:
        db_table = "acp_audit_log"

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} {self.status} {self.code}"
