"""Lazy, thread-safe, once-per-process initialisation of the ACP runtime.

The first enabled request builds the settings, the action registry and the hub client under a
lock (double-checked, so concurrent first requests build it once) and then starts the
heartbeat. If building fails, nothing is cached: the request gets 503 ``INIT_FAILED`` and a
later request tries again. A missing or invalid hub configuration is not a failed build: the
runtime gets an ``UnconfiguredHub`` (always "unavailable", so ``ACP_FAIL_MODE`` decides) and
the problem is logged once.
"""

from __future__ import annotations

import logging
import threading
from acp_lint.records import record

from . import __version__, conf
from .actions import Registry, build_registry
from .errors import INIT_FAILED, AcpError
from .governance import Authorizer, HubClient, UnconfiguredHub
from .heartbeat import heartbeat_payload, start_heartbeat

logger = logging.getLogger("acp")


@record(frozen=True)
class Runtime:
    """Everything a request needs that is built once per process."""

    bindings: conf.Bindings
    registry: Registry
    hub: Authorizer


_lock = threading.Lock()
_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    """The process's runtime, built on first use; raise 503 INIT_FAILED if it cannot be."""
    global _runtime
    current = _runtime
    if current is not None:
        return current
    with _lock:
        if _runtime is None:
            try:
                built = _build()
            except Exception as exc:  # noqa: BLE001 - reported as INIT_FAILED, retried later
                logger.exception("ACP initialisation failed; will retry on the next request")
                raise AcpError(INIT_FAILED, repr(exc)) from exc
            _runtime = built
            _announce(built)
        return _runtime


def _build() -> Runtime:
    bindings = conf.load_bindings()
    registry = build_registry(conf.action_modules())
    for name, known in conf.misspelt_variables():
        logger.warning("%s is set but ACP reads no such variable (misspelt %s?)", name, known)
    hub: Authorizer
    try:
        settings = conf.hub_settings()
    except conf.HubConfigError as exc:
        hub = UnconfiguredHub(str(exc))
        logger.warning(
            "ACP initialised: kernel %s, %d actions; governance hub NOT configured (%s): "
            "every action counts as 'hub unavailable' and ACP_FAIL_MODE decides",
            bindings.kernel_id,
            len(registry.names()),
            exc,
        )
    else:
        hub = HubClient(settings, bindings.kernel_id)
        logger.info(
            "ACP initialised: kernel %s, %d actions, hub %s",
            bindings.kernel_id,
            len(registry.names()),
            settings.base_url,
        )
    return Runtime(bindings=bindings, registry=registry, hub=hub)


def _announce(runtime: Runtime) -> None:
    """Start the once-per-process heartbeat (only when a hub is configured)."""
    if not isinstance(runtime.hub, HubClient):
        return
    payload = heartbeat_payload(
        runtime.bindings.kernel_id,
        __version__,
        [a.describe() for a in runtime.registry.all()],
        conf.deployment_env(runtime.bindings),
    )
    start_heartbeat(runtime.hub, payload)
