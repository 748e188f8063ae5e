"""Client of the governance hub, and what ``ACP_FAIL_MODE`` makes of its silence.

The hub is optional: without ``ACP_BASE_URL`` and ``ACP_KERNEL_KEY`` every authenticated,
scoped action is allowed. With them, every action is authorised by the hub first. A denial is
always a denial; an unreachable, slow or incoherent hub is "unavailable", and the fail mode
decides (``open`` allows, ``closed`` denies, ``read-open`` allows only declared reads).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from .actions import READ
from .conf import FAIL_OPEN, FAIL_READ_OPEN, HubSettings
from .errors import GOVERNANCE_DENIED, GOVERNANCE_UNAVAILABLE, ErrorSpec

logger = logging.getLogger("acp")

AUTHORIZE_PATH = "/functions/v1/authorize"
HEARTBEAT_PATH = "/functions/v1/heartbeat"
MAX_HUB_RESPONSE_BYTES = 64 * 1024

ALLOW = "allow"
DENY = "deny"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Verdict:
    """The hub's answer: ``allow``, ``deny`` or ``unavailable`` (no usable answer)."""

    decision: str
    reason: str = ""


class HubClient:
    """Talks to the hub over HTTP with a hard timeout; never raises on network trouble."""

    def __init__(self, hub: HubSettings, kernel_id: str) -> None:
        self.hub = hub
        self.kernel_id = kernel_id
        self._opener = urllib.request.build_opener()

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
            logger.warning("governance hub unavailable for %s (%s): %r", action, request_id, exc)
            return Verdict(UNAVAILABLE, "unreachable")
        decision = body.get("decision") if isinstance(body, dict) else None
        reason = body.get("reason") if isinstance(body, dict) else None
        reason = reason if isinstance(reason, str) else ""
        if decision == DENY:
            return Verdict(DENY, reason)
        if decision == ALLOW and 200 <= status < 300:
            return Verdict(ALLOW, reason)
        logger.warning("governance hub gave no usable decision (HTTP %s) for %s", status, action)
        return Verdict(UNAVAILABLE, f"HTTP {status}")

    def send_heartbeat(self, payload: dict[str, Any]) -> bool:
        """POST the heartbeat; True when the hub acknowledged it with 2xx."""
        try:
            status, _ = self._post(HEARTBEAT_PATH, payload)
        except Exception as exc:  # noqa: BLE001 - the heartbeat must never fail a caller
            logger.warning("heartbeat to governance hub failed: %r", exc)
            return False
        if not 200 <= status < 300:
            logger.warning("governance hub answered heartbeat with HTTP %s", status)
        return 200 <= status < 300

    def _post(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.hub.base_url + path,
            data=json.dumps(payload).encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.hub.kernel_key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with self._opener.open(request, timeout=self.hub.timeout) as response:
                return response.status, _json_or_none(response.read(MAX_HUB_RESPONSE_BYTES))
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, _json_or_none(exc.read(MAX_HUB_RESPONSE_BYTES))


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
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
