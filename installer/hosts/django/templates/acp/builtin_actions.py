"""The actions every install ships: introspection (``meta.*``) and key management (``iam.*``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from . import __version__
from .actions import READ, WRITE, ActionContext, Registry
from .errors import InvalidParams, NotFound
from .models import ApiKey

READ_SCOPE = "manage.read"
WRITE_SCOPE = "manage.write"


def meta_actions(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    """List the registered actions."""
    return {"actions": [a.describe() for a in ctx.registry.all()]}


def meta_version(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    """Report the ACP version and kernel id."""
    return {"version": __version__, "kernel_id": ctx.kernel_id}


def _describe_key(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.pk,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": sorted(key.scope_set()),
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def keys_list(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    """List API keys (never their secrets)."""
    return {"keys": [_describe_key(k) for k in ApiKey.objects.order_by("pk")]}


def keys_revoke(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    """Revoke a key by id; revoking a revoked key keeps its first revocation time."""
    key_id = params.get("key_id")
    if isinstance(key_id, bool) or not isinstance(key_id, int) or key_id <= 0:
        raise InvalidParams("key_id must be a positive integer")
    key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise NotFound(f"no API key with id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return {"key": _describe_key(key)}


def register(registry: Registry) -> None:
    """Add the built-in actions to ``registry``."""
    registry.add(
        "meta.actions",
        kind=READ,
        scope=READ_SCOPE,
        handler=meta_actions,
        description="List the registered actions",
    )
    registry.add(
        "meta.version",
        kind=READ,
        scope=READ_SCOPE,
        handler=meta_version,
        description="ACP version and kernel id",
    )
    registry.add(
        "iam.keys.list", kind=READ, scope=READ_SCOPE, handler=keys_list, description="List API keys"
    )
    registry.add(
        "iam.keys.revoke",
        kind=WRITE,
        scope=WRITE_SCOPE,
        handler=keys_revoke,
        description='Revoke an API key: params {"key_id": int}',
    )
