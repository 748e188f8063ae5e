"""The heartbeat: announce this kernel to the governance hub once per process.

It is started after the first successful lazy initialisation (i.e. from a request, never at
import or in ``AppConfig.ready()``) and runs in a daemon thread, so a slow or dead hub can
neither delay nor fail the request that triggered it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from .governance import HubClient

logger = logging.getLogger("acp")


def heartbeat_payload(
    kernel_id: str, version: str, actions: list[dict[str, str]], env: str
) -> dict[str, Any]:
    """The body of ``POST /functions/v1/heartbeat``."""
    return {"kernel_id": kernel_id, "version": version, "actions": actions, "env": env}


def start_heartbeat(client: HubClient, payload: dict[str, Any]) -> threading.Thread:
    """Send the heartbeat in a background daemon thread and return at once."""
    thread = threading.Thread(
        target=_send_heartbeat, args=(client, payload), name="acp-heartbeat", daemon=True
    )
    thread.start()
    return thread


def _send_heartbeat(client: HubClient, payload: dict[str, Any]) -> None:
    try:
        if client.send_heartbeat(payload):
            logger.info("heartbeat sent for kernel %s", payload.get("kernel_id"))
    except Exception:  # noqa: BLE001 - a background thread has nobody to report to
        logger.exception("heartbeat thread failed")
