"""The static FastAPI route table on hand-written shapes: what is read, in which order, and what
is recorded as unresolved (never silently skipped)."""

from __future__ import annotations

from pathlib import Path

from acp_lint.hosts.fastapi import AppRef, build_table, find_app, format_table, resolve
from acp_lint.hosts.fastapi.model import RouteTable
from acp_lint.sources import DiskTree

HEAD = "from fastapi import APIRouter, FastAPI\n"


def table_of(root: Path, files: dict[str, str]) -> RouteTable:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    tree = DiskTree(root)
    app = find_app(tree, "main:app")
    assert isinstance(app, AppRef), app
    return build_table(tree, app)


def paths(table: RouteTable) -> list[str]:
    return [route.path for route in table.routes if route.kind != "docs"]


def test_order_prefixes_and_late_registration(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "routers/__init__.py": "",
            "routers/users.py": HEAD
            + "router = APIRouter(prefix='/users')\n"
            + "@router.get('')\ndef index(): ...\n"
            + "@router.post('/{uid:int}')\ndef update(uid: int): ...\n",
            "main.py": HEAD
            + "from routers import users\n"
            + "app = FastAPI(openapi_url=None)\n"
            + "@app.post('/api/manage')\ndef manage(): ...\n"
            + "app.include_router(users.router, prefix='/api')\n"
            + "late = APIRouter()\napp.include_router(late, prefix='/late')\n"
            + "@late.put('/x')\ndef put_x(): ...\n",
        },
    )
    assert paths(table) == ["/api/manage", "/api/users", "/api/users/{uid:int}", "/late/x"]
    assert table.unresolved == []
    update = table.routes[2]
    assert (update.position.file, update.position.line, update.position.column) == (
        "routers/users.py",
        5,
        2,
    )
    assert update.regex == "^/api/users/(?P<uid>[0-9]+)$" and update.methods == {"POST"}
    assert table.routes[2].via[0].file == "main.py"
    assert table.files == {"main.py", "routers/__init__.py", "routers/users.py"}
    found = resolve(table, "GET", "/api/users/7")
    assert found is not None and found.match == "partial" and found.route.endpoint == "update"
    redirected = resolve(table, "GET", "/api/users/")
    assert redirected is not None and redirected.match == "redirect"
    assert redirected.route.endpoint == "index"


def test_docs_routes_follow_constructor_arguments(tmp_path: Path) -> None:
    table = table_of(
        tmp_path, {"main.py": HEAD + "app = FastAPI(docs_url=None, redoc_url='/rd')\n"}
    )
    assert [r.path for r in table.routes] == ["/openapi.json", "/rd"]
    assert all(r.methods == {"GET", "HEAD"} for r in table.routes)


def test_dynamic_include_prefix_is_unresolved_with_its_route_count(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from config import settings\n"
            + "api = APIRouter()\n@api.get('/a')\ndef a(): ...\n@api.post('/b')\ndef b(): ...\n"
            + "app = FastAPI()\napp.include_router(api, prefix=settings.API_V1_STR)\n",
            "config.py": "class S:\n    API_V1_STR = '/api/v1'\nsettings = S()\n",
        },
    )
    assert paths(table) == []
    [item] = table.unresolved
    assert (item.position.line, item.routes, item.prefix) == (9, 2, "")
    assert "prefix" in item.reason and item.could_serve("/api/manage")


def test_unknown_routers_loops_and_functions(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from plugins import plugin_router\n"
            + "from prometheus_fastapi_instrumentator import Instrumentator\n"
            + "import routes_mod\n"
            + "app = FastAPI()\n"
            + "app.include_router(plugin_router, prefix='/ext')\n"
            + "for r in [1, 2]:\n    app.include_router(r)\n"
            + "async def register(target):\n    target.include_router(APIRouter())\n"
            + "register(app)\n"
            + "Instrumentator().instrument(app)\n"
            + "app.host('api.example.com', routes_mod.sub)\n",
            "routes_mod.py": "sub = None\n",
        },
    )
    reasons = [(u.position.line, u.prefix) for u in table.unresolved]
    assert reasons == [(6, "/ext"), (7, ""), (11, ""), (12, ""), (13, "")]
    ext = table.unresolved[0]
    assert ext.could_serve("/ext/anything") and not ext.could_serve("/api/manage")
    assert "plugins.plugin_router" in ext.reason
    assert "register() registers routes on app" in table.unresolved[2].reason
    assert "Host header" in table.unresolved[4].reason


