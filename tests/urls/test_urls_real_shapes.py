"""Shapes found in real projects (issue 10: 2, 3, 8, 9; issue 12: 11), with Django as the judge.

Each project here is a real Django project on disk; where the question is "what does Django
dispatch this path to", ``django.urls.resolve`` in a subprocess answers and the static table
must agree (under the same branch assumptions).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from clitools import run_json
from urls_support import django_resolve, write_project

from acp_lint.hosts.django.urls import build_route_table
from acp_lint.routes import (
    find_collisions,
    format_route_table,
    relevant_unresolved,
    resolve,
    unresolved_causes,
)
from acp_lint.sources import DiskTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HEADER = """
from django.conf import settings
from django.urls import include, path, re_path
from proj import views
"""

# A django-ninja-like object: ``.urls`` is a property returning (patterns, app_name, namespace).
NINJA = """
from django.urls import path
from proj import views


class API:
    def __init__(self, routes):
        self.routes = routes

    @property
    def urls(self):
        patterns = [path(route, views.view, name=name) for route, name in self.routes]
        return (patterns, "api", "api")


api = API([("manage", "ninja-manage"), ("items/<int:pk>", "ninja-item")])
other = API([("status", "other-status")])
"""


def agree(root: Path, paths: list[str], assume: dict[str, bool] | None = None) -> list:
    """Django's answers for ``paths``, after asserting the static table gives the same."""
    table = build_route_table(DiskTree(root))
    expected = django_resolve(root, paths)
    for path, want in zip(paths, expected, strict=True):
        route = resolve(table, path, assume=assume)
        got = None if route is None else [route.name, route.pattern]
        assert got == want, (path, got, want)
    return expected


# ----- 1. ``path("api/", obj.urls)`` is an include --------------------------------------------
def test_urls_attribute_is_an_include_that_django_serves(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "proj/ninja.py": NINJA,
            "proj/urls.py": HEADER
            + "from proj.ninja import api, other\n"
            + "urlpatterns = [\n"
            + '    path("api/", api.urls),\n'
            + '    path("status/", other.urls),\n'
            + '    path("home/", views.view, name="home"),\n'
            + "]\n",
        },
    )
    answers = django_resolve(tmp_path, ["api/manage", "api/items/3", "status/status", "home/"])
    assert answers[0] == ["ninja-manage", "api/manage"]  # Django really serves /api/manage
    table = build_route_table(DiskTree(tmp_path))
    # never a leaf route: nothing in the table claims to be the view "api.urls"
    assert not any(route.view.endswith(".urls") for route in table.routes)
    assert resolve(table, "home/").name == "home"
    # unresolved where it could serve the endpoint, and only there
    relevant = relevant_unresolved(table, "/api/manage")
    assert [(item.line, item.prefix_text) for item in relevant] == [(7, "api/")]
    assert "api.urls" in relevant[0].reason
    assert relevant_unresolved(table, "/acp/manage") == []
    assert answers[2] == ["other-status", "status/status"]
    assert django_resolve(tmp_path, ["acp/manage"]) == [None]


def test_urls_attribute_of_an_external_object_and_a_tuple_value(tmp_path: Path) -> None:
    """``ninja_api.urls`` from outside the project, and a literal 3-tuple value."""
    root = tmp_path
    write_project(
        root,
        {
            "extlib/__init__.py": "",
            "extlib/api.py": NINJA,
            "proj/urls.py": HEADER
            + "from extlib.api import api\n"
            + 'inner = [path("manage", views.view, name="tuple-manage")]\n'
            + "urlpatterns = [\n"
            + '    path("v1/", (inner, "v1", "v1")),\n'
            + '    path("api/", api.urls),\n'
            + "]\n",
        },
    )
    assert django_resolve(root, ["v1/manage", "api/manage"]) == [
        ["tuple-manage", "v1/manage"],
        ["ninja-manage", "api/manage"],
    ]
    table = build_route_table(DiskTree(root))
    assert resolve(table, "v1/manage").name == "tuple-manage"
    assert resolve(table, "api/manage") is None
    assert [item.line for item in relevant_unresolved(table, "/api/manage")] == [9]


# ----- 2. a name assigned in several places takes every value ---------------------------------
@pytest.mark.parametrize("debug", [False, True])
def test_prefix_reassigned_under_if_takes_both_values(tmp_path: Path, debug: bool) -> None:
    write_project(
        tmp_path,
        {
            "proj/urls.py": HEADER
            + 'prefix = "api/"\n'
            + "if settings.DEBUG:\n"
            + '    prefix = "debug/"\n'
            + 'urlpatterns = [path(f"{prefix}manage", views.view, name="m")]\n'
            + 'urlpatterns += [path(prefix + "x/", views.view, name="x")]\n'
        },
        settings_extra=f"DEBUG = {debug}\n",
    )
    answers = agree(
        tmp_path,
        ["api/manage", "debug/manage", "api/x/", "debug/x/"],
        assume={"settings.DEBUG": debug},
    )
    assert sum(answer is not None for answer in answers) == 2
    table = build_route_table(DiskTree(tmp_path))
    # without assumptions both configurations count: production's /api/manage collides
    collisions = find_collisions(table, "/api/manage")
    assert [c.host_route.pattern for c in collisions] == ["api/manage"]
    assert "(conditional)" in collisions[0].message


