"""Shapes met in real public FastAPI projects (see bench/README.md, "FastAPI on real
projects"), as small fixtures of our own: a monorepo whose backend is a folder of the git work
tree, a dynamic ``openapi_url`` and FastAPI's ``frontend()`` static fallback. Starlette itself
is the oracle for what takes ``POST /api/manage``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from clitools import run_cli, write_tree

SETTINGS = """\
import os


class Settings:
    OPENAPI_URL: str = os.environ.get("OPENAPI_URL", "/api/v1/openapi.json")


settings = Settings()
"""

MAIN = """\
from fastapi import FastAPI

from acp.router import router as acp_router
from app.settings import settings

app = FastAPI(openapi_url=settings.OPENAPI_URL)
app.include_router(acp_router, prefix="/api")


@app.get("/health")
def health():
    return {"ok": True}


app.frontend("/", directory="dist")
"""

ROUTER = """\
import os

from fastapi import APIRouter
from fastapi.responses import JSONResponse

router = APIRouter()


@router.post("/manage")
async def manage(payload: dict):
    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":
        return JSONResponse({"ok": False, "code": "FEATURE_DISABLED"}, status_code=503)
    return {"ok": True, "by": "acp"}
"""

BINDINGS = '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'

PROBE = """
import json
from fastapi.testclient import TestClient
from app.main import app
client = TestClient(app)
answer = client.post("/api/manage", json={}, headers={"accept": "text/html"})
page = client.get("/index.html")
print(json.dumps([answer.status_code, answer.json(), page.status_code, page.text]))
"""


def backend(root: Path) -> Path:
    write_tree(
        root,
        {
            "pyproject.toml": '[project]\nname = "app"\ndependencies = ["fastapi"]\n',
            "app/__init__.py": "",
            "app/settings.py": SETTINGS,
            "app/main.py": MAIN,
            "acp/__init__.py": "",
            "acp/router.py": ROUTER,
            "controlplane.bindings.json": BINDINGS,
            "dist/index.html": "<p>spa</p>\n",
        },
    )
    return root


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)


def test_frontend_and_a_dynamic_openapi_url_never_take_the_acp_post(tmp_path: Path) -> None:
    root = backend(tmp_path)
    done = run_cli("--no-cache", "--output-format", "concise", ".", cwd=root)
    assert (done.returncode, done.stdout.strip()) == (0, "All checks passed!"), done.stderr
    table = run_cli("routes", ".", cwd=root)
    assert "GET,HEAD  /{path:path}  frontend" in table.stdout, table.stdout
    assert "0 unresolved, 0 collisions" in table.stdout, table.stdout
    # Starlette agrees, even with the OpenAPI page on the endpoint path itself: the SPA
    # fallback serves GET, the ACP route the POST.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACP_")}
    probe = subprocess.run(
        [sys.executable, "-B", "-c", PROBE],
        cwd=root,
        env={**env, "PYTHONPATH": str(root), "OPENAPI_URL": "/api/manage"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    status, body, page_status, page = json.loads(probe.stdout)
    assert (status, body["code"], page_status, page) == (
        503,
        "FEATURE_DISABLED",
        200,
        "<p>spa</p>\n",
    )


def test_a_backend_folder_of_a_monorepo_is_detected_from_the_work_tree_top(
    tmp_path: Path,
) -> None:
    backend(tmp_path / "backend")
    write_tree(tmp_path, {"pyproject.toml": '[tool.uv.workspace]\nmembers = ["backend"]\n'})
    git_init(tmp_path)
    for cwd, target in ((tmp_path, "backend"), (tmp_path / "backend", ".")):
        done = run_cli("routes", target, cwd=cwd)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("FastAPI app: app.main:app"), done.stdout
        assert "manage.py" not in done.stdout
        assert "POST      /api/manage" in done.stdout, done.stdout


def test_a_fastapi_dependency_two_levels_down_is_not_looked_for_by_the_linter(
    tmp_path: Path,
) -> None:
    """The linter looks for dependency files at the root and one folder down (as for
    manage.py), so that a project of neither framework is not scanned module by module on
    every run: an app two levels down is not found, and the message says how to name it
    (`app`). The installer, which runs once, still finds it from the modules that import
    fastapi, and its manifest then decides for the linter."""
    from acp_installer.hosts import host_for

    backend(tmp_path / "services" / "backend")
    git_init(tmp_path)
    done = run_cli("routes", ".", cwd=tmp_path, env={"COLUMNS": "400"})  # whole messages
    assert "FastAPI app" not in done.stdout and "set `app`" in done.stdout, done.stdout
    assert host_for(tmp_path).name == "fastapi"
    # Run from the backend's own folder (its pyproject names fastapi), the app is found.
    inside = run_cli("routes", ".", cwd=tmp_path / "services" / "backend")
    assert inside.stdout.startswith("FastAPI app: app.main:app"), inside.stdout + inside.stderr


def test_a_mount_at_the_root_is_shown_with_one_slash(tmp_path: Path) -> None:
    main = MAIN.replace(
        'app.frontend("/", directory="dist")\n',
        'spa = FastAPI()\napp.mount("/", app=spa)\n',
    )
    root = backend(tmp_path)
    (root / "app" / "main.py").write_text(main)
    done = run_cli("routes", ".", cwd=root)
    rows = [line.split() for line in done.stdout.splitlines()]
    assert ["!!", "*", "/...", "spa", "-", "app/main.py:16"] in rows, done.stdout
    lint = run_cli("--no-cache", "--output-format", "concise", ".", cwd=root)
    assert "ACP201 route '/{path:path}' serves /api/manage today" in lint.stdout, lint.stdout
