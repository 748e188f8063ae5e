"""The FastAPI app-module edit, judged by FastAPI itself.

Generated FastAPI main modules (decorators, routers, middleware, lifespans, comments, CRLF,
encoding cookies) are edited, imported for real next to a stub ``acp`` package, and asked:
Starlette's router dispatches ``POST <base>/manage`` to the ACP endpoint (it is registered
before every host route), every host route still resolves as before, Ruff's F rules find
nothing new, and removing the edit gives back the original bytes.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from acp_installer.errors import Refused
from acp_installer.hosts.fastapi.edits import (
    RouterEditRefused,
    add_acp_router,
    planned_router_name,
    remove_acp_router,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

RUFF = Path(sys.executable).with_name("ruff")
STUB_ROUTER = """\
from fastapi import APIRouter

router = APIRouter()


@router.post("/manage")
def manage():
    return {"acp": "manage"}
"""


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory on ``sys.path`` holding the stub ``acp`` package (and the host modules)."""
    root = tmp_path_factory.mktemp("fastapi-hosts")
    (root / "acp").mkdir()
    (root / "acp" / "__init__.py").write_text("")
    (root / "acp" / "router.py").write_text(STUB_ROUTER)
    (root / "hostlib.py").write_text("VALUE = 1\n")  # first-party modules of the host
    (root / "zhost.py").write_text("OTHER = 2\n")
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if _is_acp(name)}
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if _is_acp(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _is_acp(name: str) -> bool:
    return name == "acp" or name.startswith("acp.")


_counter = itertools.count()


def _import(root: Path, text: str, tag: str) -> ModuleType:
    """Import ``text`` as a fresh module (written byte for byte: CRLF stays CRLF)."""
    name = f"fastapi_host_{next(_counter)}_{tag}"
    path = root / f"{name}.py"
    path.write_bytes(text.encode("utf-8"))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def _identity(route) -> tuple[object, ...]:
    """What a route table entry is: a route's kind, path, methods and name, or for a router
    that FastAPI keeps nested (``_IncludedRouter``, FastAPI >= 0.16x) its prefix and routes."""
    nested = getattr(route, "original_router", None)
    if nested is not None:
        prefix = route.include_context.prefix
        return ("include", prefix, tuple(_identity(r) for r in nested.routes))
    methods = tuple(sorted(getattr(route, "methods", None) or ()))
    return (type(route).__name__, route.path, methods, getattr(route, "name", ""))


def _is_acp_route(route) -> bool:
    """The ACP router's entry: the stub's router nested whole, or its route copied out."""
    nested = getattr(route, "original_router", None)
    if nested is not None:
        return nested is sys.modules["acp.router"].router
    return getattr(getattr(route, "endpoint", None), "__module__", None) == "acp.router"


def _answers(app, requests: list[tuple[str, str]]) -> list[tuple[int, bytes]]:
    """Real requests through the app (middleware and all): what each one gets."""
    client = TestClient(app, raise_server_exceptions=False)
    return [(r.status_code, r.content) for r in (client.request(m, p) for m, p in requests)]


def _ruff(root: Path, text: str, select: str = "F,I") -> list[tuple[str, str]]:
    """Ruff's findings on the text, run in ``root`` (where ``acp`` is a first-party package)."""
    path = root / f"ruff_{next(_counter)}.py"
    path.write_bytes(text.encode("utf-8"))
    completed = subprocess.run(
        [str(RUFF), "check", "--isolated", "--no-cache", "--select", select]
        + ["--output-format", "json", path.name],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return sorted((d["code"], d["message"]) for d in json.loads(completed.stdout))


# -- generated host modules -----------------------------------------------------------------

BASES = ("/api", "/api/acp", "/v1/agent.control")


@st.composite
def host_modules(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, str]]]:
    """(module text, app name, requests its routes answer): a FastAPI main module as hosts
    write them. Every endpoint answers a value of its own, so a response names its route."""
    app = draw(st.sampled_from(["app", "application", "api"]))
    style = draw(st.sampled_from(["from", "module", "alias"]))
    fastapi = {"from": "FastAPI", "module": "fastapi.FastAPI", "alias": "FA"}[style]
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["# -*- coding: utf-8 -*-", "# coding: latin-1"])))
    if draw(st.booleans()):
        lines += ['"""The host\'s main module."""', ""]
    if draw(st.booleans()):
        lines.append("from __future__ import annotations")
    lines += ["from contextlib import asynccontextmanager", ""]
    lines.append(
        {
            "from": "from fastapi import APIRouter, FastAPI  # web framework",
            "module": "import fastapi\nfrom fastapi import APIRouter",
            "alias": "from fastapi import APIRouter\nfrom fastapi import FastAPI as FA",
        }[style]
    )
    lines += draw(
        st.sampled_from(
            [
                [],
                ["", "from hostlib import VALUE"],
                ["", "import hostlib", "from zhost import OTHER"],
            ]
        )
    )
    taken = draw(st.sampled_from(["", "variable", "import", "function"]))
    if taken == "import":
        lines.append("from acp.router import router as acp_router")
    lines.append("")
    if taken == "variable":
        lines += ["acp_router = 'a host value of the same name'", ""]
    if taken == "function":
        lines += ["", "def helper():", "    acp_router = 1", "    return acp_router", ""]
    lifespan = draw(st.booleans())
    if lifespan:
        lines += ["", "@asynccontextmanager", "async def lifespan(app):", "    yield", "", ""]
    if draw(st.booleans()):
        lines.append("# The application object.")
    creation = draw(
        st.sampled_from(
            [
                f"{app} = {fastapi}()",
                f'{app} = {fastapi}(title="Host")  # the app',
                f"{app} = {fastapi}(\n    title='Host',\n    version=\"1\",\n)",
                f"{app}: {fastapi} = {fastapi}(docs_url=None)",
            ]
        )
    )
    if lifespan:
        creation = creation.replace(f"{fastapi}()", f"{fastapi}(lifespan=lifespan)")
    lines.append(creation)
    pieces = draw(
        st.lists(st.sampled_from(["route", "param", "router", "middleware", "comment"]), max_size=6)
    )
    requests: list[tuple[str, str]] = [("GET", "/nowhere")]
    for number, piece in enumerate(pieces):
        lines += _piece(piece, number, app, draw, requests)
    if draw(st.booleans()):
        lines += [
            "",
            "",
            f'@{app}.api_route("/{{rest:path}}", methods=["GET", "POST"])',
            "def catch_all(rest: str):",
            '    return {"rest": rest}',
        ]
        requests += [("POST", "/some/where"), ("GET", "/x")]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join("\n".join(lines).split("\n")) + newline
    return text, app, requests


