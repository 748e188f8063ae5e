"""ACP201 precision: what collides with /api/manage and what does not; ACP204 relevance."""

from __future__ import annotations

from pathlib import Path

import pytest
from urls_support import write_project

from acp_lint.hosts.django.urls import build_route_table
from acp_lint.routes import (
    find_acp_mount,
    find_collisions,
    relevant_unresolved,
    resolve,
    suggest_base_paths,
)

ENDPOINT = "/api/manage"
HEADER = """
from django.conf import settings
from django.urls import include, path, re_path
from proj import views
"""


def table_for(tmp_path: Path, body: str, extra: dict[str, str] | None = None):
    files = {"proj/urls.py": HEADER + body, **(extra or {})}
    return build_route_table(write_project(tmp_path, files))


@pytest.mark.parametrize(
    "body",
    [
        'urlpatterns = [path("api/management/", views.view)]',
        'urlpatterns = [path("api/manage_users", views.view)]',
        'urlpatterns = [path("api/<int:pk>", views.view)]',
        'urlpatterns = [path("api/manage/", views.view)]',
        'urlpatterns = [re_path(r"^api/manage/$", views.view)]',
        '# path("api/manage", views.view)\nurlpatterns = [path("home/", views.view)]',
        'urlpatterns = [path("api/", include("app.urls"))]',
        'urlpatterns = [re_path(r"manage$", views.view)]',
    ],
    ids=[
        "management",
        "manage_users",
        "int",
        "trailing-slash",
        "regex-slash",
        "comment",
        "inc",
        "fullmatch-dollar",
    ],
)
def test_not_collisions(tmp_path: Path, body: str) -> None:
    extra = {
        "app/urls.py": "from django.urls import path\nfrom proj import views\n"
        "urlpatterns = [path('other', views.view)]\n",
        # A URLconf that nothing includes is not part of the graph.
        "orphan/urls.py": "from django.urls import path\nfrom proj import views\n"
        "urlpatterns = [path('api/manage', views.view)]\n",
    }
    table = table_for(tmp_path, body, extra)
    assert table.routes, "the host routes were read"
    assert find_collisions(table, ENDPOINT) == []
    assert "orphan/urls.py" not in table.files


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('urlpatterns = [path("api/<slug:x>", views.view)]', 5),
        ('urlpatterns = [path("api/<str:x>", views.view)]', 5),
        ('urlpatterns = [path("<path:x>", views.view)]', 5),
        ('urlpatterns = [re_path(r"^api/man", views.view)]', 5),
        ('urlpatterns = [re_path(r"manage", views.view)]', 5),
        ('urlpatterns = [path("api/", include("app.urls"))]', 3),
        (
            "urlpatterns = []\n"
            "if settings.DEBUG:\n"
            '    urlpatterns += [path("api/manage", views.view)]',
            7,
        ),
        (
            "from rest_framework.routers import SimpleRouter\n"
            "router = SimpleRouter(trailing_slash=False)\n"
            'router.register("manage", views.view, basename="m")\n'
            'urlpatterns = [path("api/", include(router.urls))]',
            7,
        ),
    ],
    ids=["slug", "str", "path", "regex-prefix", "regex-search", "include", "debug", "drf"],
)
def test_collisions(tmp_path: Path, body: str, line: int) -> None:
    extra = {
        "app/urls.py": "from django.urls import path\nfrom proj import views\n"
        "urlpatterns = [path('manage', views.view)]\n",
    }
    table = table_for(tmp_path, body, extra)
    [collision] = find_collisions(table, ENDPOINT)
    assert collision.host_route.line == line
    assert collision.acp_route is None
    assert "/api/manage" in collision.message
    if "<path:" in body or 'r"manage"' in body:  # takes every .../manage: nothing is free
        assert collision.suggestions == ()
        assert "No free base path" in collision.message
    else:
        assert len(collision.suggestions) == 3
    for base in collision.suggestions:
        assert base in collision.message
        assert resolve(table, base.lstrip("/") + "/manage") is None


def test_before_and_after_the_mount(tmp_path: Path) -> None:
    body = """
urlpatterns = [
    path("api/<str:anything>", views.view, name="before"),
    path("api/", include("acp.urls")),
    path("api/manage", views.view, name="after"),
    path("api/other", views.view, name="unrelated"),
]
"""
    extra = {
        "acp/urls.py": "from django.urls import path\nfrom . import views\n"
        "urlpatterns = [path('manage', views.manage, name='acp-manage')]\n",
        "acp/views.py": "def manage(request):\n    return None\n",
    }
    table = table_for(tmp_path, body, extra)
    mount = find_acp_mount(table)
    assert mount is not None and mount.name == "acp-manage"
    assert mount.include_chain[0].target == "acp.urls"
    before, after = find_collisions(table, ENDPOINT)
    assert (before.host_route.name, after.host_route.name) == ("before", "after")
    assert before.acp_route is mount and after.acp_route is mount
    assert "acp/urls.py:3" in before.message and "never dispatch" in before.message
    assert "serves /api/manage today" in after.message
    assert resolve(table, "api/manage").name == "before"


def test_direct_view_mount_is_found_by_view_module(tmp_path: Path) -> None:
    body = """
from acp import views as acp_views
urlpatterns = [path("api/manage", acp_views.manage), path("api/manage", views.view)]
"""
    table = table_for(tmp_path, body, {"acp/views.py": "def manage(request):\n    pass\n"})
    assert find_acp_mount(table).view == "acp.views.manage"
    [collision] = find_collisions(table, ENDPOINT)
    assert collision.host_route.view == "proj.views.view"
    assert find_collisions(table, ENDPOINT, acp_app="other") != []
    assert len(find_collisions(table, ENDPOINT, acp_app="other")) == 2


def test_suggestions_skip_taken_paths(tmp_path: Path) -> None:
    body = """
urlpatterns = [
    path("api/<slug:section>/", include("app.urls")),
    path("acp/", views.view),
    path("api/manage", views.view),
]
"""
    extra = {
        "app/urls.py": "from django.urls import path\nfrom proj import views\n"
        "urlpatterns = [path('manage', views.view)]\n",
    }
    table = table_for(tmp_path, body, extra)
    suggestions = suggest_base_paths(table)
    assert "/api/acp" not in suggestions  # api/<slug>/manage takes it
    assert "/acp" not in suggestions  # a route lives at /acp/
    assert len(suggestions) == 3
    for base in suggestions:
        assert resolve(table, base.lstrip("/") + "/manage") is None


def test_relevant_unresolved(tmp_path: Path) -> None:
    body = """
from django.contrib import admin
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("blog/", include("thirdparty.blog.urls")),
    path("api/", include("thirdparty.api.urls")),
    re_path(r"^a", include("thirdparty.a.urls")),
]
"""
    table = table_for(tmp_path, body)
    assert [u.prefix_text for u in table.unresolved] == ["blog/", "api/", "^a"]
    relevant = relevant_unresolved(table, ENDPOINT)
    assert [u.line for u in relevant] == [11, 12]
    assert [u.line for u in relevant_unresolved(table, "/blog/manage")] == [10]
    assert relevant_unresolved(table, "/x/manage") == []
    assert find_collisions(table, ENDPOINT) == []


def test_admin_at_root_collides(tmp_path: Path) -> None:
    body = """
from django.contrib import admin
urlpatterns = [path("", admin.site.urls)]
"""
    table = table_for(tmp_path, body)
    [collision] = find_collisions(table, ENDPOINT)
    assert collision.host_route.kind == "admin"
