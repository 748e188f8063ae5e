"""``acp-lint routes`` on the demo host: dispatch order, ACP endpoint and collision marked."""

from __future__ import annotations

import json
from pathlib import Path

from clitools import run_cli

REPO = Path(__file__).resolve().parent.parent


def test_routes_text_marks_endpoint_and_collision() -> None:
    completed = run_cli("routes", "fixtures/demo", cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == "Root URLconf: shop.urls    ACP endpoint: /api/manage"
    collision = next(line for line in lines if line.startswith("!!"))
    endpoint = next(line for line in lines if line.startswith("ACP"))
    assert "/api/<slug:resource>" in collision and "shop/urls.py:13" in collision
    assert "/api/manage" in endpoint and "acp/urls.py:7" in endpoint
    assert lines.index(collision) < lines.index(endpoint)  # dispatch order
    assert lines[-1] == "6 routes, 0 unresolved, 1 collisions"


def test_routes_json() -> None:
    completed = run_cli("routes", "fixtures/demo", "--output-format", "json", cwd=REPO)
    payload = json.loads(completed.stdout)
    assert payload["endpoint_path"] == "/api/manage"
    flagged = [(r["pattern"], r["acp_endpoint"], r["collision"]) for r in payload["routes"]]
    assert ("/api/manage", True, False) in flagged
    assert ("/api/<slug:resource>", False, True) in flagged


def test_routes_missing_path_is_usage_error() -> None:
    completed = run_cli("routes", "no/such/dir", cwd=REPO)
    assert completed.returncode == 2
    assert "path not found" in completed.stderr