def _piece(
    kind: str, number: int, app: str, draw: st.DrawFn, requests: list[tuple[str, str]]
) -> list[str]:
    if kind == "comment":
        return [f"# note {number}"]
    if kind == "route":
        method = draw(st.sampled_from(["get", "post", "put", "delete"]))
        path = draw(st.sampled_from([f"/r{number}", f"/api/r{number}", "/"]))
        requests += [(method.upper(), path), ("POST", path)]
        return [
            "",
            "",
            f'@{app}.{method}("{path}")',
            f"def route_{number}():",
            f"    return {number}",
        ]
    if kind == "param":
        requests += [("POST", f"/items{number}/7"), ("POST", f"/items{number}/x")]
        return [
            "",
            "",
            f'@{app}.post("/items{number}/{{item_id}}")',
            f"async def item_{number}(item_id: int):",
            '    return {"item": item_id}',
        ]
    if kind == "router":
        requests += [("POST", f"/group{number}/manage"), ("GET", f"/group{number}/manage")]
        return [
            "",
            f'router_{number} = APIRouter(prefix="/group{number}")',
            "",
            "",
            f'@router_{number}.post("/manage")',
            f"def grouped_{number}():",
            f"    return {number}",
            "",
            "",
            f"{app}.include_router(router_{number})",
        ]
    return [
        "",
        "",
        f'@{app}.middleware("http")',
        f"async def middleware_{number}(request, call_next):",
        "    response = await call_next(request)",
        f'    response.headers["x-host-{number}"] = "1"',
        "    return response",
    ]


# -- the property ---------------------------------------------------------------------------

