"""Hand-written cases for every URLconf construct the static graph understands."""

from __future__ import annotations

from pathlib import Path

from urls_support import django_resolve, write_project

from acp_lint.hosts.django.urls import build_route_table, find_root_urlconf
from acp_lint.routes import resolve
from acp_lint.sources import DiskTree, OverlayTree


def names(table, paths, **kwargs):
    return [getattr(resolve(table, p, **kwargs), "name", None) for p in paths]


def test_path_and_re_path_aliases(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                import django.urls
                from django.urls import path as p, re_path as rp
                from django.conf.urls import url
                from proj.views import view

                urlpatterns = [
                    p("a/", view, name="a"),
                    rp(r"^b/(?P<x>[0-9]+)/$", view, name="b"),
                    url(r"^c/$", view, name="c"),
                    django.urls.path("d/<slug:s>/", view, name="d"),
                ]
            """
        },
    )
    table = build_route_table(tree)
    assert [r.name for r in table.routes] == ["a", "b", "c", "d"]
    assert [r.pattern for r in table.routes] == ["a/", r"^b/(?P<x>[0-9]+)/$", "^c/$", "d/<slug:s>/"]
    assert names(table, ["a/", "b/12/", "c/", "d/x-y/", "b/x/", "a"]) == [
        "a",
        "b",
        "c",
        "d",
        None,
        None,
    ]
    assert table.routes[0].view == "proj.views.view"
    assert table.unresolved == []


def test_include_forms_and_positions(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import include, path
                from app import urls as app_urls
                from proj import views

                inline = [path("in/", views.view, name="inline")]
                urlpatterns = [
                    path("s/", include("app.urls")),
                    path("m/", include(app_urls)),
                    path("l/", include(inline)),
                    path("t/", include((app_urls.urlpatterns, "app"), namespace="ns")),
                    path("direct/", inline),
                ]
            """,
            "app/urls.py": """
                from django.urls import path
                from proj import views
                app_name = "app"
                urlpatterns = [path("x/", views.view, name="x")]
            """,
        },
    )
    table = build_route_table(tree)
    assert [r.pattern for r in table.routes] == ["s/x/", "m/x/", "l/in/", "t/x/", "direct/in/"]
    first = table.routes[0]
    assert (first.file, first.line, first.column, first.end_line, first.end_column) == (
        "app/urls.py",
        5,
        16,
        5,
        48,
    )
    assert first.include_chain[0].target == "app.urls"
    assert first.include_chain[0].file == "proj/urls.py"
    assert table.files == {"proj/urls.py", "app/urls.py"}
    assert table.unresolved == []


def test_list_building_forms(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import path
                from proj import views
                extra = [path("e/", views.view, name="e")]
                urlpatterns: list = [path("a/", views.view, name="a")]
                urlpatterns += [path("b/", views.view, name="b")]
                urlpatterns.append(path("c/", views.view, name="c"))
                urlpatterns.extend(extra)
                urlpatterns = urlpatterns + [path("d/", views.view, name="d")]
                urlpatterns.insert(0, path("z/", views.view, name="z"))
            """
        },
    )
    table = build_route_table(tree)
    assert [r.name for r in table.routes] == ["z", "a", "b", "c", "e", "d"]


def test_conditional_branches_are_marked(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.conf import settings
                from django.urls import path
                from proj import views
                urlpatterns = [path("a/", views.view, name="a")]
                if settings.DEBUG:
                    urlpatterns += [path("x/", views.view, name="debug")]
                elif settings.TESTING:
                    urlpatterns += [path("x/", views.view, name="testing")]
                else:
                    urlpatterns += [path("x/", views.view, name="prod")]
            """
        },
    )
    table = build_route_table(tree)
    assert [r.name for r in table.routes] == ["a", "debug", "testing", "prod"]
    assert not table.routes[0].conditional
    assert [str(c) for c in table.routes[2].conditions] == [
        "not (settings.DEBUG)",
        "settings.TESTING",
    ]
    assert names(table, ["x/"], assume={"settings.DEBUG": True}) == ["debug"]
    assert names(table, ["x/"], assume={"settings.DEBUG": False}) == ["testing"]
    assert names(table, ["x/"], assume={"settings.DEBUG": False, "settings.TESTING": False}) == [
        "prod"
    ]


