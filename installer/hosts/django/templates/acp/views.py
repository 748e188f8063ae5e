"""The ACP endpoint view: the ``ACP_ENABLED`` guard, then the request pipeline.

``ACP_ENABLED`` is read from the environment on every request and checked before anything
else, so switching it off takes effect immediately and an unset variable means "off".
Disabled requests are answered without touching the database (no audit row): the feature
is off, and its tables may not even exist yet.
"""

from __future__ import annotations

import os

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import pipeline


@csrf_exempt
@transaction.non_atomic_requests
def manage(request: HttpRequest) -> HttpResponse:
    """``POST <base>/manage``: run one governed action."""
    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":
        return JsonResponse(
            {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"}, status=503
        )
    return pipeline.handle(request)
