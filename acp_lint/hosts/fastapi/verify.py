"""``routes --verify`` for FastAPI: ask Starlette's own router, in the project's interpreter.

The static table is the answer wherever it is conclusive; where it is not (ACP204), the app
named by ``app``/detection is imported in a subprocess of the project's interpreter and every
route of its router is asked ``route.matches(scope)`` for ``POST <endpoint>``: a FULL match
outside the ACP package serves the path (ACP201), none leaves it free. Importing the app runs
the host's module code, as ``--verify`` runs Django's settings; plain ``acp-lint`` never does.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from acp_lint.records import record

TIMEOUT_SECONDS = 60

# Run as ``python -c PROBE <module:attr> <acp package> <json paths>`` with the project as cwd.
PROBE = r"""
import importlib, json, sys
sys.path.insert(0, ".")
spec, acp, paths = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
try:
    from starlette.routing import Match
except ImportError:
    print(json.dumps({"status": "unavailable"}))
    raise SystemExit(0)
module, _, attribute = spec.partition(":")
app = getattr(importlib.import_module(module), attribute)
if not hasattr(app, "router") and callable(app):
    app = app()  # an application factory (uvicorn --factory)
def describe(route, scope):
    context = None
    while hasattr(route, "_match"):  # FastAPI's included routers name the route inside
        _, _, route, context = route._match(scope)
    effective = getattr(context, "starlette_route", None) or context or route
    target = getattr(effective, "endpoint", None) or getattr(route, "endpoint", None)
    if target is None:
        target = getattr(route, "app", None)  # a Mount: the mounted application
    owner = getattr(target, "__module__", None) or type(target).__module__
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    return owner, f"{owner}.{name}", getattr(effective, "path", "")
answers = {}
for path in paths:
    scope = {"type": "http", "method": "POST", "path": path, "root_path": "",
             "query_string": b"", "headers": []}
    found = []
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            owner, view, pattern = describe(route, scope)
            found.append({"path": path, "view": view, "module": owner, "route": pattern,
                          "acp": owner == acp or owner.startswith(acp + ".")})
    answers[path] = found
print(json.dumps({"status": "ok", "answers": answers}))
"""


@record(frozen=True)
class Served:
    """A route Starlette gives ``POST path`` to (a FULL match)."""

    path: str
    view: str
    module: str
    route: str


@record(frozen=True)
class StarletteVerification:
    """What Starlette's router said (``Host.verify``); ``settings`` is the app's import string."""

    status: str
    settings: str
    python: str
    endpoint_path: str
    matches: tuple[Served, ...] = ()
    acp: tuple[Served, ...] = ()
    error: str = ""
    free_base_paths: tuple[str, ...] = ()

    @property
    def conclusive(self) -> bool:
        return self.status in ("free", "served")

    def summary(self) -> str:
        path, app = self.endpoint_path, self.settings or "(app not found)"
        if self.status == "free":
            extra = " (it goes only to the ACP router)" if self.acp else ""
            return f"verified with Starlette: POST {path} is free in {app}{extra}"
        if self.status == "served":
            views = ", ".join(f"{m.path} -> {m.view}" for m in self.matches)
            return f"verified with Starlette in {app}: {views}"
        how = "pass --python PATH to the project's interpreter (the one with its dependencies)"
        if self.status == "unavailable":
            return f"could not verify: Starlette is not importable by {self.python} ({how})"
        return f"could not verify {app} with {self.python}: {self.error} ({how})"


def verify_endpoint(
    root: Path,
    app: str,
    endpoint: str,
    python: str,
    acp_app: str,
    candidates: tuple[str, ...] = (),
) -> StarletteVerification:
    """Ask the app's router about ``POST endpoint`` (and ``<candidate>/manage`` of each)."""
    if not app:
        return StarletteVerification(
            "error", "", python, endpoint, error='no FastAPI app found (set app = "pkg.mod:app")'
        )
    probes = {candidate.rstrip("/") + "/manage": candidate for candidate in candidates}
    paths = [endpoint, *probes]
    try:
        done = subprocess.run(
            [python, "-c", PROBE, app, acp_app, json.dumps(paths)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    except (OSError, subprocess.SubprocessError) as error:
        return StarletteVerification("error", app, python, endpoint, error=str(error))
    last = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else []
    try:
        payload = json.loads(last[0]) if last else None
    except ValueError:
        payload = None
    if done.returncode != 0 or not isinstance(payload, dict):
        lines = done.stderr.strip().splitlines()
        reason = lines[-1] if lines else f"exit {done.returncode}"
        return StarletteVerification("error", app, python, endpoint, error=reason)
    if payload.get("status") == "unavailable":
        return StarletteVerification("unavailable", app, python, endpoint)
    answers = payload["answers"]

    def served(path: str, acp: bool) -> tuple[Served, ...]:
        return tuple(
            Served(a["path"], a["view"], a["module"], a["route"])
            for a in answers.get(path, ())
            if bool(a["acp"]) == acp
        )

    host, own = served(endpoint, False), served(endpoint, True)
    free = tuple(probes[path] for path in probes if not served(path, False))
    status = "served" if host else "free"
    return StarletteVerification(status, app, python, endpoint, host, own, "", free)