def test_paths_methods_and_convertors_that_are_not_literals(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from starlette.convertors import Convertor, register_url_convertor\n"
            + "import os\n"
            + "class Year(Convertor):\n    regex = '[0-9]{4}'\n"
            + "class Dyn(Convertor):\n    regex = os.environ['R']\n"
            + "register_url_convertor('year', Year())\n"
            + "register_url_convertor('dyn', Dyn())\n"
            + "PATHS = {'x': '/x'}\n"
            + "app = FastAPI(openapi_url=None)\n"
            + "@app.get('/y/{y:year}')\ndef year(): ...\n"
            + "@app.get(PATHS['x'])\ndef dynamic(): ...\n"
            + "@app.api_route('/m', methods=os.environ['M'].split())\ndef m(): ...\n"
            + "@app.get('/bad/{v:nope}')\ndef bad(): ...\n"
            + "@app.get('/dup/{a}/{a}')\ndef dup(): ...\n"
            + "p = APIRouter(prefix=os.environ['P'])\n",
        },
    )
    assert paths(table) == ["/y/{y:year}"]
    assert table.routes[0].regex == "^/y/(?P<y>[0-9]{4})$"
    assert table.convertors["year"] == "[0-9]{4}" and "dyn" not in table.convertors
    reasons = [u.reason for u in table.unresolved]
    assert "register_url_convertor()" in reasons[0]
    assert [r.split(":")[0] for r in reasons[1:]] == ["dynamic", "m", "bad", "dup"]
    assert "unknown path convertor 'nope'" in reasons[3]
    assert "duplicated parameter a" in reasons[4]


def test_conditions_starlette_shapes_and_mounts(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from starlette.applications import Starlette\n"
            + "from starlette.endpoints import HTTPEndpoint\n"
            + "from starlette.routing import Mount, Route\n"
            + "from fastapi.staticfiles import StaticFiles\n"
            + "from settings import DEBUG\n"
            + "from somelib import load\n"
            + "class Thing(HTTPEndpoint):\n    pass\n"
            + "def page(request): ...\n"
            + "routes = [Route('/page', page), Route('/thing', Thing)]\n"
            + "routes += [Mount('/legacy', routes=[Route('/old', page, methods=['POST'])])]\n"
            + "sub = Starlette(routes=routes)\n"
            + "app = FastAPI(openapi_url=None)\n"
            + "if DEBUG:\n    app.mount('/static/', StaticFiles(directory='s'))\n"
            + "else:\n    app.add_route('/health', page, methods=['get'])\n"
            + "app.mount('/sub', sub)\n"
            + "load(sub)\n"
            + "if __name__ == '__main__':\n    app.add_route('/never', page)\n",
            "settings.py": "DEBUG = False\n",
        },
    )
    static, health, mount = table.routes
    assert (static.path, static.is_mount, static.conditions) == ("/static", True, ("DEBUG",))
    assert static.regex == "^/static/(?P<path>.*)$" and static.children is None
    assert health.conditions == ("not (DEBUG)",) and health.methods == {"GET", "HEAD"}
    assert [(c.path, c.methods) for c in mount.children or ()] == [
        ("/page", {"GET", "HEAD"}),
        ("/thing", None),
        ("/legacy", None),
    ]
    found = resolve(table, "POST", "/sub/legacy/old", deep=True)
    assert found is not None and found.leaf.route.endpoint == "page"
    assert [f.match for f in (found, found.inner, found.leaf)] == ["full", "full", "full"]
    [item] = table.unresolved
    assert item.prefix == "/sub" and "load()" in item.reason
    text = format_table(table)
    assert "/sub/legacy/old" in text and "[if DEBUG]" in text and "unresolved under /sub" in text