SIMPLE = "from fastapi import FastAPI\n\napp = FastAPI()\n"
CATCH_ALL = (
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    '@app.api_route("/{rest:path}", methods=["POST"])\ndef everything(rest: str):\n'
    "    return rest\n"
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(host_modules(), st.sampled_from(BASES))
@example((SIMPLE, "app", [("GET", "/")]), "/api")
@example((CATCH_ALL, "app", [("POST", "/api/acp/other"), ("POST", "/api")]), "/api/acp")
@example((SIMPLE.replace("\n", "\r\n"), "app", [("POST", "/api")]), "/api")
def test_edit_is_dispatched_first_and_reverts(
    stub_dir: Path, module: tuple[str, str, list[tuple[str, str]]], base: str
) -> None:
    original, app_name, requests = module
    edited = add_acp_router(original, app_name, base)
    assert edited != original
    ast.parse(edited)
    assert remove_acp_router(edited, original) == original
    if "acp.router" not in original:  # unknown original: an unused router import goes too
        assert remove_acp_router(edited, None) == original
    assert add_acp_router(edited, app_name, base) == edited  # a re-run changes nothing
    newline = "\r\n" if "\r\n" in original else "\n"
    assert edited.count("\r\n") == (edited.count("\n") if newline == "\r\n" else 0)

    before = getattr(_import(stub_dir, original, "orig"), app_name)
    after = getattr(_import(stub_dir, edited, "edit"), app_name)
    routes = after.router.routes
    acp = [index for index, route in enumerate(routes) if _is_acp_route(route)]
    assert len(acp) == 1
    # Registered first: only FastAPI's own documentation routes come before it.
    for route in routes[: acp[0]]:
        assert route.endpoint.__module__ == "fastapi.applications", route.path
    # Starlette dispatches POST <base>/manage to the ACP endpoint, whatever the host serves.
    client = TestClient(after)
    response = client.post(f"{base}/manage")
    assert (response.status_code, response.json()) == (200, {"acp": "manage"})
    # Every host route is still there, in the same order, and answers as before.
    host = [_identity(route) for route in routes if not _is_acp_route(route)]
    assert host == [_identity(route) for route in before.router.routes]
    assert _answers(after, requests) == _answers(before, requests)

    old = _ruff(stub_dir, original)
    new = _ruff(stub_dir, edited)
    assert not [finding for finding in new if finding not in old], new


# -- the shapes of the edit -----------------------------------------------------------------


def test_import_opens_the_first_party_section_and_include_follows_the_app() -> None:
    source = (
        '"""Main."""\n'
        "from fastapi import FastAPI\n"
        "\n"
        "from .routes import items\n"
        "\n"
        "app = FastAPI()  # created here\n"
        "# routers\n"
        "app.include_router(items.router)\n"
    )
    assert add_acp_router(source, "app", "/api/acp") == (
        '"""Main."""\n'
        "from fastapi import FastAPI\n"
        "\n"
        "from acp.router import router as acp_router\n"
        "\n"
        "from .routes import items\n"
        "\n"
        "app = FastAPI()  # created here\n"
        'app.include_router(acp_router, prefix="/api/acp")\n'
        "# routers\n"
        "app.include_router(items.router)\n"
    )


@pytest.mark.parametrize(
    ("first_party", "placed"),
    [
        # Sorted first in the first-party group: it takes the group's separator and comment.
        (
            "\n# ours\nfrom hostlib import VALUE\n",
            "\n# ours\nfrom acp.router import router as acp_router\nfrom hostlib import VALUE\n",
        ),
        # Straight imports come before ``from`` imports; then sorted by module.
        (
            "\nimport hostlib\nfrom zhost import OTHER\n",
            "\nimport hostlib\nfrom acp.router import router as acp_router\n"
            "from zhost import OTHER\n",
        ),
        ("", "\nfrom acp.router import router as acp_router\n"),
    ],
)
def test_import_placement_as_isort_would(stub_dir: Path, first_party: str, placed: str) -> None:
    head = "import os\n\nfrom fastapi import FastAPI\n"
    source = head + first_party + "\napp = FastAPI()\n"
    edited = add_acp_router(source, "app", "/api")
    assert edited.startswith(head + placed + "\napp = FastAPI()\napp.include_router(")
    assert _ruff(stub_dir, edited, "I") == []
    assert remove_acp_router(edited, source) == source
    assert remove_acp_router(edited, None) == source
    assert remove_acp_router(edited + "x = 1\n", source) == source + "x = 1\n"


def test_the_module_quote_style_is_kept() -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI(title='x')\n"
    assert "prefix='/api'" in add_acp_router(source, "app", "/api")


def test_a_taken_name_is_never_shadowed() -> None:
    source = (
        "from fastapi import FastAPI\n\n"
        "acp_router = 'mine'\n\n\n"
        "def f():\n    acp_router_2 = 1\n    return acp_router_2\n\n\n"
        "app = FastAPI()\n"
    )
    assert planned_router_name(source, "app") == "acp_router_3"
    edited = add_acp_router(source, "app", "/api")
    assert "from acp.router import router as acp_router_3\n" in edited
    assert "app.include_router(acp_router_3, prefix='/api')" in edited
    assert "acp_router = 'mine'" in edited
    assert remove_acp_router(edited, source) == source


def test_an_existing_import_is_reused_and_kept_on_removal() -> None:
    source = (
        "from fastapi import FastAPI\nfrom acp.router import router as acp\n\napp = FastAPI()\n"
    )
    edited = add_acp_router(source, "app", "/api")
    assert edited.count("acp.router") == 1
    assert 'app.include_router(acp, prefix="/api")' in edited
    assert remove_acp_router(edited, source) == source
    changed = edited + "\nx = 1\n"
    assert remove_acp_router(changed, source) == source + "\nx = 1\n"


def test_removal_after_host_changes_keeps_them() -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    edited = add_acp_router(source, "app", "/api")
    changed = edited.replace(
        "app.include_router", "# a comment the host added\napp.include_router"
    ) + ('\n\n@app.get("/new")\ndef new():\n    return 1\n')
    reverted = remove_acp_router(changed, source)
    assert "acp" not in reverted
    assert reverted == source + (
        '# a comment the host added\n\n\n@app.get("/new")\ndef new():\n    return 1\n'
    )
    assert remove_acp_router(reverted, source) == reverted  # nothing left to remove


def test_removal_refuses_to_leave_a_use_of_the_router_behind() -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    edited = add_acp_router(source, "app", "/api") + "\nprint(acp_router)\n"
    with pytest.raises(RouterEditRefused, match=r"main.py:8: the ACP router is still used"):
        remove_acp_router(edited, None)
    tangled = edited.replace("app.include_router", "x = 1; app.include_router")
    with pytest.raises(RouterEditRefused, match=r"main.py:6: .* on a line with other"):
        remove_acp_router(tangled, source)


def test_removal_takes_an_include_changed_since_install() -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    edited = add_acp_router(source, "app", "/api").replace(
        'prefix="/api")', 'prefix="/v2", tags=["acp"])'
    )
    assert remove_acp_router(edited, source) == source
    assert remove_acp_router(edited, None) == source


def test_another_package_name() -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    edited = add_acp_router(source, "app", "/api", package="control")
    assert "from control.router import router as acp_router\n" in edited
    assert remove_acp_router(edited, None, package="control") == source


@pytest.mark.parametrize(
    ("source", "fragment", "exit_code"),
    [
        (
            "from fastapi import FastAPI\n\ndef make():\n    return FastAPI()\n\napp = make()\n",
            "not created by a module-level `app = FastAPI(...)`",
            2,
        ),
        (
            "from fastapi import FastAPI\n\nif True:\n    app = FastAPI()\n",
            "not created by a module-level",
            2,
        ),
        (
            "from starlette.applications import Starlette\n\napp = Starlette()\n",
            "not created by a module-level",
            2,
        ),
        ("from fastapi import FastAPI\n\nother = FastAPI()\n", "not created", 2),
        (
            "from fastapi import FastAPI\n\napp = FastAPI()\napp = Wrapper(app)\n",
            "bound 2 times at module level",
            2,
        ),
        (
            "from fastapi import FastAPI\nfrom acp.router import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/old")\n',
            "already included at prefix '/old'",
            1,
        ),
        (
            "from fastapi import FastAPI\nfrom acp.router import router\n\n"
            'app = FastAPI()\napp.include_router(router, prefix="/api", tags=["acp"])\n',
            ":5: the ACP router is already included in a form echelon did not write",
            1,
        ),
        (
            "import fastapi\nimport acp.router\n\n"
            "app = fastapi.FastAPI()\napp.include_router(acp.router.router)\n",
            "already included in a form",
            1,
        ),
        ("from fastapi import FastAPI\n\napp = FastAPI(\n", "cannot parse", 1),
    ],
)
def test_refusals(source: str, fragment: str, exit_code: int) -> None:
    with pytest.raises(RouterEditRefused) as caught:
        add_acp_router(source, "app", "/api", rel="main.py")
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("main.py")
    assert caught.value.exit_code == exit_code
    assert isinstance(caught.value, Refused)