def test_one_line_bodies_are_evaluated(tmp_path: Path) -> None:
    """``if settings.DEBUG: urlpatterns += [...]`` is common; Django agrees on the result."""
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.conf import settings
                from django.urls import path
                from proj import views
                urlpatterns = [path("a/", views.view, name="a")]
                if settings.DEBUG: urlpatterns += [path("x/", views.view, name="debug")]
                else: urlpatterns.append(path("y/", views.view, name="prod")); EXTRA = 1
            """
        },
    )
    table = build_route_table(tree)
    assert [r.name for r in table.routes] == ["a", "debug", "prod"]
    assert [r.conditional for r in table.routes] == [False, True, True]
    assert table.unresolved == []
    assert names(table, ["x/", "y/"], assume={"settings.DEBUG": True}) == ["debug", None]
    assert names(table, ["x/", "y/"], assume={"settings.DEBUG": False}) == [None, "prod"]
    resolved = django_resolve(tmp_path, ["x/", "y/"])  # the test settings have DEBUG = False
    assert [item[0] if item else None for item in resolved] == [None, "prod"]


def test_static_uses_settings_and_is_debug_only(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.conf import settings
                from django.conf.urls.static import static
                from django.urls import path
                from proj import views
                urlpatterns = [path("a/", views.view)] + static(
                    settings.MEDIA_URL, document_root=settings.MEDIA_ROOT
                )
                urlpatterns += static("/assets/", document_root="x")
                urlpatterns += static(settings.UNKNOWN_URL)
            """
        },
        settings_extra="MEDIA_URL = '/media/'\nMEDIA_ROOT = 'm'\n",
    )
    table = build_route_table(tree)
    assert [r.pattern for r in table.routes] == [
        "a/",
        "^media/(?P<path>.*)$",
        "^assets/(?P<path>.*)$",
    ]
    assert [str(c) for c in table.routes[1].conditions] == ["settings.DEBUG"]
    assert resolve(table, "media/x.png", assume={"settings.DEBUG": False}) is None
    assert resolve(table, "media/x.png").pattern == "^media/(?P<path>.*)$"
    assert len(table.unresolved) == 1
    assert table.unresolved[0].line == 10


def test_registered_converter(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import path, register_converter
                from proj import views

                class Year:
                    regex = "[0-9]{4}"

                    def to_python(self, value):
                        return int(value)

                register_converter(Year, "yyyy")
                urlpatterns = [path("y/<yyyy:year>/", views.view, name="y")]
            """
        },
    )
    table = build_route_table(tree)
    assert names(table, ["y/2024/", "y/24/"]) == ["y", None]


def test_drf_routers_reproduce_drf_regexes(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import include, path
                from rest_framework.routers import DefaultRouter, SimpleRouter
                from proj import viewsets

                router = DefaultRouter()
                router.register(r"users", viewsets.Users, basename="user")
                plain = SimpleRouter(trailing_slash=False)
                plain.register("items", viewsets.Items, "item")
                urlpatterns = [path("api/", include(router.urls))]
                urlpatterns += plain.urls
            """,
            "proj/viewsets.py": """
                from rest_framework import viewsets
                from rest_framework.decorators import action

                class Users(viewsets.ModelViewSet):
                    lookup_field = "username"

                    @action(detail=False)
                    def recent(self, request):
                        return None

                class Items(viewsets.ReadOnlyModelViewSet):
                    pass
            """,
        },
    )
    table = build_route_table(tree)
    got = [(r.name, r.pattern) for r in table.routes]
    assert got == [
        ("user-list", "api/users/$"),
        ("user-list", r"api/users\.(?P<format>[a-z0-9]+)/?$"),
        ("user-recent", "api/users/recent/$"),
        ("user-recent", r"api/users/recent\.(?P<format>[a-z0-9]+)/?$"),
        ("user-detail", "api/users/(?P<username>[^/.]+)/$"),
        ("user-detail", r"api/users/(?P<username>[^/.]+)\.(?P<format>[a-z0-9]+)/?$"),
        ("api-root", "api/"),
        ("api-root", "api/<drf_format_suffix:format>"),
        ("item-list", "^items$"),
        ("item-detail", "^items/(?P<pk>[^/.]+)$"),
    ]
    paths = ["api/users/", "api/users.json", "api/users/bob/", "api/", "api/.json", "items/3", "x"]
    ours = [[r.name, r.pattern] if (r := resolve(table, p)) else None for p in paths]
    assert ours == django_resolve(tmp_path, paths)
    assert ours[-1] is None and ours[2][0] == "user-detail"


