"""One request through the endpoint: authenticate, parse, authorise, run, audit, answer.

Only ``views.manage`` calls this, after its ``ACP_ENABLED`` guard. Whatever happens, the
client gets ``{"ok": true, "data": ...}`` or ``{"ok": false, "error": ..., "code": ...}``
with a fixed message; exception details go to the ``acp`` logger, with every value a client
chose escaped (``logsafe.clean``).

A committed write is never reported as failed. A write action (unless declared
``atomic=False``) runs in one transaction with the encoding of its answer and its audit row:
if either fails, everything is rolled back and the client gets 500, audited by a row written
after the rollback. A non-atomic write that returned is reported as done even when its audit
row or its answer cannot be produced (the loss is logged). Other answers get their audit row
afterwards; when it cannot be written they turn into 500 (nothing was changed).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from acp_lint.records import record
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse

from . import audit, auth, conf, governance, throttle
from .actions import WRITE, Action, ActionContext
from .errors import INTERNAL_ERROR, METHOD_NOT_ALLOWED, UNKNOWN_ACTION, AcpError, ErrorSpec
from .logsafe import clean
from .request_body import parse_call
from .runtime import Runtime, get_runtime

logger = logging.getLogger("acp")

BEGIN_ATTEMPTS = 3


@record
class Trail:
    """What is known about the request so far, for the audit row and the logs."""

    request_id: str
    started: float
    action: str | None = None
    kind: str | None = None
    key_prefix: str | None = None

    def record(self, status: int, code: str) -> None:
        """Write this request's audit row (raises if it cannot be written)."""
        audit.record(
            request_id=self.request_id,
            action=self.action,
            kind=self.kind,
            key_prefix=self.key_prefix,
            status=status,
            code=code,
            duration_ms=(time.monotonic() - self.started) * 1000,
        )


@record(frozen=True)
class Answer:
    """The response to send, and what is already settled about it."""

    status: int
    code: str
    body: bytes
    audited: bool = False  # its audit row was written inside the write's transaction
    committed: bool = False  # a non-atomic write ran: failure may no longer be reported


def handle(http_request: HttpRequest) -> HttpResponse:
    """Serve one enabled request and make sure it is audited (see the module docstring)."""
    trail = Trail(request_id=uuid.uuid4().hex, started=time.monotonic())
    answer = _serve(http_request, trail)
    if not answer.audited:
        answer = _audit_after(answer, trail)
    return _response(answer, trail.request_id)


def _audit_after(answer: Answer, trail: Trail) -> Answer:
    if trail.key_prefix is None and not throttle.unauthenticated.admit():
        return answer  # no valid key: rate-limited (see throttle), counted and logged there
    try:
        trail.record(answer.status, answer.code)
    except Exception:  # noqa: BLE001 - decided below, never a traceback to the client
        logger.exception("audit write failed for request %s", trail.request_id)
        if answer.committed:
            logger.error(
                "audit row lost for committed request %s: action=%s kind=%s key=%s status=%s",
                trail.request_id,
                clean(trail.action),
                trail.kind,
                trail.key_prefix,
                answer.status,
            )
            return answer
        return _error(INTERNAL_ERROR)
    return answer


def _serve(http_request: HttpRequest, trail: Trail) -> Answer:
    try:
        return _run(http_request, trail)
    except AcpError as exc:
        logger.info(
            "request %s %s refused: %s %s",
            trail.request_id,
            clean(trail.action),
            exc.spec.code,
            clean(exc.detail),
        )
        return _error(exc.spec)
    except DatabaseError:
        logger.exception("database error in request %s (%s)", trail.request_id, clean(trail.action))
        return _error(INTERNAL_ERROR)
    except Exception:  # noqa: BLE001 - never let a traceback reach the client
        logger.exception(
            "unexpected error in request %s (%s)", trail.request_id, clean(trail.action)
        )
        return _error(INTERNAL_ERROR)


def _run(http_request: HttpRequest, trail: Trail) -> Answer:
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
    if action.kind != WRITE:
        return _success(action.handler(context, call.params))
    if action.atomic:
        return _atomic_write(action, context, call.params, trail)
    data = action.handler(context, call.params)
    return _committed_success(data, trail)


def _authorise(runtime: Runtime, action: Action, request_id: str) -> None:
    verdict = runtime.hub.authorize(action.name, action.kind, request_id)
    refusal = governance.enforce(verdict, action.kind, conf.fail_mode())
    if refusal is not None:
        raise AcpError(refusal, f"hub {verdict.decision}: {verdict.reason}")


def _atomic_write(
    action: Action, context: ActionContext, params: dict[str, Any], trail: Trail
) -> Answer:
    """Handler, answer and audit row commit together, or not at all.

    A transaction that could not even begin (SQLite: the write lock stayed busy past the
    database timeout) ran nothing, so it is begun again a few times, as audit writes are.
    """
    for attempt in range(BEGIN_ATTEMPTS):
        began = False
        try:
            with transaction.atomic(using=audit.database()):
                began = True
                answer = _success(action.handler(context, params))
                trail.record(answer.status, answer.code)
            return Answer(answer.status, answer.code, answer.body, audited=True)
        except OperationalError as exc:
            if began or not audit.is_transient(exc) or attempt == BEGIN_ATTEMPTS - 1:
                raise
            logger.warning("write %s could not begin (%s); retried", trail.request_id, exc)
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def _success(data: Any) -> Answer:
    return Answer(200, "OK", _dumps({"ok": True, "data": data}))


def _committed_success(data: Any, trail: Trail) -> Answer:
    """A non-atomic write returned: it is done, whatever happens to its answer."""
    try:
        body = _dumps({"ok": True, "data": data})
    except Exception:  # noqa: BLE001 - the change is made; report it, without its data
        logger.exception(
            "result of committed request %s (%s) cannot be encoded; answered with data null",
            trail.request_id,
            clean(trail.action),
        )
        body = _dumps({"ok": True, "data": None})
    return Answer(200, "OK", body, committed=True)


def _dumps(value: Any) -> bytes:
    # allow_nan=False: NaN and Infinity are not JSON; such a result is an encoding failure.
    return json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False).encode("utf-8")


def _error(spec: ErrorSpec) -> Answer:
    return Answer(spec.status, spec.code, _dumps(spec.body()))


def _response(answer: Answer, request_id: str) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type="application/json")
    response["X-Request-ID"] = request_id
    response["Cache-Control"] = "no-store"
    if answer.status == METHOD_NOT_ALLOWED.status:
        response["Allow"] = "POST"
    if answer.code == "UNAUTHENTICATED":
        response["WWW-Authenticate"] = 'Bearer realm="acp"'
    return response