def test_try_and_loop_assignments_take_every_value(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "proj/urls.py": HEADER
            + "try:\n"
            + '    base = "v1/"\n'
            + "except ImportError:\n"
            + '    base = "v0/"\n'
            + "urlpatterns = []\n"
            + 'for section in ["a", "b"]:\n'
            + '    slug = section + "/"\n'
            + "    urlpatterns.append(path(base + slug, views.view, name=section))\n"
        },
    )
    agree(
        tmp_path,
        ["v1/a/", "v1/b/", "v0/a/", "v1/c/"],
        assume={"except ImportError": False},
    )
    table = build_route_table(DiskTree(tmp_path))
    assert table.unresolved == []
    patterns = sorted(route.pattern for route in table.routes)
    assert patterns == ["v0/a/", "v0/b/", "v1/a/", "v1/b/"]


# ----- 3. ACP204 once per cause; literal suffixes; local literal-only functions ---------------
RUNTIME_PREFIX = (
    HEADER
    + "from urllib.parse import urlparse\n"
    + 'prefix = ""\n'
    + 'if _path := urlparse(settings.SITE_ROOT).path.lstrip("/"):\n'
    + '    prefix = f"{_path}/"\n'
    + "urlpatterns = [\n"
    + '    path(f"{prefix}admin/login/", views.view, name="login"),\n'
    + '    path(f"{prefix}admin/", include([path("", views.view, name="adm")])),\n'
    + '    path(prefix, include("app1.urls")),\n'
    + '    path(prefix, include("app2.urls")),\n'
    + '    path(prefix, include("app3.urls")),\n'
    + "]\n"
)


def test_runtime_prefix_is_one_cause_and_literal_suffixes_are_respected(tmp_path: Path) -> None:
    files = {"proj/urls.py": RUNTIME_PREFIX}
    for index in (1, 2, 3):
        files[f"app{index}/urls.py"] = (
            "from django.urls import path\nfrom proj import views\n"
            f'urlpatterns = [path("page{index}/", views.view, name="p{index}")]\n'
        )
    table = build_route_table(write_project(tmp_path, files))
    causes = unresolved_causes(table, "/api/manage")
    assert len(causes) == 1
    cause, count = causes[0]
    assert (cause.line, count) == (8, 3)  # at the f-string's unknown part; 3 includes
    # the two routes under "admin/..." can never serve /api/manage ...
    assert len(table.unresolved) == 5
    # ... but they could serve a path under their literal suffix
    assert len(relevant_unresolved(table, "/x/admin/login/")) == 5
    # the known branch (prefix "") is resolved, conditionally, exactly as Django would
    assert resolve(table, "page2/").name == "p2"
    assert resolve(table, "admin/login/").name == "login"


def test_acp204_message_counts_the_routes_that_depend_on_the_cause(tmp_path: Path) -> None:
    files = {
        "proj/urls.py": RUNTIME_PREFIX.replace(
            "urlpatterns = [\n", 'urlpatterns = [\n    path("acp/", include("acp.urls")),\n'
        ),
        "acp/urls.py": "from django.urls import path\nfrom acp import views\n"
        'urlpatterns = [path("manage", views.manage)]\n',
        "acp/views.py": "def manage(request):\n    return None\n",
        "controlplane.bindings.json": json.dumps(
            {"kernel_id": "k", "base_path": "/acp", "endpoint_path": "/acp/manage"}
        ),
    }
    for index in (1, 2, 3):
        files[f"app{index}/urls.py"] = "urlpatterns = []\n"
    write_project(tmp_path, files)
    code, findings = run_json("--select", "ACP204", cwd=tmp_path)
    assert code == 1
    assert [(f["code"], f["line"]) for f in findings] == [("ACP204", 8)]
    assert "3 routes or includes" in findings[0]["message"]