def test_router_imported_from_another_module(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import include, path
                from api.routing import router
                urlpatterns = [path("api/", include(router.urls))]
            """,
            "api/routing.py": """
                from rest_framework import routers
                router = routers.SimpleRouter()
                router.register("manage", object, basename="m")
            """,
        },
    )
    table = build_route_table(tree)
    assert [r.pattern for r in table.routes] == ["api/manage/$", "api/manage/(?P<pk>[^/.]+)/$"]
    assert table.routes[0].file == "api/routing.py"
    assert table.routes[0].kind == "router"


def test_i18n_patterns_agree_with_django(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.conf.urls.i18n import i18n_patterns
                from django.urls import path
                from proj import views
                urlpatterns = [path("plain/", views.view, name="plain")]
                urlpatterns += i18n_patterns(path("about/", views.view, name="about"))
            """
        },
        settings_extra="USE_I18N = True\nLANGUAGE_CODE = 'en-us'\nLANGUAGES = [('en-us', 'E')]\n",
    )
    table = build_route_table(tree)
    paths = ["en-us/about/", "about/", "plain/", "de/about/"]
    want = [None if w is None else w[0] for w in django_resolve(tmp_path, paths)]
    assert names(table, paths) == want == ["about", None, "plain", None]
    assert table.routes[1].pattern == "<lang>/about/"


def test_unresolved_places_keep_their_prefix(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.contrib import admin
                from django.urls import include, path
                from proj import views

                def make():
                    return list(views.REGISTRY)  # not literal-only: not evaluated

                urlpatterns = [
                    path("admin/", admin.site.urls),
                    path("accounts/", include("django.contrib.auth.urls")),
                    path("blog/", include("thirdparty.urls")),
                    path(f"{views.PREFIX}/", views.view),
                    path("api/", include(make())),
                ]
                for name in views.NAMES:  # unknown list: not unrolled
                    urlpatterns.append(path(name, views.view))
                urlpatterns += make()
                urlpatterns.append(path("after/", views.view, name="after"))
            """
        },
    )
    table = build_route_table(tree)
    reasons = [(u.line, u.prefix_text) for u in table.unresolved]
    assert reasons == [(12, "blog/"), (13, ""), (14, "api/"), (16, ""), (18, "")]
    assert resolve(table, "after/").name == "after"
    assert resolve(table, "accounts/login/").view == "django.contrib.auth.views.LoginView"
    assert resolve(table, "admin/anything/at/all").kind == "admin"


def test_syntax_error_in_included_urlconf(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import include, path
                urlpatterns = [path("api/", include("broken.urls"))]
            """,
            "broken/urls.py": "urlpatterns = [\n    path('x/',\n",
        },
    )
    table = build_route_table(tree)
    assert [e.file for e in table.parse_errors] == ["broken/urls.py"]
    assert table.parse_errors[0].line >= 2
    [unresolved] = table.unresolved
    assert (unresolved.file, unresolved.line, unresolved.prefix_text) == ("proj/urls.py", 3, "api/")
    assert "broken/urls.py" in unresolved.reason


