"""Client of the governance hub, and what ``ACP_FAIL_MODE`` makes of its silence.

Every action is authorised by the hub first. A denial is always a denial. A hub that is
unreachable, slow (past the deadline ``ACP_HUB_TIMEOUT`` for the whole call), redirecting
(redirects are never followed: the kernel key must not travel elsewhere), incoherent, or not
configured at all (``ACP_BASE_URL``/``ACP_KERNEL_KEY`` missing or invalid) is "unavailable",
and the fail mode decides: ``open`` allows, ``closed`` denies, ``read-open`` allows only
declared reads.
"""

from __future__ import annotations

import json
import logging
from acp_lint.records import record
from typing import Any, Protocol

from . import hubhttp
from .actions import READ
from .conf import FAIL_OPEN, FAIL_READ_OPEN, HubSettings
from .errors import GOVERNANCE_DENIED, GOVERNANCE_UNAVAILABLE, ErrorSpec
from .logsafe import clean

logger = logging.getLogger("acp")

AUTHORIZE_PATH = "/functions/v1/authorize"
HEARTBEAT_PATH = "/functions/v1/heartbeat"
MAX_HUB_RESPONSE_BYTES = 64 * 1024

ALLOW = "allow"
DENY = "deny"
UNAVAILABLE = "unavailable"


@record(frozen=True)
class Verdict:
    """The hub's answer: ``allow``, ``deny`` or ``unavailable`` (no usable answer)."""

    decision: str
    reason: str = ""


class Authorizer(Protocol):
    """What the pipeline asks before running an action."""

    def authorize(self, action: str, kind: str, request_id: str) -> Verdict: ...


class UnconfiguredHub:
    """Stands in for a hub whose configuration is missing or invalid: always unavailable."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def authorize(self, action: str, kind: str, request_id: str) -> Verdict:
        """Never allows by itself: the fail mode decides, as for an unreachable hub."""
        return Verdict(UNAVAILABLE, f"hub not configured: {self.problem}")


class HubClient:
    """Talks to the hub over HTTP within one deadline per call; never raises on hub trouble."""

    def __init__(self, hub: HubSettings, kernel_id: str) -> None:
        self.hub = hub
        self.kernel_id = kernel_id

    def authorize(self, action: str, kind: str, request_id: str) -> Verdict:
        """Ask the hub whether ``action`` may run now."""
        payload = {
            "kernel_id": self.kernel_id,
            "action": action,
            "kind": kind,
            "request_id": request_id,
        }
        try:
            status, body = self._post(AUTHORIZE_PATH, payload)
        except Exception as exc:  # noqa: BLE001 - any transport failure means "no answer"
            logger.warning(
                "governance hub unavailable for %s (%s): %s",
                clean(action),
                request_id,
                clean(repr(exc)),
            )
            return Verdict(UNAVAILABLE, "unreachable")
        if 300 <= status < 400:
            logger.warning(
                "governance hub answered %s with a redirect (HTTP %s); redirects are never "
                "followed, so the hub counts as unavailable",
                clean(action),
                status,
            )
            return Verdict(UNAVAILABLE, f"redirect HTTP {status}")
        decision = body.get("decision") if isinstance(body, dict) else None
        reason = body.get("reason") if isinstance(body, dict) else None
        reason = reason if isinstance(reason, str) else ""
        if decision == DENY:
            return Verdict(DENY, reason)
        if decision == ALLOW and 200 <= status < 300:
            return Verdict(ALLOW, reason)
        logger.warning(
            "governance hub gave no usable decision (HTTP %s) for %s", status, clean(action)
        )
        return Verdict(UNAVAILABLE, f"HTTP {status}")

    def send_heartbeat(self, payload: dict[str, Any]) -> bool:
        """POST the heartbeat; True when the hub acknowledged it with 2xx (never a redirect)."""
        try:
            status, _ = self._post(HEARTBEAT_PATH, payload)
        except Exception as exc:  # noqa: BLE001 - the heartbeat must never fail a caller
            logger.warning("heartbeat to governance hub failed: %s", clean(repr(exc)))
            return False
        if not 200 <= status < 300:
            logger.warning("governance hub answered heartbeat with HTTP %s (not followed)", status)
        return 200 <= status < 300

    def _post(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        reply = hubhttp.post(
            self.hub.base_url,
            path,
            json.dumps(payload).encode("utf-8"),
            {
                "Authorization": f"Bearer {self.hub.kernel_key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            self.hub.timeout,
            MAX_HUB_RESPONSE_BYTES,
        )
        return reply.status, _json_or_none(reply.body)


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def enforce(verdict: Verdict, kind: str, mode: str) -> ErrorSpec | None:
    """The error to answer with, or None when the action may run."""
    if verdict.decision == ALLOW:
        return None
    if verdict.decision == DENY:
        return GOVERNANCE_DENIED
    if mode == FAIL_OPEN or (mode == FAIL_READ_OPEN and kind == READ):
        return None
    return GOVERNANCE_UNAVAILABLE
