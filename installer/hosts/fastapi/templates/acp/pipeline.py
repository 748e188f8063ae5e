"""One request through the endpoint: authenticate, parse, authorise, run, audit, answer.

Only ``router.manage`` calls this, after its ``ACP_ENABLED`` guard, through the threadpool:
everything here is synchronous (database, hub HTTP) and never runs on the event loop.
Whatever happens, the client gets ``{"ok": true, "data": ...}`` or ``{"ok": false, "error":
..., "code": ...}`` with a fixed message; exception details go to the ``acp`` logger, with
every value a client chose escaped (``logsafe.clean``).

A committed write is never reported as failed. A write action (unless declared
``atomic=False``) runs in one transaction with the encoding of its answer and its audit row:
if either fails, everything is rolled back and the client gets 500, audited by a row written
after the rollback. A non-atomic write that returned is reported as done even when its audit
row or its answer cannot be produced (the loss is logged). Other answers get their audit row
afterwards; when it cannot be written they turn into 500 (nothing was changed). When the
database itself is not configured (no ``ACP_DATABASE_URL``/``DATABASE_URL``) there is nowhere
to write a row: the answer stays 503 ``INIT_FAILED``.
"""

from __future__ import annotations

import datetime
import decimal
import json
import logging
import time
import uuid
from acp_lint.records import record
from typing import Any

from starlette.requests import Request

from . import audit, auth, conf, db, governance, throttle
from .actions import WRITE, Action, ActionContext
from .errors import (
    INIT_FAILED,
    INTERNAL_ERROR,
    METHOD_NOT_ALLOWED,
    UNKNOWN_ACTION,
    AcpError,
    ErrorSpec,
)
from .logsafe import clean
from .request_body import parse_call
from .runtime import Runtime, get_runtime

logger = logging.getLogger("acp")

BEGIN_ATTEMPTS = 3


@record(frozen=True)
class Incoming:
    """What the async path operation read from the request before handing it over."""

    method: str
    authorization: str | None
    body: bytes | None  # None: larger than the limit
    http_request: Request


@record
class Trail:
    """What is known about the request so far, for the audit row and the logs."""

    request_id: str
    started: float
    action: str | None = None
    kind: str | None = None
    key_prefix: str | None = None

    def record(self, status: int, code: str, connection: Any = None) -> None:
        """Write this request's audit row (raises if it cannot be written)."""
        audit.record(
            request_id=self.request_id,
            action=self.action,
            kind=self.kind,
            key_prefix=self.key_prefix,
            status=status,
            code=code,
            duration_ms=(time.monotonic() - self.started) * 1000,
            connection=connection,
        )


@record(frozen=True)
class Answer:
    """The response to send, and what is already settled about it."""

    status: int
    code: str
    body: bytes
    audited: bool = False  # its audit row was written inside the write's transaction
    committed: bool = False  # a non-atomic write ran: failure may no longer be reported
    request_id: str = ""

    def headers(self) -> dict[str, str]:
        """The headers every answer carries, and those its status calls for."""
        headers = {"X-Request-ID": self.request_id, "Cache-Control": "no-store"}
        if self.status == METHOD_NOT_ALLOWED.status:
            headers["Allow"] = "POST"
        if self.code == "UNAUTHENTICATED":
            headers["WWW-Authenticate"] = 'Bearer realm="acp"'
        return headers


def handle(incoming: Incoming) -> Answer:
    """Serve one enabled request and make sure it is audited (see the module docstring)."""
    trail = Trail(request_id=uuid.uuid4().hex, started=time.monotonic())
    answer = _serve(incoming, trail)
    if not answer.audited:
        answer = _audit_after(answer, trail)
    return Answer(answer.status, answer.code, answer.body, request_id=trail.request_id)


def _audit_after(answer: Answer, trail: Trail) -> Answer:
    if trail.key_prefix is None and not throttle.unauthenticated.admit():
        return answer  # no valid key: rate-limited (see throttle), counted and logged there
    try:
        trail.record(answer.status, answer.code)
    except AcpError as exc:
        if exc.spec is not INIT_FAILED:
            raise
        logger.warning("no audit row for request %s: no ACP database", trail.request_id)
        return _error(INIT_FAILED)
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


def _serve(incoming: Incoming, trail: Trail) -> Answer:
    try:
        return _run(incoming, trail)
    except AcpError as exc:
        logger.info(
            "request %s %s refused: %s %s",
            trail.request_id,
            clean(trail.action),
            exc.spec.code,
            clean(exc.detail),
        )
        return _error(exc.spec)
    except Exception:  # noqa: BLE001 - never let a traceback reach the client
        logger.exception(
            "unexpected error in request %s (%s)", trail.request_id, clean(trail.action)
        )
        return _error(INTERNAL_ERROR)


def _run(incoming: Incoming, trail: Trail) -> Answer:
    if incoming.method != "POST":
        raise AcpError(METHOD_NOT_ALLOWED, f"method {incoming.method}")
    key = auth.authenticate(incoming.authorization)
    trail.key_prefix = key.prefix
    call = parse_call(incoming.body)
    trail.action = call.action
    runtime = get_runtime()
    action = runtime.registry.get(call.action)
    if action is None:
        raise AcpError(UNKNOWN_ACTION, call.action)
    trail.kind = action.kind
    auth.require_scope(key, action.scope)
    _authorise(runtime, action, trail.request_id)

    def context(connection: Any) -> ActionContext:
        return ActionContext(
            request_id=trail.request_id,
            kernel_id=runtime.bindings.kernel_id,
            key=key,
            http_request=incoming.http_request,
            registry=runtime.registry,
            connection=connection,
        )

    if action.kind != WRITE:
        with db.read_transaction() as connection:
            data = action.handler(context(connection), call.params)
        return _success(data)
    if action.atomic:
        return _atomic_write(action, context, call.params, trail)
    with db.write_transaction() as connection:
        data = action.handler(context(connection), call.params)
    return _committed_success(data, trail)


def _authorise(runtime: Runtime, action: Action, request_id: str) -> None:
    verdict = runtime.hub.authorize(action.name, action.kind, request_id)
    refusal = governance.enforce(verdict, action.kind, conf.fail_mode())
    if refusal is not None:
        raise AcpError(refusal, f"hub {verdict.decision}: {verdict.reason}")


def _atomic_write(action: Action, context: Any, params: dict[str, Any], trail: Trail) -> Answer:
    """Handler, answer and audit row commit together, or not at all.

    A transaction that could not even begin (SQLite: the write lock stayed busy past the
    busy timeout) ran nothing, so it is begun again a few times, as audit writes are.
    """
    for attempt in range(BEGIN_ATTEMPTS):
        began = False
        try:
            with db.write_transaction() as connection:
                began = True
                answer = _success(action.handler(context(connection), params))
                trail.record(answer.status, answer.code, connection)
            return Answer(answer.status, answer.code, answer.body, audited=True)
        except Exception as exc:
            if began or not db.is_transient(exc) or attempt == BEGIN_ATTEMPTS - 1:
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


def _encode_default(value: Any) -> Any:
    """What JSON lacks and handlers commonly return: times, decimals, UUIDs."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value: Any) -> bytes:
    # allow_nan=False: NaN and Infinity are not JSON; such a result is an encoding failure.
    return json.dumps(value, default=_encode_default, allow_nan=False).encode("utf-8")


def _error(spec: ErrorSpec) -> Answer:
    return Answer(spec.status, spec.code, _dumps(spec.body()))