def test_parse_errors_and_cycles(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "import broken\n"
            + "a = APIRouter()\nb = APIRouter()\n"
            + "a.include_router(b)\nb.include_router(a)\n"
            + "@a.get('/x')\ndef x(): ...\n"
            + "app = FastAPI(openapi_url=None)\napp.include_router(a)\n",
            "broken.py": "def (:\n",
        },
    )
    assert [e.position.file for e in table.parse_errors] == ["broken.py"]
    assert paths(table) == ["/x"]
    assert ["includes itself" in u.reason for u in table.unresolved] == [True]


def test_hostile_sources_give_parse_errors_not_crashes(tmp_path: Path) -> None:
    deep = "x = " + "(" * 1200 + "1" + ")" * 1200 + "\n"
    chain = "y = a" + ".b" * 3000 + "\n"
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "import deep, chain, latin, long\n"
            + "app = FastAPI(openapi_url=None)\n@app.get('/ok')\ndef ok(): ...\n",
            "deep.py": deep,
            "chain.py": chain,
            "long.py": "a = None\nz = a" + ".b" * 700 + "\n",
            "latin.py": "# -*- coding: ascii -*-\nx = 'é'\n".encode().decode("latin-1"),
        },
    )
    assert paths(table) == ["/ok"]
    assert sorted((e.position.file, e.position.line) for e in table.parse_errors) == [
        ("chain.py", 1),  # ast.parse itself gives up
        ("deep.py", 1),
        ("latin.py", 2),
        ("long.py", 2),  # ast.parse accepts it; reading it would overflow the stack
    ]


def test_unknown_includes_sit_under_the_including_routers_prefix(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "import os\nfrom plugins import extra\n"
            + "api = APIRouter(prefix='/api')\n"
            + "api.include_router(extra, prefix='/ext')\n"
            + "known = APIRouter()\n@known.get('/k')\ndef k(): ...\n"
            + "api.include_router(known, prefix=os.environ['P'])\n"
            + "app = FastAPI(openapi_url=None)\napp.include_router(api, prefix='/v1')\n"
            + "app.frontend('/ui/', directory='dist')\n",
        },
    )
    assert [(u.prefix, u.routes) for u in table.unresolved] == [
        ("/v1/api/ext", 0),
        ("/v1/api", 1),
    ]  # frontend() is GET/HEAD static files: read as routes, never unknown
    assert [(r.path, r.kind) for r in table.routes if r.kind == "frontend"] == [
        ("/ui", "frontend"),
        ("/ui/{path:path}", "frontend"),
    ]
    plugin, dynamic = table.unresolved
    assert plugin.could_serve("/v1/api/ext/manage") and not plugin.could_serve("/v1/ext/manage")
    assert dynamic.could_serve("/v1/api/anything") and not dynamic.could_serve("/api/manage")


def test_loops_keep_what_is_known_of_their_prefix(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from plugins import ROUTERS, APPS\n"
            + "api = APIRouter(prefix='/api')\n"
            + "for r in ROUTERS:\n    api.include_router(r, prefix='/plugins')\n"
            + "    api.include_router(r, prefix='/plugins')\n"
            + "app = FastAPI(openapi_url=None)\n"
            + "for name, sub in APPS:\n    app.mount('/apps/{tenant}/' + name, sub)\n"
            + "app.include_router(api)\n",
        },
    )
    assert [u.prefix for u in table.unresolved] == ["/apps/", "/api/plugins"]


