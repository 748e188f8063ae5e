"""Reading and validating the JSON request body, within a fixed size limit.

The body is read on the event loop (``read_body``, the only async step) and at most
``MAX_BODY_BYTES`` of it are kept; it is parsed in the threadpool (``parse_call``), after the
key has been checked, so the order of answers is the same as in the Django app.
"""

from __future__ import annotations

import json
from acp_lint.records import record
from typing import Any

from starlette.requests import Request

from .errors import INVALID_JSON, INVALID_PARAMS, INVALID_REQUEST, PAYLOAD_TOO_LARGE, AcpError

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB; larger bodies are refused before they are read


@record(frozen=True)
class Call:
    """A parsed ``{"action": ..., "params": {...}}`` request."""

    action: str
    params: dict[str, Any]


async def read_body(http_request: Request) -> bytes | None:
    """The body, or None when it is larger than ``MAX_BODY_BYTES`` (the rest is not read)."""
    try:
        declared = int(http_request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in http_request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def parse_call(raw: bytes | None) -> Call:
    """The call in the body; raise 400 for oversized, non-JSON or ill-shaped bodies."""
    if raw is None:
        raise AcpError(PAYLOAD_TOO_LARGE, f"more than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # incl. UnicodeDecodeError, deep nesting
        raise AcpError(INVALID_JSON, str(exc)) from exc
    if not isinstance(data, dict):
        raise AcpError(INVALID_REQUEST, f"body is a JSON {type(data).__name__}")
    action = data.get("action")
    if not isinstance(action, str) or not action:
        raise AcpError(INVALID_REQUEST, "action must be a non-empty string")
    params = data.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise AcpError(INVALID_PARAMS, "params must be a JSON object")
    return Call(action=action, params=params)
