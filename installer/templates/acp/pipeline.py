"""One request through the endpoint: authenticate, parse, authorise, run, audit, answer.

Only ``views.manage`` calls this, after its ``ACP_ENABLED`` guard. Whatever happens, the
client gets ``{"ok": true, "data": ...}`` or ``{"ok": false, "error": ..., "code": ...}``
with a fixed message; exception details go to the ``acp`` logger.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse

from . import audit, auth, conf, governance
from .actions import WRITE, Action, ActionContext
from .errors import INTERNAL_ERROR, METHOD_NOT_ALLOWED, UNKNOWN_ACTION, AcpError, ErrorSpec
from .request_body import parse_call
from .runtime import Runtime, get_runtime

logger = logging.getLogger("acp")


@dataclass
class Trail:
    """What is known about the request so far, for the audit row and the logs."""

    request_id: str
    action: str | None = None
    kind: str | None = None
    key_prefix: str | None = None


def handle(http_request: HttpRequest) -> HttpResponse:
    """Serve one enabled request and write its audit row."""
    started = time.monotonic()
    trail = Trail(request_id=uuid.uuid4().hex)
    status, code, body = _serve(http_request, trail)
    try:
        audit.record(
            request_id=trail.request_id,
            action=trail.action,
            kind=trail.kind,
            key_prefix=trail.key_prefix,
            status=status,
            code=code,
            duration_ms=(time.monotonic() - started) * 1000,
        )
    except Exception:  # noqa: BLE001 - no success may be reported without its audit row
        logger.exception("audit write failed for request %s", trail.request_id)
        status, code, body = _error_parts(INTERNAL_ERROR)
    return _response(status, code, body, trail.request_id)


def _serve(http_request: HttpRequest, trail: Trail) -> tuple[int, str, bytes]:
    try:
        data = _run(http_request, trail)
        return 200, "OK", _dumps({"ok": True, "data": data})
    except AcpError as exc:
        logger.info(
            "request %s %s refused: %s %s",
            trail.request_id,
            trail.action,
            exc.spec.code,
            exc.detail,
        )
        return _error_parts(exc.spec)
    except DatabaseError:
        logger.exception("database error in request %s (%s)", trail.request_id, trail.action)
        return _error_parts(INTERNAL_ERROR)
    except Exception:  # noqa: BLE001 - never let a traceback reach the client
        logger.exception("unexpected error in request %s (%s)", trail.request_id, trail.action)
        return _error_parts(INTERNAL_ERROR)


def _run(http_request: HttpRequest, trail: Trail) -> Any:
    if http_request.method != "POST":
        raise AcpError(METHOD_NOT_ALLOWED, f"method {http_request.method}")
    key = auth.authenticate(http_request.headers.get("Authorization"))
    trail.key_prefix = key.prefix
    call = parse_call(http_request)
    trail.action = call.action
    runtime = get_runtime()
    action = runtime.registry.get(call.action)
    if action is None:
        raise AcpError(UNKNOWN_ACTION, call.action)
    trail.kind = action.kind
    auth.require_scope(key, action.scope)
    _authorise(runtime, action, trail.request_id)
    context = ActionContext(
        request_id=trail.request_id,
        kernel_id=runtime.bindings.kernel_id,
        key=key,
        http_request=http_request,
        registry=runtime.registry,
    )
    return _execute(action, context, call.params)


def _authorise(runtime: Runtime, action: Action, request_id: str) -> None:
    if runtime.hub is None:
        return
    verdict = runtime.hub.authorize(action.name, action.kind, request_id)
    refusal = governance.enforce(verdict, action.kind, conf.fail_mode())
    if refusal is not None:
        raise AcpError(refusal, f"hub {verdict.decision}: {verdict.reason}")


def _execute(action: Action, context: ActionContext, params: dict[str, Any]) -> Any:
    if action.kind == WRITE:
        with transaction.atomic():
            return action.handler(context, params)
    return action.handler(context, params)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder).encode("utf-8")


def _error_parts(spec: ErrorSpec) -> tuple[int, str, bytes]:
    return spec.status, spec.code, _dumps(spec.body())


def _response(status: int, code: str, body: bytes, request_id: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    response["X-Request-ID"] = request_id
    response["Cache-Control"] = "no-store"
    if status == METHOD_NOT_ALLOWED.status:
        response["Allow"] = "POST"
    if code == "UNAUTHENTICATED":
        response["WWW-Authenticate"] = 'Bearer realm="acp"'
    return response
