"""API keys: generation, hashing and bearer authentication.

A key looks like ``acp_<prefix>_<secret>``: the 12-hex-digit prefix finds the row, the
SHA-256 of the whole key is what is stored, and the stored hash is compared in constant
time (``hmac.compare_digest``). The secret carries 256 bits from ``secrets``, so an unsalted
hash is enough (it cannot be brute-forced, and a lookup by prefix needs no salt column).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from .errors import FORBIDDEN, UNAUTHENTICATED, AcpError
from .models import ApiKey

KEY_PREFIX = "acp_"
PREFIX_HEX_DIGITS = 12
_KEY_RE = re.compile(r"^acp_([0-9a-f]{12})_[A-Za-z0-9_-]{20,200}$")
_DUMMY_HASH = hashlib.sha256(b"acp-no-such-key").hexdigest()


def hash_key(key: str) -> str:
    """The stored form of ``key``."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_key() -> tuple[str, str, str]:
    """A fresh ``(key, prefix, key_hash)``; the key itself is never stored."""
    prefix = secrets.token_hex(PREFIX_HEX_DIGITS // 2)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_key(key)


def create_key(name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Store a new key and return it with its plaintext (shown once, then gone)."""
    key, prefix, key_hash = generate_key()
    row = ApiKey.objects.create(
        name=name, prefix=prefix, key_hash=key_hash, scopes=",".join(scopes)
    )
    return row, key


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if well-formed."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def authenticate(header: str | None) -> ApiKey:
    """The active key named by the header; raise 401 for missing, unknown or revoked keys."""
    token = bearer_token(header)
    match = _KEY_RE.match(token) if token else None
    if token is None or match is None:
        raise AcpError(UNAUTHENTICATED, "missing or malformed bearer token")
    row = ApiKey.objects.filter(prefix=match.group(1)).first()
    stored = row.key_hash if row is not None else _DUMMY_HASH
    matches = hmac.compare_digest(stored.encode("ascii"), hash_key(token).encode("ascii"))
    if row is None or not matches:
        raise AcpError(UNAUTHENTICATED, "unknown key or wrong secret")
    if row.revoked_at is not None:
        raise AcpError(UNAUTHENTICATED, f"key {row.prefix} is revoked")
    return row


def require_scope(key: ApiKey, scope: str) -> None:
    """Raise 403 unless ``key`` carries ``scope`` (scopes are exact; write does not imply read)."""
    if scope not in key.scope_set():
        raise AcpError(FORBIDDEN, f"key {key.prefix} lacks scope {scope}")
