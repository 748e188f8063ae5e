"""The route table as text and JSON (the future ``acp-lint routes``)."""

from __future__ import annotations

import json
from pathlib import Path

from urls_support import write_project

from acp_lint.urls import (
    build_route_table,
    find_collisions,
    format_route_table,
    route_table_to_json,
)

URLS = """
from django.conf import settings
from django.urls import include, path
from proj import views
urlpatterns = [
    path("api/<str:x>", views.view, name="catch"),
    path("api/", include("acp.urls")),
    path("blog/", include("elsewhere.urls")),
]
if settings.DEBUG:
    urlpatterns += [path("debug/", views.view, name="dbg")]
"""
ACP = (
    "from django.urls import path\n"
    "from . import views\n"
    "urlpatterns = [path('manage', views.manage)]\n"
)


def test_text_and_json(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {"proj/urls.py": URLS, "acp/urls.py": ACP, "acp/views.py": "def manage(r): pass\n"},
    )
    table = build_route_table(tree)
    collisions = find_collisions(table, "/api/manage")
    text = format_route_table(table, "/api/manage", collisions)
    lines = text.splitlines()
    assert lines[0] == "Root URLconf: proj.urls    ACP endpoint: /api/manage"
    assert lines[1].startswith("!!") and "/api/<str:x>" in lines[1] and "proj/urls.py:6" in lines[1]
    assert (
        lines[2].startswith("ACP")
        and "acp.views.manage" in lines[2]
        and "acp/urls.py:3" in lines[2]
    )
    assert lines[3].rstrip().endswith("if settings.DEBUG") and "dbg" in lines[3]
    assert lines[4].startswith("?") and "/blog/" in lines[4] and "proj/urls.py:8" in lines[4]
    assert lines[-1] == "3 routes, 1 unresolved, 1 collisions"

    data = route_table_to_json(table, "/api/manage", collisions)
    assert json.loads(json.dumps(data)) == data
    assert [r["pattern"] for r in data["routes"]] == ["/api/<str:x>", "/api/manage", "/debug/"]
    assert [r["collision"] for r in data["routes"]] == [True, False, False]
    assert [r["acp_endpoint"] for r in data["routes"]] == [False, True, False]
    assert data["routes"][2]["conditional"] is True
    assert data["routes"][1]["include_chain"] == [
        {"path": "proj/urls.py", "line": 7, "target": "acp.urls"}
    ]
    assert data["unresolved"][0]["relevant"] is False
    assert data["unresolved"][0]["prefix"] == "/blog/"