def test_local_function_over_literals_is_evaluated(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "proj/urls.py": HEADER
            + "def make_urls(prefix, name_prefix=''):\n"
            + '    """Same export URLs under several prefixes."""\n'
            + '    prefix = prefix.rstrip("/")\n'
            + "    return [\n"
            + '        path(f"{prefix}{suffix}", views.view, name=f"{name_prefix}{name}")\n'
            + "        for suffix, name in [\n"
            + '            ("/", "page"), (".json", "json"), ("/x/<int:pk>", "x")\n'
            + "        ]\n"
            + "    ]\n"
            + "urlpatterns = [\n"
            + '    path("<slug:event>/", include([\n'
            + '        *make_urls("schedule/"),\n'
            + '        *make_urls("schedule/v/<version>", name_prefix="v-"),\n'
            + "    ])),\n"
            + "]\n"
        },
    )
    answers = agree(
        tmp_path,
        [
            "e/schedule/",
            "e/schedule.json",
            "e/schedule/x/4",
            "e/schedule/v/2/",
            "e/schedule/v/2.json",
            "e/schedule/v/2/x/1",
            "e/schedule",
        ],
    )
    assert sum(answer is not None for answer in answers) == 6
    table = build_route_table(DiskTree(tmp_path))
    assert table.unresolved == []


# ----- 4. route table details -----------------------------------------------------------------
def test_route_table_details(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": HEADER
            + "from django.conf.urls.static import static\n"
            + "from django.contrib.staticfiles.urls import staticfiles_urlpatterns\n"
            + 'urlpatterns = [re_path(r"^legacy/$", views.view, name="legacy")]\n'
            + "if settings.DEBUG:\n"
            + "    urlpatterns += static(settings.MEDIA_URL, document_root='/tmp')\n"
            + "    urlpatterns += staticfiles_urlpatterns()\n"
            + "    urlpatterns += static('/files/', view=views.view)\n"
        },
        settings_extra="STATIC_URL = '/static/'\nMEDIA_URL = '/media/'\n",
    )
    table = build_route_table(tree)
    views = [route.view for route in table.routes]
    assert views == [
        "proj.views.view",
        "django.views.static.serve",
        "django.contrib.staticfiles.views.serve",
        "proj.views.view",
    ]
    text = format_route_table(table)
    assert "settings.DEBUG and settings.DEBUG" not in text
    assert text.count("if settings.DEBUG") == 3
    lines = text.splitlines()
    assert any(line.split()[0] == "^legacy/$" for line in lines[1:4])
    assert not any("/^" in line for line in lines)


# ----- 5. a base path under STATIC_URL or MEDIA_URL -------------------------------------------
@pytest.mark.parametrize(
    ("base", "setting", "row"), [("/static/acp", "STATIC_URL", 5), ("/media/acp", "MEDIA_URL", 6)]
)
def test_base_path_under_static_or_media_url(
    tmp_path: Path, base: str, setting: str, row: int
) -> None:
    write_project(
        tmp_path,
        {
            "proj/urls.py": HEADER + f'urlpatterns = [path("{base[1:]}/", include("acp.urls"))]\n',
            "acp/urls.py": "from django.urls import path\nfrom acp import views\n"
            'urlpatterns = [path("manage", views.manage)]\n',
            "acp/views.py": "def manage(request):\n    return None\n",
            "controlplane.bindings.json": json.dumps(
                {"kernel_id": "k", "base_path": base, "endpoint_path": f"{base}/manage"}
            ),
        },
        settings_extra="STATIC_URL = '/static/'\nMEDIA_URL = '/media/'\n",
    )
    code, findings = run_json("--select", "ACP201", cwd=tmp_path)
    assert code == 1
    assert [(f["code"], f["path"].endswith("settings.py")) for f in findings] == [("ACP201", True)]
    assert findings[0]["line"] == row
    assert setting in findings[0]["message"] and "unreachable" in findings[0]["message"]


# ----- found on real projects (netbox): a route held in settings ------------------------------
def test_route_from_a_setting_is_read_from_the_settings_module(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "proj/urls.py": HEADER
            + '_patterns = [path("login/", views.view, name="login")]\n'
            + "urlpatterns = [path(settings.BASE_PATH, include(_patterns))]\n"
        },
        settings_extra="BASE_PATH = 'netbox/'\n",
    )
    agree(tmp_path, ["netbox/login/", "login/", "netbox/manage"])
    assert build_route_table(DiskTree(tmp_path)).unresolved == []


def test_route_from_a_setting_that_cannot_be_read_names_it(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "proj/urls.py": HEADER
            + '_patterns = [path("login/", views.view, name="login")]\n'
            + "urlpatterns = [path(settings.BASE_PATH, include(_patterns))]\n"
        },
        settings_extra="import os\nBASE_PATH = os.environ.get('BASE_PATH', '')\n",
    )
    table = build_route_table(DiskTree(tmp_path))
    [cause] = relevant_unresolved(table, "/api/manage")
    assert cause.reason == "settings.BASE_PATH cannot be read statically"
    assert (cause.line, cause.column) == (6, 21)
