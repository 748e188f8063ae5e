"""``acp-lint routes`` on the demo host: dispatch order, ACP endpoint and collision marked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from clitools import run_cli

REPO = Path(__file__).resolve().parent.parent


DEMO_TABLE = [
    "Root URLconf: shop.urls    ACP endpoint: /api/manage",
    "     PATTERN               VIEW                        NAME          LOCATION",
    "     /admin/(?P<url>.*)$   admin.site.urls             admin:-       shop/urls.py:9",
    "     /                     catalog.views.home          home          shop/urls.py:10",
    "     /catalog/             catalog.views.product_list  product-list  catalog/urls.py:6",
    "!!   /api/<slug:resource>  catalog.views.api_resource  api-resource  shop/urls.py:13",
    "ACP  /api/manage           acp.views.manage            acp:manage    acp/urls.py:7",
    "     /api/status           acp.views.status            acp:status    acp/urls.py:8",
    "6 routes, 0 unresolved, 1 collision",
]


def _routes(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``acp-lint routes`` with stdout a pipe and exactly ``env``'s COLUMNS (or none)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "acp_lint", "routes", "fixtures/demo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=300,
        check=False,
    )


def test_routes_text_marks_endpoint_and_collision() -> None:
    """Header row, dispatch order, ``namespace:name``, marks; a pipe gets every line whole."""
    completed = _routes({})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == DEMO_TABLE


def test_routes_fit_the_terminal_width() -> None:
    wide = _routes({"COLUMNS": "200"})
    assert wide.stdout.splitlines() == DEMO_TABLE
    narrow = _routes({"COLUMNS": "72"})
    assert narrow.returncode == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert len(lines) == len(DEMO_TABLE)  # never wrapped
    assert max(len(line) for line in lines) == 72
    endpoint = next(line for line in lines if line.startswith("ACP"))
    assert endpoint.split() == ["ACP", "/api/manage", "acp.views.m…", "acp:manage", "acp/urls.py:7"]
    collision = next(line for line in lines if line.startswith("!!"))
    assert "catalog.vie…  api-resource" in collision and collision.endswith("shop/urls.py:13")
    assert lines[1].split() == ["PATTERN", "VIEW", "NAME", "LOCATION"]


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


def test_routes_of_a_path_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    """A committed ``vendor -> /elsewhere/project`` made ``acp-lint routes vendor`` list the
    routes of a project outside the repository (and ``--verify`` would run its Django)."""
    import shutil

    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(REPO / "fixtures" / "demo", elsewhere)
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    os.symlink(elsewhere, repo / "vendor")
    os.symlink(elsewhere / "shop" / "urls.py", repo / "urls.py")
    for path in ("vendor", "urls.py"):
        completed = run_cli("routes", path, cwd=repo)
        assert completed.returncode == 2, completed.stdout
        assert "leads out of the repository" in completed.stderr
        assert "api/" not in completed.stdout
    os.symlink("vendor", repo / "alias")  # inside, but still leads out through vendor
    assert run_cli("routes", "alias", cwd=repo).returncode == 2