def test_a_name_set_differently_in_branches_is_unknown_not_the_last_value(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from config import PROD\n"
            + "if PROD:\n    PREFIX = '/v2'\n    router = APIRouter(prefix='/p')\n"
            + "else:\n    PREFIX = '/v1'\n    router = APIRouter(prefix='/p')\n"
            + "SAME = '/same'\n"
            + "if PROD:\n    SAME = '/same'\n"
            + "try:\n    from local_settings import EXTRA\nexcept ImportError:\n    EXTRA = '/x'\n"
            + "try:\n    TAIL = '/t'\nexcept ImportError:\n    TAIL = '/t'\n"
            + "app = FastAPI(openapi_url=None)\n"
            + "@app.get(SAME + TAIL)\ndef same(): ...\n"
            + "app.include_router(router, prefix=PREFIX)\n"
            + "@app.get(EXTRA)\ndef extra(): ...\n",
            "config.py": "PROD = False\n",
        },
    )
    assert paths(table) == ["/same/t"]
    reasons = [u.reason for u in table.unresolved]
    assert "router takes different values in the branches of if PROD" in reasons[0]
    assert "EXTRA takes different values in the branches of try" in reasons[1]


def test_routes_lists_mutated_in_place(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from starlette.routing import Route\n"
            + "def page(request): ...\n"
            + "app = FastAPI(openapi_url=None)\n"
            + "app.router.routes.append(Route('/a', page))\n"
            + "app.routes.extend([Route('/b', page, methods=['POST'])])\n"
            + "app.routes.insert(0, Route('/c', page))\n",
        },
    )
    assert [(r.path, r.methods) for r in table.routes] == [
        ("/a", {"GET", "HEAD"}),
        ("/b", {"POST"}),
    ]
    assert ["routes.insert()" in u.reason for u in table.unresolved] == [True]


def test_project_functions_called_at_import_are_run(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "main.py": HEAD
            + "from setup import install, make_router\n"
            + "app = FastAPI(openapi_url=None)\n"
            + "install(app, prefix='/fn')\n"
            + "app.include_router(make_router('/made'))\n"
            + "install(app)\n",
            "setup.py": HEAD
            + "def install(target, prefix='/default'):\n"
            + "    sub = APIRouter()\n"
            + "    @sub.post('/x')\n"
            + "    def handler(): ...\n"
            + "    def later():\n"
            + "        target.add_api_route('/later', handler)\n"
            + "    target.include_router(sub, prefix=prefix)\n"
            + "def make_router(prefix):\n"
            + "    router = APIRouter(prefix=prefix)\n"
            + "    router.add_api_route('/y', make_router, methods=['PUT'])\n"
            + "    return router\n",
        },
    )
    assert [(r.path, r.position.file, r.position.line) for r in table.routes] == [
        ("/fn/x", "setup.py", 4),
        ("/made/y", "setup.py", 11),
        ("/default/x", "setup.py", 4),
    ]
    assert [(u.position.file, u.position.line) for u in table.unresolved] == [
        ("main.py", 4),
        ("main.py", 6),
    ]
    assert (
        "install() registers routes on app in code that is not read" in table.unresolved[0].reason
    )


def test_project_subclasses_of_routers_and_class_factories(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        {
            "routing.py": HEAD
            + "def router_class(route_class):\n"
            + "    class _Custom(APIRouter):\n"
            + "        def __init__(self, *args, **kwargs):\n"
            + "            kwargs['route_class'] = route_class\n"
            + "            super().__init__(*args, **kwargs)\n"
            + "    return _Custom\n"
            + "MyRouter = router_class(None)\n"
            + "class MyApp(FastAPI):\n    pass\n",
            "main.py": "from routing import MyRouter, MyApp\n"
            + "r = MyRouter(prefix='/custom')\n@r.post('/x')\ndef x(): ...\n"
            + "sub = MyApp(openapi_url=None)\n@sub.get('/s')\ndef s(): ...\n"
            + "from fastapi import FastAPI\n"
            + "app = FastAPI(openapi_url=None)\napp.include_router(r)\napp.mount('/sub', sub)\n",
        },
    )
    assert [r.path for r in table.routes] == ["/custom/x", "/sub"]
    assert [c.path for c in table.routes[1].children or ()] == ["/s"]
    assert table.unresolved == []