@pytest.mark.parametrize("base", ["api", "/api/", "/API", "/a//b", ""])
def test_a_bad_base_path_is_refused(base: str) -> None:
    with pytest.raises(RouterEditRefused, match="base path"):
        add_acp_router("from fastapi import FastAPI\napp = FastAPI()\n", "app", base)


def test_nothing_to_remove_leaves_the_text_alone() -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI()  # untouched\n"
    assert remove_acp_router(source, None) == source


@pytest.mark.parametrize(("app", "package"), [("app", "acp-x"), ("app()", "acp"), ("app", "")])
def test_names_that_are_not_python_names_are_refused(app: str, package: str) -> None:
    with pytest.raises(RouterEditRefused, match="must be Python names") as caught:
        add_acp_router("from fastapi import FastAPI\napp = FastAPI()\n", app, "/api", package)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("tail", "fragment"),
    [
        ("x = 1\n" * 50_000, "bytes; echelon edits host modules of at most"),
        ("x = " + "[" * 150 + "1" + "]" * 150 + "\n", "nests"),
        ("x = " + "+".join(["1"] * 5000) + "\n", "nest"),
    ],
)
def test_hostile_modules_are_refused_cleanly(tail: str, fragment: str) -> None:
    source = "from fastapi import FastAPI\n\napp = FastAPI()\n" + tail
    for call in (
        lambda: add_acp_router(source, "app", "/api"),
        lambda: remove_acp_router(source, None),
    ):
        with pytest.raises(RouterEditRefused, match=fragment) as caught:
            call()
        assert caught.value.exit_code == 1
