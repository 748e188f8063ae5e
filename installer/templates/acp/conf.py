"""Configuration of the ACP runtime, read lazily from the environment and bindings.json.

Nothing here runs at import time: every reader is a function, called either once per
process during lazy initialisation (hub settings, bindings, action modules) or on every
request (``ACP_FAIL_MODE``), so that importing the app can never fail on a missing variable.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("acp")

BINDINGS_FILENAME = "controlplane.bindings.json"
DEFAULT_HUB_TIMEOUT = 2.0
FAIL_OPEN = "open"
FAIL_CLOSED = "closed"
FAIL_READ_OPEN = "read-open"
FAIL_MODES = (FAIL_OPEN, FAIL_CLOSED, FAIL_READ_OPEN)
DEFAULT_ENV = "production"

_BASE_PATH_RE = re.compile(r"^(/[a-z0-9][a-z0-9._-]*)+$")
_warned_lock = threading.Lock()
_warned_fail_modes: set[str] = set()


class ConfigError(Exception):
    """The installation is misconfigured (bad bindings, bad action module, ...)."""


@dataclass(frozen=True)
class HubSettings:
    """Where the governance hub lives and how long to wait for it."""

    base_url: str
    kernel_key: str
    timeout: float


@dataclass(frozen=True)
class Bindings:
    """The contents of ``controlplane.bindings.json``."""

    kernel_id: str
    base_path: str
    endpoint_path: str
    source: Path


def fail_mode() -> str:
    """``ACP_FAIL_MODE`` for this request; unknown values fail closed and are logged once."""
    raw = os.environ.get("ACP_FAIL_MODE", "").strip().lower()
    if not raw:
        return FAIL_OPEN
    if raw in FAIL_MODES:
        return raw
    with _warned_lock:
        first = raw not in _warned_fail_modes
        _warned_fail_modes.add(raw)
    if first:
        logger.warning("ACP_FAIL_MODE=%r is not one of %s; behaving as 'closed'", raw, FAIL_MODES)
    return FAIL_CLOSED


def hub_settings() -> HubSettings | None:
    """The hub configuration, or None when ``ACP_BASE_URL``/``ACP_KERNEL_KEY`` are unset."""
    base_url = os.environ.get("ACP_BASE_URL", "").strip().rstrip("/")
    kernel_key = os.environ.get("ACP_KERNEL_KEY", "").strip()
    if not base_url or not kernel_key:
        return None
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError("ACP_BASE_URL must start with http:// or https://")
    return HubSettings(base_url, kernel_key, _hub_timeout())


def _hub_timeout() -> float:
    raw = os.environ.get("ACP_HUB_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_HUB_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 60:
        logger.warning("ACP_HUB_TIMEOUT=%r is invalid; using %s s", raw, DEFAULT_HUB_TIMEOUT)
        return DEFAULT_HUB_TIMEOUT
    return value


def deployment_env() -> str:
    """The environment name announced in the heartbeat (``ACP_ENV``)."""
    return os.environ.get("ACP_ENV", "").strip() or DEFAULT_ENV


def action_modules() -> list[str]:
    """Dotted names of host modules that register actions (setting ``ACP_ACTION_MODULES``)."""
    names = getattr(settings, "ACP_ACTION_MODULES", [])
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ConfigError("ACP_ACTION_MODULES must be a list of dotted module names")
    return list(names)


def bindings_candidates() -> list[Path]:
    """Where bindings.json is looked for: ``ACP_BINDINGS_FILE``, else BASE_DIR and 2 parents."""
    explicit = os.environ.get("ACP_BINDINGS_FILE", "").strip()
    if explicit:
        return [Path(explicit)]
    base = getattr(settings, "BASE_DIR", None)
    start = Path(base).resolve() if base else Path.cwd()
    return [d / BINDINGS_FILENAME for d in (start, *start.parents[:2])]


def load_bindings() -> Bindings:
    """Read and validate the first bindings.json found; raise ConfigError otherwise."""
    for candidate in bindings_candidates():
        if candidate.is_file():
            return _parse_bindings(candidate)
    raise ConfigError(f"{BINDINGS_FILENAME} not found (looked in {bindings_candidates()})")


def _parse_bindings(path: Path) -> Bindings:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object")
    kernel_id = data.get("kernel_id")
    base_path = data.get("base_path")
    endpoint_path = data.get("endpoint_path")
    if not isinstance(kernel_id, str) or not kernel_id.strip():
        raise ConfigError(f"{path}: kernel_id must be a non-empty string")
    if not isinstance(base_path, str) or not _BASE_PATH_RE.match(base_path):
        raise ConfigError(f"{path}: base_path {base_path!r} is not a normalised path")
    if endpoint_path != base_path + "/manage":
        raise ConfigError(f"{path}: endpoint_path must be base_path + '/manage'")
    return Bindings(kernel_id.strip(), base_path, endpoint_path, path)
