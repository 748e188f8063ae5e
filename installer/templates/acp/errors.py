"""The error vocabulary of the endpoint.

Every failure maps to one fixed message and code, so exception text can never reach a
client; details go to the ``acp`` logger instead.
"""

from __future__ import annotations

from acp_lint.records import record
from typing import Any


@record(frozen=True)
class ErrorSpec:
    """An HTTP status, a stable machine code and a short fixed message."""

    status: int
    code: str
    message: str

    def body(self) -> dict[str, Any]:
        """The JSON body sent for this error."""
        return {"ok": False, "error": self.message, "code": self.code}


FEATURE_DISABLED = ErrorSpec(503, "FEATURE_DISABLED", "ACP is disabled")
METHOD_NOT_ALLOWED = ErrorSpec(405, "METHOD_NOT_ALLOWED", "Only POST is allowed")
PAYLOAD_TOO_LARGE = ErrorSpec(400, "PAYLOAD_TOO_LARGE", "Request body is too large")
INVALID_JSON = ErrorSpec(400, "INVALID_JSON", "Request body is not valid JSON")
INVALID_REQUEST = ErrorSpec(
    400, "INVALID_REQUEST", 'Request body must be {"action": str, "params": object}'
)
INVALID_PARAMS = ErrorSpec(400, "INVALID_PARAMS", "Invalid params for this action")
UNAUTHENTICATED = ErrorSpec(401, "UNAUTHENTICATED", "Missing or invalid API key")
FORBIDDEN = ErrorSpec(403, "FORBIDDEN", "API key lacks the required scope")
UNKNOWN_ACTION = ErrorSpec(404, "UNKNOWN_ACTION", "Unknown action")
NOT_FOUND = ErrorSpec(404, "NOT_FOUND", "Object not found")
GOVERNANCE_DENIED = ErrorSpec(403, "GOVERNANCE_DENIED", "Action denied by governance")
GOVERNANCE_UNAVAILABLE = ErrorSpec(
    503, "GOVERNANCE_UNAVAILABLE", "Governance hub unavailable; action not allowed"
)
INIT_FAILED = ErrorSpec(503, "INIT_FAILED", "ACP runtime could not be initialised")
INTERNAL_ERROR = ErrorSpec(500, "INTERNAL_ERROR", "Internal error")


class AcpError(Exception):
    """Ends the current request with ``spec``; ``detail`` is logged, never sent."""

    def __init__(self, spec: ErrorSpec, detail: str = "") -> None:
        super().__init__(detail or spec.code)
        self.spec = spec
        self.detail = detail


class InvalidParams(AcpError):
    """Raised by action handlers when ``params`` do not fit (answered with 400)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INVALID_PARAMS, detail)


class NotFound(AcpError):
    """Raised by action handlers when the object they act on does not exist (404)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(NOT_FOUND, detail)
