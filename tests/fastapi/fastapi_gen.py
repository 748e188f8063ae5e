"""Generated FastAPI projects for the Starlette oracle, and Starlette's own answer for a request.

A project is a package of 4-5 modules written to disk (a registered convertor, two router
modules where one includes the other, the app module with path operations interleaved with
includes, mounts of a FastAPI sub-app, a Starlette app and ``StaticFiles``, Starlette routes,
a router filled after it was included). It is then imported for real.
"""

from __future__ import annotations

import asyncio
import importlib
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.routing import Match
from starlette.routing import get_route_path as starlette_route_path

LITERALS = ["api", "manage", "users", "v1", "items", "a.b", "x-y", "m", "é", "a+b"]
CONVERTORS = ["", ":str", ":int", ":float", ":uuid", ":path", ":slug"]
SAMPLES = {
    "": ["abc", "7", "a.b", "manage"],
    ":str": ["abc", "manage", "-"],
    ":int": ["0", "42", "007", "-1", "1.5", "x"],
    ":float": ["1.5", "2", "1.", ".5", "3.25", "e"],
    ":uuid": [
        "12345678-1234-1234-1234-123456789abc",
        "123456781234123412341234567890AB",
        "12345678-1234-1234-1234-123456789ab",
        "1234567-81234-1234-1234-123456789abc",
    ],
    ":path": ["", "a/b", "a/", "manage"],
    ":slug": ["a-b", "A", "z9"],
}
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
CONVERTOR_MODULE = """from starlette.convertors import Convertor, register_url_convertor


class SlugConvertor(Convertor):
    regex = "[a-z0-9]+(?:-[a-z0-9]+)*"

    def convert(self, value):
        return value

    def to_string(self, value):
        return value


register_url_convertor("slug", SlugConvertor())
"""