def test_include_cycle_terminates(tmp_path: Path) -> None:
    tree = write_project(
        tmp_path,
        {
            "proj/urls.py": """
                from django.urls import include, path
                urlpatterns = [path("a/", include("app.urls"))]
            """,
            "app/urls.py": """
                from django.urls import include, path
                from proj import views
                urlpatterns = [path("x/", views.view), path("b/", include("proj.urls"))]
            """,
        },
    )
    table = build_route_table(tree)
    assert [r.pattern for r in table.routes] == ["a/x/"]
    [cycle] = table.unresolved
    assert "cycle" in cycle.reason and cycle.prefix_text == "a/b/"


def test_overlay_tree_is_used(tmp_path: Path) -> None:
    disk = write_project(
        tmp_path,
        {"proj/urls.py": "from django.urls import path\nurlpatterns = []\n"},
    )
    planned = (
        b"from django.urls import include, path\n"
        b"urlpatterns = [path('api/', include('acp.urls'))]\n"
    )
    tree = OverlayTree(
        disk,
        {
            "proj/urls.py": planned,
            "acp/__init__.py": b"",
            "acp/urls.py": b"from django.urls import path\nfrom . import views\n"
            b"urlpatterns = [path('manage', views.manage)]\n",
        },
    )
    table = build_route_table(tree)
    assert [(r.pattern, r.view) for r in table.routes] == [("api/manage", "acp.views.manage")]
    assert not (tmp_path / "acp").exists()


def test_root_urlconf_from_subdirectory_with_settings_split(tmp_path: Path) -> None:
    files = {
        "backend/manage.py": (
            'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")\n'
        ),
        "backend/config/__init__.py": "",
        "backend/config/settings/__init__.py": "",
        "backend/config/settings/base.py": "ROOT_URLCONF = 'config.urls'\nDEBUG = False\n",
        "backend/config/settings/dev.py": "from .base import *  # noqa\nDEBUG = True\n",
        "backend/config/urls.py": "urlpatterns = []\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = find_root_urlconf(DiskTree(tmp_path))
    assert (found.module, found.file) == ("config.urls", "backend/config/urls.py")
    assert found.settings["DEBUG"].value is True
    (tmp_path / "backend/config/settings/prod.py").write_text(
        "from config.settings.base import *\nROOT_URLCONF = 'config.prod_urls'\n"
    )
    (tmp_path / "backend/config/prod_urls.py").write_text("urlpatterns = []\n")
    found = find_root_urlconf(DiskTree(tmp_path), settings="config.settings.prod")
    assert found.file == "backend/config/prod_urls.py"


def test_root_urlconf_problems(tmp_path: Path) -> None:
    assert "no manage.py" in find_root_urlconf(DiskTree(tmp_path)).problem.reason
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "manage.py").write_text("")
    (tmp_path / "a" / "urls.py").write_text("urlpatterns = []\n")
    found = find_root_urlconf(DiskTree(tmp_path))
    assert "several manage.py" in found.problem.reason and found.module is None
    assert find_root_urlconf(DiskTree(tmp_path), urlconf="urls").file == "a/urls.py"
    table = build_route_table(DiskTree(tmp_path))
    assert len(table.unresolved) == 1 and table.routes == []


def test_root_urlconf_not_a_literal(tmp_path: Path) -> None:
    tree = write_project(tmp_path, {}, settings_extra="ROOT_URLCONF = f'{NAME}.urls'\n")
    found = find_root_urlconf(tree)
    assert found.problem is not None
    assert (found.problem.file, found.problem.line) == ("proj/settings.py", 5)
