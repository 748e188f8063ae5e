"""The ACP endpoint: the ``ACP_ENABLED`` guard, then the request pipeline in the threadpool.

The host mounts it once, right after it creates its app::

    from acp.router import acp_router

    app = FastAPI()
    app.include_router(acp_router, prefix="/api")  # the base_path of bindings.json

``ACP_ENABLED`` is read from the environment on every request and checked before anything
else, so switching it off takes effect immediately and an unset variable means "off".
Disabled requests are answered without touching the database (no audit row): the feature
is off, and its tables may not even exist yet. The route accepts the usual methods so that a
wrong one gets the endpoint's own JSON 405 (as in the Django app), not Starlette's; it is
left out of the OpenAPI schema.
"""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from . import pipeline
from .request_body import read_body

acp_router = APIRouter()
router = acp_router  # the name the include_router edit of `echelon install` imports


@acp_router.api_route(
    "/manage", methods=["POST", "GET", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def manage(request: Request) -> Response:
    """``POST <base>/manage``: run one governed action."""
    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":
        return JSONResponse(
            {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"}, status_code=503
        )
    body = await read_body(request) if request.method == "POST" else b""
    incoming = pipeline.Incoming(
        method=request.method,
        authorization=request.headers.get("authorization"),
        body=body,
        http_request=request,
    )
    answer = await run_in_threadpool(pipeline.handle, incoming)
    return Response(
        answer.body,
        status_code=answer.status,
        media_type="application/json",
        headers=answer.headers(),
    )
