"""Reading and validating the JSON request body, within a fixed size limit."""

from __future__ import annotations

import json
from acp_lint.records import record
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from .errors import INVALID_JSON, INVALID_PARAMS, INVALID_REQUEST, PAYLOAD_TOO_LARGE, AcpError

MAX_BODY_BYTES = 1024 * 1024  # 1 MiB; larger bodies are refused before they are read


@record(frozen=True)
class Call:
    """A parsed ``{"action": ..., "params": {...}}`` request."""

    action: str
    params: dict[str, Any]


def parse_call(http_request: HttpRequest) -> Call:
    """The call in the body; raise 400 for oversized, non-JSON or ill-shaped bodies."""
    try:
        declared = int(http_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise AcpError(PAYLOAD_TOO_LARGE, f"Content-Length {declared}")
    try:
        raw = http_request.body
    except RequestDataTooBig as exc:
        raise AcpError(PAYLOAD_TOO_LARGE, "larger than DATA_UPLOAD_MAX_MEMORY_SIZE") from exc
    if len(raw) > MAX_BODY_BYTES:
        raise AcpError(PAYLOAD_TOO_LARGE, f"{len(raw)} bytes")
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