@dataclass
class Project:
    """The files of one generated project and the path templates it serves (for requests)."""

    package: str
    files: dict[str, str] = field(default_factory=dict)
    templates: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    assume: dict[str, bool] = field(default_factory=dict)  # the value of each ``if`` test
    counter: int = 0

    def name(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"


class Generator:
    """Seeded random source of one project."""

    def __init__(self, rng: random.Random, package: str) -> None:
        self.rng = rng
        self.project = Project(package)

    def segment(self, allow_param: bool = True) -> str:
        if allow_param and self.rng.random() < 0.35:
            return "{" + self.project.name("p") + self.rng.choice(CONVERTORS) + "}"
        return self.rng.choice(LITERALS)

    def path(self, allow_empty: bool = False) -> str:
        if allow_empty and self.rng.random() < 0.15:
            return ""
        count = self.rng.choice([0, 1, 1, 2, 2, 3])
        text = "/" + "/".join(self.segment() for _ in range(count))
        if count and self.rng.random() < 0.25:
            text += "/"
        return text

    def prefix(self) -> str:
        if self.rng.random() < 0.3:
            return ""
        count = self.rng.choice([1, 1, 2])
        text = "".join("/" + self.segment(self.rng.random() < 0.3) for _ in range(count))
        self.project.prefixes.append(text)
        return text

    def operation(self, owner: str, owner_prefix: str, templates_prefixes: list[str]) -> str:
        """One path operation on ``owner`` (decorator, api_route or add_api_route)."""
        endpoint = self.project.name("ep")
        path = self.path(allow_empty=bool(owner_prefix))
        for prefix in templates_prefixes:
            self.project.templates.append(prefix + owner_prefix + path)
        shape = self.rng.randrange(11)
        method = self.rng.choice(["get", "post", "put", "delete", "patch"])
        if shape == 10:  # never matches an HTTP request
            return (
                f'@{owner}.websocket("{path or "/ws"}")\n'
                f"async def {endpoint}(websocket: WebSocket):\n    await websocket.close()\n"
            )
        if shape < 6:
            return f'@{owner}.{method}("{path}")\ndef {endpoint}():\n    return "{endpoint}"\n'
        if shape < 8:
            methods = self.rng.sample(METHODS, self.rng.choice([1, 1, 2, 3]))
            return (
                f'@{owner}.api_route("{path}", methods={methods!r})\n'
                f'def {endpoint}():\n    return "{endpoint}"\n'
            )
        methods = self.rng.sample(["get", "post", "put"], self.rng.choice([1, 2]))
        return (
            f'def {endpoint}():\n    return "{endpoint}"\n\n'
            f'{owner}.add_api_route("{path}", {endpoint}, methods={methods!r})\n'
        )

    def starlette_route(self, owner: str | None, templates_prefix: str) -> str:
        """A Starlette ``Route`` (function endpoint, sometimes an ASGI class) or its source."""
        endpoint = self.project.name("sep")
        path = self.path()
        self.project.templates.append(templates_prefix + path)
        methods = self.rng.choice([None, ["GET"], ["POST"], ["PUT", "delete"]])
        argument = "" if methods is None else f", methods={methods!r}"
        function = f"def {endpoint}(request):\n    return PlainTextResponse({endpoint!r})\n\n"
        if self.rng.random() < 0.2:  # an ASGI class: any method unless methods= says
            function = (
                "from starlette.endpoints import HTTPEndpoint\n\n\n"
                f"class {endpoint}(HTTPEndpoint):\n"
                "    async def get(self, request):\n"
                f"        return PlainTextResponse({endpoint!r})\n\n"
            )
        if owner is not None:
            return function + f'{owner}.add_route("{path}", {endpoint}{argument})\n'
        return function, f'Route("{path}", {endpoint}{argument})'  # type: ignore[return-value]

    def router_module(self, name: str, include: tuple[str, str] | None) -> tuple[str, str]:
        """A module with an APIRouter; returns (router prefix, module source)."""
        prefix = self.prefix()
        lines = [
            "from fastapi import APIRouter, WebSocket",
            "from starlette.responses import PlainTextResponse",
            "from starlette.routing import Route",
        ]
        if include is not None:
            module, child = include
            style = self.rng.randrange(3)
            if style == 0:
                lines.append(f"from .{module} import {child}")
                reference = child
            elif style == 1:
                lines.append(f"from {self.project.package} import {module}")
                reference = f"{module}.{child}"
            else:
                lines.append(f"import {self.project.package}.{module} as {module}_mod")
                reference = f"{module}_mod.{child}"
        initial = ""
        if self.rng.random() < 0.25:  # APIRouter(routes=[...]): first, and never prefixed
            function, route = self.starlette_route(None, "")  # type: ignore[misc]
            lines.append(function)
            initial = f", routes=[{route}]"
        lines.append(f"\n{name} = APIRouter(prefix={prefix!r}{initial})\n")
        body: list[str] = []
        for _ in range(self.rng.randrange(2, 6)):
            body.append(self.operation(name, prefix, [""]))
        if self.rng.random() < 0.3:
            body.append(self.starlette_route(name, ""))
        if include is not None:
            include_prefix = self.prefix()
            body.insert(
                self.rng.randrange(len(body) + 1),
                f"{name}.include_router({reference}, prefix={include_prefix!r})\n",
            )
        lines.extend(body)
        return prefix, "\n".join(lines) + "\n"

    def sub_app(self) -> tuple[str, str]:
        """A mounted app's source and the name bound to it."""
        kind = self.rng.randrange(3)
        name = self.project.name("sub")
        if kind == 0:
            slashes = ", redirect_slashes=False" if self.rng.random() < 0.4 else ""
            body = [f"{name} = FastAPI(openapi_url=None{slashes})"]
            for _ in range(self.rng.randrange(1, 4)):
                body.append(self.operation(name, "", ["<mount>"]))
            return name, "\n".join(body) + "\n"
        if kind == 1:
            parts: list[str] = []
            routes: list[str] = []
            for _ in range(self.rng.randrange(1, 4)):
                function, route = self.starlette_route(None, "<mount>")  # type: ignore[misc]
                parts.append(function)
                routes.append(route)
            if self.rng.random() < 0.5:
                function, route = self.starlette_route(None, "<mount>/inner")  # type: ignore[misc]
                parts.append(function)
                routes.append(f'Mount("/inner", routes=[{route}])')
            parts.append(f"{name} = Starlette(routes=[{', '.join(routes)}])")
            return name, "\n".join(parts) + "\n"
        return name, f'{name} = StaticFiles(directory=".", check_dir=False)\n'

    def build(self) -> Project:
        package = self.project.package
        files = self.project.files
        files[f"{package}/__init__.py"] = ""
        files[f"{package}/convertors.py"] = CONVERTOR_MODULE
        _, files[f"{package}/mod_c.py"] = self.router_module("router_c", None)
        include_c = ("mod_c", "router_c") if self.rng.random() < 0.7 else None
        prefix_b, files[f"{package}/mod_b.py"] = self.router_module("router_b", include_c)
        prefix_a, files[f"{package}/mod_a.py"] = self.router_module(
            "router_a", ("mod_b", "router_b")
        )
        kwargs: list[str] = []
        if self.rng.random() < 0.3:
            kwargs.append("redirect_slashes=False")
        if self.rng.random() < 0.3:
            kwargs.append(self.rng.choice(["docs_url=None", "openapi_url=None", 'redoc_url="/rd"']))
        if self.rng.random() < 0.15:
            kwargs.append('root_path="/api"')
        initial: list[str] = []
        if self.rng.random() < 0.25:  # FastAPI(routes=[...]): before the docs routes
            function, route = self.starlette_route(None, "")  # type: ignore[misc]
            initial.append(function)
            kwargs.append(f"routes=[{route}]")
        lines = [
            f"from {package} import convertors  # noqa: F401",
            "from fastapi import APIRouter, FastAPI, WebSocket",
            "from fastapi.staticfiles import StaticFiles",
            "from starlette.applications import Starlette",
            "from starlette.responses import PlainTextResponse",
            "from starlette.routing import Mount, Route",
            "from .mod_a import router_a",
            "from . import mod_b",
            "",
            *initial,
            f"app = FastAPI({', '.join(kwargs)})",
            "",
        ]
        statements: list[str] = []
        for _ in range(self.rng.randrange(1, 5)):
            statements.append(self.operation("app", "", [""]))
        for _ in range(self.rng.randrange(1, 3)):
            include_prefix = self.prefix()
            statements.append(f"app.include_router(router_a, prefix={include_prefix!r})\n")
        if self.rng.random() < 0.5:
            statements.append(f"app.include_router(mod_b.router_b, prefix={self.prefix()!r})\n")
        if self.rng.random() < 0.4:
            statements.append(self.starlette_route("app", ""))
        if self.rng.random() < 0.4:
            late_prefix = self.prefix() or "/late"
            late = [f"late = APIRouter()\napp.include_router(late, prefix={late_prefix!r})\n"]
            late.append(self.operation("late", "", [late_prefix]))
            statements.append("\n".join(late))
        for _ in range(self.rng.choice([0, 1, 1, 2])):
            name, source = self.sub_app()
            mount = self.rng.choice(
                ["/m", "/sub/", "/static", "/t/{" + self.project.name("p") + "}", "/api"]
            )
            statements.append(source + f'app.mount("{mount}", {name})\n')
            self.project.templates = [
                template.replace("<mount>", mount.rstrip("/"))
                for template in self.project.templates
            ]
            self.project.templates.append(mount)
        self.rng.shuffle(statements)
        flag = self.rng.random() < 0.5
        files[f"{package}/settings.py"] = f"FLAG = {flag}\n"
        self.project.assume = {"settings.FLAG": flag}
        if len(statements) >= 2 and self.rng.random() < 0.6:  # one if/else around two of them
            index = self.rng.randrange(len(statements) - 1)
            body, other = statements[index], statements[index + 1]
            block = "if settings.FLAG:\n" + _indent(body)
            if self.rng.random() < 0.6:
                block += "else:\n" + _indent(other)
                statements[index : index + 2] = [block]
            else:
                statements[index] = block
        lines.insert(0, f"from {package} import settings")
        files[f"{package}/main.py"] = "\n".join(lines + statements)
        self.project.templates += [prefix_a, prefix_b, "/api/manage", "/docs", "/openapi.json"]
        return self.project


def _indent(source: str) -> str:
    return "".join(f"    {line}\n" if line.strip() else "\n" for line in source.splitlines())


def instantiate(template: str, rng: random.Random) -> str:
    """A concrete path for a template: each parameter replaced by a sample of its convertor."""
    result = ""
    rest = template
    while "{" in rest and "}" in rest:
        before, _, tail = rest.partition("{")
        inside, _, rest = tail.partition("}")
        convertor = ":" + inside.partition(":")[2] if ":" in inside else ""
        result += before + rng.choice(SAMPLES.get(convertor, ["x"]))
    return result + rest


def real_templates(routes: list[Any], prefix: str = "") -> list[str]:
    """The full path of every route the real app holds (through included routers and mounts),
    as written (``/users/{id:int}``), read from FastAPI and Starlette themselves."""
    from fastapi.routing import iter_route_contexts
    from starlette.routing import Mount

    found: list[str] = []
    for context in iter_route_contexts(routes):
        route = context.original_route
        path = prefix + (context.path or "")
        found.append(path)
        if isinstance(route, Mount):
            inner = getattr(_router_of(route.app), "routes", None)
            if inner:
                found.extend(real_templates(list(inner), path))
    return found


def request_paths(
    project: Project, rng: random.Random, count: int, extra: list[str] | None = None
) -> list[str]:
    """Instances of the templates, their mutations (slash toggled, cut, doubled) and noise."""
    templates = [t for t in dict.fromkeys(project.templates) if "<mount>" not in t] or ["/"]
    paths: list[str] = []
    while len(paths) < count:
        if extra and rng.random() < 0.5:  # a route the app really has, as it is
            template = rng.choice(extra)
        else:
            template = rng.choice(templates)
            for _ in range(rng.choice([0, 0, 1, 2])):
                template = rng.choice(project.prefixes or [""]) + template
        path = instantiate(template, rng) or "/"
        kind = rng.randrange(8)
        if kind == 3:
            path = path[:-1] if path.endswith("/") else path + "/"
        elif kind == 4:
            path = path[: rng.randrange(1, len(path) + 1)]
        elif kind == 5:
            path = path.replace("/", "//", 1)
        elif kind == 6:
            path = "/" + "/".join(rng.choice(LITERALS) for _ in range(rng.randrange(1, 4)))
        if not path.startswith("/"):
            path = "/" + path
        paths.append(path)
    return paths


def write(project: Project, root: Path) -> None:
    for rel, text in project.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def import_app(project: Project, root: Path) -> Any:
    """Import the generated package's ``main`` for real and return its ``app``."""
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(f"{project.package}.main")
    finally:
        sys.path.remove(str(root))
        for name in list(sys.modules):
            if name == project.package or name.startswith(project.package + "."):
                del sys.modules[name]
    return module.app


# Starlette's answer ------------------------------------------------------------------------
def _identity(route: Any, scope: dict[str, Any]) -> tuple[str, str, Any]:
    """(kind, path, endpoint name) of the route Starlette selected, through FastAPI's
    included routers (``_IncludedRouter._match`` names the route inside the group)."""
    context = None
    while hasattr(route, "_match"):
        _, _, inner, context = route._match(scope)
        route = inner
    effective = context.starlette_route if context is not None else None
    effective = effective or context or route
    from starlette.routing import Mount

    if isinstance(route, Mount):
        return ("mount", effective.path, None)
    endpoint = getattr(effective, "endpoint", None) or getattr(route, "endpoint", None)
    return ("route", effective.path, getattr(endpoint, "__name__", None))


def starlette_dispatch(
    routes: list[Any], scope: dict[str, Any], redirect_slashes: bool
) -> tuple[str, Any, dict[str, Any]] | None:
    """``Router.app``'s choice: ("full"|"partial"|"redirect", route, scope it matched)."""
    partial = None
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.FULL:
            return ("full", route, {**scope, **child})
        if match is Match.PARTIAL and partial is None:
            partial = (route, {**scope, **child})
    if partial is not None:
        return ("partial", partial[0], partial[1])
    path = starlette_route_path(scope)
    if redirect_slashes and path != "/":
        redirect = dict(scope)
        if path.endswith("/"):
            redirect["path"] = redirect["path"].rstrip("/")
        else:
            redirect["path"] = redirect["path"] + "/"
        for route in routes:
            match, _ = route.matches(redirect)
            if match is not Match.NONE:
                final = starlette_dispatch(routes, redirect, False)
                assert final is not None
                return ("redirect", final[1], final[2])
    return None


def _router_of(app: Any) -> Any:
    return getattr(app, "router", app)


def starlette_answer(app: Any, method: str, path: str) -> list[tuple[str, str, str, Any]]:
    """The chain of (match, kind, path, endpoint) Starlette selects, through mounts."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": getattr(app, "root_path", "") or "",
        "headers": [],
        "query_string": b"",
        "path_params": {},
    }
    chain: list[tuple[str, str, str, Any]] = []
    router = _router_of(app)
    while True:
        found = starlette_dispatch(router.routes, scope, router.redirect_slashes)
        if found is None:
            return chain
        match, route, matched_scope = found
        kind, route_path, endpoint = _identity(route, matched_scope)
        chain.append((match, kind, route_path, endpoint))
        if kind != "mount" or match == "partial":
            return chain
        mounted = matched_scope.get("endpoint")
        inner = _router_of(mounted)
        if not hasattr(inner, "routes") or not hasattr(inner, "redirect_slashes"):
            return chain
        scope, router = matched_scope, inner


def asgi_status(app: Any, method: str, path: str) -> tuple[int, bytes]:
    """Run the real ASGI app on one request (no server): status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    messages: list[dict[str, Any]] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body
