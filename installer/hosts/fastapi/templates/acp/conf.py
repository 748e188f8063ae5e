"""Configuration of the ACP runtime, read lazily from the environment and bindings.json.

Nothing here runs at import time: every reader is a function, called either once per
process during lazy initialisation (hub settings, bindings, action modules, database URL) or
on every request (``ACP_FAIL_MODE``), so that importing the app can never fail on a missing
variable. A FastAPI host has no settings module: what a Django host puts in its settings
(``ACP_ACTION_MODULES``) is an environment variable here.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
import threading
from acp_lint.records import record
from pathlib import Path
from urllib.parse import urlsplit

logger = logging.getLogger("acp")

BINDINGS_FILENAME = "controlplane.bindings.json"
DEFAULT_HUB_TIMEOUT = 2.0
FAIL_OPEN = "open"
FAIL_CLOSED = "closed"
FAIL_READ_OPEN = "read-open"
FAIL_MODES = (FAIL_OPEN, FAIL_CLOSED, FAIL_READ_OPEN)
UNKNOWN_ENV = "unknown"
VARIABLES = (
    "ACP_ENABLED",
    "ACP_FAIL_MODE",
    "ACP_BASE_URL",
    "ACP_KERNEL_KEY",
    "ACP_HUB_TIMEOUT",
    "ACP_ENV",
    "ACP_BINDINGS_FILE",
    "ACP_ACTION_MODULES",
    "ACP_DATABASE_URL",
)

_BASE_PATH_RE = re.compile(r"^(/[a-z0-9][a-z0-9._-]*)+$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_warned_lock = threading.Lock()
_warned_fail_modes: set[str] = set()


class ConfigError(Exception):
    """The installation is misconfigured (bad bindings, bad action module, ...)."""


class HubConfigError(ConfigError):
    """``ACP_BASE_URL``/``ACP_KERNEL_KEY`` are missing or invalid: the hub is "unavailable"."""


@record(frozen=True)
class HubSettings:
    """Where the governance hub lives and how long to wait for it."""

    base_url: str
    kernel_key: str
    timeout: float


@record(frozen=True)
class Bindings:
    """The contents of ``controlplane.bindings.json``."""

    kernel_id: str
    base_path: str
    endpoint_path: str
    source: Path
    env: str | None = None


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


def hub_settings() -> HubSettings:
    """The hub configuration; raise HubConfigError when it is missing or invalid.

    There is no "no hub" mode: without a usable configuration every action is treated as
    "hub unavailable" and ``ACP_FAIL_MODE`` decides, so a half-configured install cannot run
    writes ungoverned in ``closed`` mode.
    """
    raw_url = os.environ.get("ACP_BASE_URL")
    raw_key = os.environ.get("ACP_KERNEL_KEY")
    problems = [p for p in (base_url_problem(raw_url), kernel_key_problem(raw_key)) if p]
    if problems:
        hints = [
            f"{name} is set (misspelt {known}?)"
            for name, known in misspelt_variables()
            if known in ("ACP_BASE_URL", "ACP_KERNEL_KEY")
        ]
        raise HubConfigError("; ".join(problems + hints))
    assert raw_url is not None and raw_key is not None
    return HubSettings(raw_url.strip().rstrip("/"), raw_key.strip(), _hub_timeout())


def base_url_problem(raw: str | None) -> str | None:
    """Why ``ACP_BASE_URL`` cannot be used, or None: an http(s) URL with a host, nothing else."""
    if raw is None:
        return "ACP_BASE_URL is not set"
    value = raw.strip()
    if not value:
        return "ACP_BASE_URL is blank"
    if not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
        return "ACP_BASE_URL contains spaces, control or non-ASCII characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "ACP_BASE_URL is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "ACP_BASE_URL must start with http:// or https://"
    if not parts.hostname:
        return "ACP_BASE_URL has no host"
    if parts.username is not None or parts.password is not None:
        return "ACP_BASE_URL must not carry credentials (use ACP_KERNEL_KEY)"
    if parts.query or parts.fragment:
        return "ACP_BASE_URL must not have a query or a fragment"
    return None


def kernel_key_problem(raw: str | None) -> str | None:
    """Why ``ACP_KERNEL_KEY`` cannot be sent as a bearer token, or None."""
    if raw is None:
        return "ACP_KERNEL_KEY is not set"
    value = raw.strip()
    if not value:
        return "ACP_KERNEL_KEY is blank"
    if not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
        return "ACP_KERNEL_KEY contains spaces, control or non-ASCII characters"
    return None


def misspelt_variables() -> list[tuple[str, str]]:
    """``(set name, known name)`` for ``ACP_*`` variables that look like a misspelt known one."""
    found = []
    for name in sorted(os.environ):
        if name.startswith("ACP_") and name not in VARIABLES:
            close = difflib.get_close_matches(name, VARIABLES, n=1, cutoff=0.75)
            if close:
                found.append((name, close[0]))
    return found


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


def deployment_env(bindings: Bindings) -> str:
    """The environment named in the heartbeat: ``ACP_ENV``, else bindings' ``env``, else unknown.

    The installer records the environment it installed for (``--env``) as ``env`` in
    bindings.json; ``ACP_ENV`` overrides it where one install serves several environments.
    """
    explicit = os.environ.get("ACP_ENV", "").strip()
    if explicit:
        if _ENV_NAME_RE.match(explicit):
            return explicit
        logger.warning("ACP_ENV=%r is not a plain name; ignored", explicit[:80])
    return bindings.env or UNKNOWN_ENV


def action_modules() -> list[str]:
    """Dotted names of host modules that register actions (``ACP_ACTION_MODULES``, commas)."""
    raw = os.environ.get("ACP_ACTION_MODULES", "")
    names = [n.strip() for n in raw.split(",") if n.strip()]
    bad = [n for n in names if not _MODULE_RE.match(n)]
    if bad:
        raise ConfigError(f"ACP_ACTION_MODULES holds names that are not module names: {bad}")
    return names


def database_url() -> str:
    """Where keys and audit rows live: ``ACP_DATABASE_URL``, else the host's ``DATABASE_URL``."""
    for name in ("ACP_DATABASE_URL", "DATABASE_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    raise ConfigError("neither ACP_DATABASE_URL nor DATABASE_URL is set")


def bindings_candidates() -> list[Path]:
    """Where bindings.json is looked for: ``ACP_BINDINGS_FILE``, else beside this package and
    in its 2 parents, then the working directory."""
    explicit = os.environ.get("ACP_BINDINGS_FILE", "").strip()
    if explicit:
        return [Path(explicit)]
    start = Path(__file__).resolve().parent.parent
    found = [d / BINDINGS_FILENAME for d in (start, *start.parents[:2])]
    cwd = Path.cwd() / BINDINGS_FILENAME
    return found if cwd in found else [*found, cwd]


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
    env = data.get("env")
    if env is not None and not (isinstance(env, str) and _ENV_NAME_RE.match(env)):
        logger.warning("%s: env %r is not a plain name; ignored", path, str(env)[:80])
        env = None
    return Bindings(kernel_id.strip(), base_path, endpoint_path, path, env)
