"""The route table as text and JSON (the future ``acp-lint routes``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from urls_support import write_project

from acp_lint.hosts.django.urls import build_route_table
from acp_lint.routes import find_collisions, format_route_table, route_table_to_json

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
    assert text.splitlines() == [
        "Root URLconf: proj.urls    ACP endpoint: /api/manage",
        "     PATTERN       VIEW              NAME   LOCATION         CONDITION",
        "!!   /api/<str:x>  proj.views.view   catch  proj/urls.py:6",
        "ACP  /api/manage   acp.views.manage  -      acp/urls.py:3",
        "     /debug/       proj.views.view   dbg    proj/urls.py:11  if settings.DEBUG",
        "?    /blog/  proj/urls.py:8  unresolved: included module 'elsewhere.urls' is not part "
        "of the project",
        "3 routes, 1 unresolved, 1 collision",
    ]

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
    assert [r["namespace"] for r in data["routes"]] == [None, None, None]


def test_counts_are_singular_and_plural(tmp_path: Path) -> None:
    one = write_project(
        tmp_path / "one",
        {
            "proj/urls.py": (
                "from django.urls import include, path\nfrom proj import views\n"
                "urlpatterns = [path('api/<str:x>', views.view),"
                " path('x/', include('elsewhere.urls'))]\n"
            ),
            "proj/broken.py": "",
        },
    )
    table = build_route_table(one)
    collisions = find_collisions(table, "/api/manage")
    assert len(collisions) == 1
    text = format_route_table(table, "/api/manage", collisions)
    assert text.splitlines()[-1] == "1 route, 1 unresolved, 1 collision"
    none = build_route_table(
        write_project(tmp_path / "none", {"proj/urls.py": "urlpatterns = []\n"})
    )
    text = format_route_table(none, "/api/manage", [])
    assert text.splitlines() == [
        "Root URLconf: proj.urls    ACP endpoint: /api/manage",
        "0 routes, 0 unresolved, 0 collisions",
    ]


def test_fitted_to_the_width_by_cutting_the_view(tmp_path: Path) -> None:
    long_view = "proj.views." + "very_long_view_name_" * 4 + "end"
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": (
                "from django.urls import path\nfrom proj import views\n"
                f"urlpatterns = [path('a/', views.{long_view.removeprefix('proj.views.')},"
                " name='a'), path('b/', views.view, name='b')]\n"
            ),
            "proj/views.py": f"def {long_view.removeprefix('proj.views.')}(r): pass\n"
            "def view(r): pass\n",
        },
    )
    table = build_route_table(tree)
    full = format_route_table(table).splitlines()
    assert any(long_view in line for line in full)
    widest = max(len(line) for line in full)
    for width in (widest, 80, 60, 50, 20):
        lines = format_route_table(table, width=width).splitlines()
        assert len(lines) == len(full)  # never wrapped
        assert all(len(line) <= width for line in lines), (width, lines)
    assert format_route_table(table, width=widest).splitlines() == full
    fitted = format_route_table(table, width=60).splitlines()
    route = fitted[2]
    assert route.lstrip().startswith("/a/") and route.endswith("a     proj/urls.py:3")
    assert len(route) == 60 and "proj.views.very_long_view_…" in route
    assert long_view not in route
    header = fitted[1]
    assert header.split() == ["PATTERN", "VIEW", "NAME", "LOCATION"]
    # The columns stay aligned under the header.
    assert route.index("proj/urls.py:3") == header.index("LOCATION")


NAMESPACED = {
    "proj/urls.py": """
        from django.urls import include, path
        from proj import views
        urlpatterns = [
            path("shop/", include("shop.urls")),
            path("shop2/", include("shop.urls", namespace="shop2")),
            path("blog/", include(([path("p/", views.view, name="post")], "blog"))),
            path("nested/", include("outer.urls")),
            path("plain/", include("plain.urls")),
            path("top/", views.view, name="top"),
        ]
        """,
    "shop/urls.py": """
        from django.urls import path
        from proj import views
        app_name = "shop"
        urlpatterns = [path("item/", views.view, name="item"), path("raw/", views.view)]
        """,
    "outer/urls.py": """
        from django.urls import include, path
        app_name = "outer"
        urlpatterns = [path("in/", include("shop.urls"))]
        """,
    "plain/urls.py": """
        from django.urls import path
        from proj import views
        urlpatterns = [path("x/", views.view, name="x")]
        """,
}
NAMESPACE_RUNNER = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings"
import django
django.setup()
from django.urls import resolve
print(json.dumps([[resolve(p).namespace or None, resolve(p).url_name] for p in sys.argv[2:]]))
"""


def test_namespaces_are_the_ones_django_resolves(tmp_path: Path) -> None:
    """Django is the oracle: ``ResolverMatch.namespace`` of every route's path."""
    table = build_route_table(write_project(tmp_path, NAMESPACED))
    assert table.unresolved == []
    paths = ["/" + route.pattern for route in table.routes]
    django = subprocess.run(
        [sys.executable, "-c", NAMESPACE_RUNNER, str(tmp_path), *paths],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert django.returncode == 0, django.stderr
    expected = json.loads(django.stdout)
    assert [[route.namespace, route.name] for route in table.routes] == expected
    assert {namespace for namespace, _ in expected} == {
        "shop",
        "shop2",
        "blog",
        "outer:shop",
        None,
    }
    lines = format_route_table(table).splitlines()
    names = [line.split()[2] for line in lines[2:-1]]
    assert names == ["shop:item", "shop:-", "shop2:item", "shop2:-", "blog:post"] + [
        "outer:shop:item",
        "outer:shop:-",
        "x",
        "top",
    ]
    data = route_table_to_json(table)
    assert [r["namespace"] for r in data["routes"]] == [ns for ns, _ in expected]
