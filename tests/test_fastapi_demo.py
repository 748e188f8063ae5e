"""The bundled FastAPI demo host: its expected findings, its route table and its fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from clitools import run_cli, run_json

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "fastapi_demo"

EXPECTED = [
    ("fixtures/fastapi_demo/acp/router.py", 11, 11, "ACP101"),
    ("fixtures/fastapi_demo/acp/router.py", 12, 10, "ACP102"),
    ("fixtures/fastapi_demo/acp/router.py", 17, 5, "ACP103"),
    ("fixtures/fastapi_demo/acp/router.py", 25, 11, "ACP104"),
    ("fixtures/fastapi_demo/migrations/versions/acp_0001_tables.py", 21, 5, "ACP301"),
    ("fixtures/fastapi_demo/shop/main.py", 23, 2, "ACP201"),
]


def test_fastapi_demo_findings() -> None:
    code, payload = run_json("fixtures/fastapi_demo", cwd=REPO)
    assert code == 1
    found = [(i["path"], i["line"], i["column"], i["code"]) for i in payload]
    assert found == EXPECTED
    messages = {item["code"]: item["message"] for item in payload}
    assert "lifespan" in messages["ACP103"]
    assert "acp/router.py:24" in messages["ACP201"]
    assert "Free base paths: /acp" in messages["ACP201"]
    assert "'orders'" in messages["ACP301"]


def test_fastapi_demo_routes_as_text_and_json() -> None:
    text = run_cli("routes", "fixtures/fastapi_demo", cwd=REPO)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "FastAPI app: shop.main:app    ACP endpoint: /api/manage"
    assert any(line.startswith("ACP  POST") and "/api/manage" in line for line in lines)
    assert any(line.startswith("!!   POST") and "/api/{resource}" in line for line in lines)
    assert lines[-1] == "8 routes, 0 unresolved, 1 collision"
    done = run_cli("routes", "--output-format", "json", "fixtures/fastapi_demo", cwd=REPO)
    payload = json.loads(done.stdout)
    assert payload["framework"] == "Starlette"
    assert payload["root_urlconf"] == "shop.main:app"
    acp = [r for r in payload["routes"] if r["acp_endpoint"]]
    assert [(r["pattern"], r["methods"], r["view"]) for r in acp] == [
        ("/api/manage", ["POST"], "acp.router.manage")
    ]
    colliding = [(r["pattern"], r["methods"]) for r in payload["routes"] if r["collision"]]
    assert colliding == [("/api/{resource}", ["POST"])]


def _post_manage(project: Path, enabled: bool) -> subprocess.CompletedProcess:
    """POST /api/manage through FastAPI's own TestClient in a fresh interpreter."""
    script = (
        "from fastapi.testclient import TestClient\n"
        "from shop.main import app\n"
        "with TestClient(app) as client:\n"
        "    response = client.post('/api/manage', json={'action': 'meta.version'})\n"
        "print(response.status_code, response.text)\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "ACP_BASE_URL": "http://127.0.0.1:9"}
    if enabled:
        env["ACP_ENABLED"] = "true"
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_safe_fix_guards_the_operation_with_a_503_json_response(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    before = _post_manage(project, enabled=False)
    assert before.returncode == 0, before.stderr
    assert before.stdout.startswith("200 ")  # unguarded: served with ACP off
    fixed = run_cli("--fix", "acp/router.py", cwd=project)
    # ACP101-103 remain, and the ACP201 of the route graph acp/router.py is part of
    assert "(1 fixed, 4 remaining)" in fixed.stdout, fixed.stdout
    source = (project / "acp" / "router.py").read_text()
    assert "from fastapi.responses import JSONResponse" in source
    off = _post_manage(project, enabled=False)
    assert off.returncode == 0, off.stderr
    status, body = off.stdout.split(" ", 1)
    assert status == "503"
    assert json.loads(body)["code"] == "FEATURE_DISABLED"
    on = _post_manage(project, enabled=True)
    assert on.stdout.startswith("200 "), on.stdout + on.stderr
    again = run_cli("--select", "ACP104", ".", cwd=project)
    assert again.returncode == 0, again.stdout


def test_host_code_is_never_reported() -> None:
    _, payload = run_json("fixtures/fastapi_demo", cwd=REPO)
    paths = {item["path"] for item in payload}
    assert "fixtures/fastapi_demo/migrations/versions/0001_create_orders.py" not in paths
    assert not any(
        item["path"].endswith("shop/main.py") and item["code"] != "ACP201" for item in payload
    )


def test_scripts_demo_takes_the_framework_and_defaults_to_django() -> None:
    def demo(*args: str) -> list[str]:
        done = subprocess.run(
            ["bash", str(REPO / "scripts" / "demo"), *args, "--output-format", "concise"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    fastapi = demo("fastapi")
    assert fastapi[0] == "$ acp-lint fixtures/fastapi_demo"
    assert [line.split(" ")[1] for line in fastapi[1:-1]] == [code for *_, code in EXPECTED]
    django = demo()
    assert django[0] == "$ acp-lint fixtures/demo"
    assert demo("django") == django
