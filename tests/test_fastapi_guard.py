"""ACP104 on FastAPI, judged by FastAPI itself.

Generated handler modules (sync and async operations, decorators and ``add_api_route``,
guards that hold, fail open or come late, dependencies on the router, the operation or a
parameter, dependencies that return instead of raising, CRLF) are imported for real and served
with Starlette's TestClient. The oracle: with ``ACP_ENABLED`` unset an operation is guarded
exactly when FastAPI answers 503 ``FEATURE_DISABLED`` without the handler doing anything; the
rule's verdict must agree for every operation. After the safe fix every operation is guarded,
with ``ACP_ENABLED=true`` each handler runs as before, and Ruff finds nothing new.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from acp_lint.diagnostics import Fix
from acp_lint.fixes import apply_fixes
from acp_lint.hosts.fastapi.guard import GuardVerdict, check_text, diagnostics

RUFF = Path(sys.executable).with_name("ruff")
HEADER = "from fastapi import APIRouter, Depends, HTTPException\n"
DISABLED = 'detail={"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"}'

# -- generated handler modules --------------------------------------------------------------

OWN_GUARDS = {
    "none": [],
    "canonical": [
        'if {env}.get("ACP_ENABLED", "").strip().lower() != "true":',
        '    return JSONResponse({"ok": False, "code": "FEATURE_DISABLED"}, status_code=503)',
    ],
    "raise": [
        'if {env}.get("ACP_ENABLED") != "true":',
        f"    raise HTTPException(status_code=503, {DISABLED})",
    ],
    "helper": ["if not _enabled():", f"    raise HTTPException(503, {DISABLED})"],
    "local": [
        'enabled = {env}.get("ACP_ENABLED", "false") in ("1", "true")',
        "if not enabled:",
        f"    raise HTTPException(503, {DISABLED})",
    ],
    "open-default": [
        'if {env}.get("ACP_ENABLED", "true") != "true":',
        f"    raise HTTPException(503, {DISABLED})",
    ],
    "open-false": [
        'if {env}.get("ACP_ENABLED") == "false":',
        f"    raise HTTPException(503, {DISABLED})",
    ],
    "late": [
        "EFFECTS.append('late')",
        'if {env}.get("ACP_ENABLED") != "true":',
        f"    raise HTTPException(503, {DISABLED})",
    ],
    "no-exit": ['if {env}.get("ACP_ENABLED") != "true":', "    print('disabled')"],
}
DEPENDENCIES = ("require_enabled", "soft_enabled", "open_enabled")
DEPENDENCY_CODE = """

def _enabled():
    return {env}.get("ACP_ENABLED", "") == "true"


def require_enabled():
    \"\"\"Raises: FastAPI answers the request with it.\"\"\"
    if {env}.get("ACP_ENABLED", "").lower() != "true":
        raise HTTPException(status_code=503, {disabled})


async def soft_enabled():
    # Returns instead of raising: FastAPI discards the value and calls the operation.
    if {env}.get("ACP_ENABLED") != "true":
        return {{"code": "FEATURE_DISABLED"}}


def open_enabled():
    if {env}.get("ACP_ENABLED", "1") not in ("1", "true"):
        raise HTTPException(status_code=503, {disabled})
"""


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: str  # as requested (path parameters filled in)


@st.composite
def handler_modules(draw: st.DrawFn) -> tuple[str, list[Op]]:
    """A module defining ``router`` and its operations, and the requests that reach them."""
    json_import = draw(
        st.sampled_from(
            [
                "",
                "from fastapi.responses import JSONResponse\n",
                "from starlette.responses import JSONResponse\n",
                "from fastapi.responses import HTMLResponse, JSONResponse\n",
                "from fastapi.responses import HTMLResponse\n",
            ]
        )
    )
    env = draw(st.sampled_from(["os.environ", "environ"]))
    os_import = "import os\n" if env == "os.environ" else "from os import environ\n"
    imports = os_import + "\n" + HEADER + json_import
    guards = sorted(OWN_GUARDS)
    if "JSONResponse" not in json_import:
        guards.remove("canonical")
    router_dependency = draw(st.sampled_from([None, None, *DEPENDENCIES]))
    router_args = f"dependencies=[Depends({router_dependency})]" if router_dependency else ""
    lines = ["", "EFFECTS: list[str] = []", f"router = APIRouter({router_args})"]
    ops: list[Op] = []
    count = draw(st.integers(1, 4))
    for number in range(count):
        name = f"op_{number}"
        method = draw(st.sampled_from(["get", "post", "put", "delete", "api_route"]))
        http = "POST" if method == "api_route" else method.upper()
        with_param = draw(st.booleans())
        path = f"/op{number}" + ("/{item}" if with_param else "")
        ops.append(Op(name, http, f"/op{number}" + ("/5" if with_param else "")))
        guard = draw(st.sampled_from(guards))
        dependency = draw(st.sampled_from([None, *DEPENDENCIES]))
        where = draw(st.sampled_from(["decorator", "parameter", "add_api_route"]))
        params = ["item: str"] if with_param else []
        dependency_kwarg = ""
        if dependency and where == "parameter":
            params.append(f"_guard: None = Depends({dependency})")
        elif dependency:
            dependency_kwarg = f", dependencies=[Depends({dependency})]"
        route_kwargs = dependency_kwarg + (', methods=["POST"]' if method == "api_route" else "")
        asynchronous = draw(st.booleans())
        header = f"{'async ' if asynchronous else ''}def {name}({', '.join(params)}):"
        work = [f"EFFECTS.append({name!r})", f"return {{'op': {number}}}"]
        lines += ["", ""]
        if where != "add_api_route":
            lines.append(f'@router.{method}("{path}"{route_kwargs})')
        one_line = guard == "none" and draw(st.booleans())
        if one_line:
            lines.append(f"{header} {'; '.join(work)}")
        else:
            lines.append(header)
            if draw(st.booleans()):
                lines.append(f'    """Operation {number}."""')
            if draw(st.booleans()):
                lines.append("    # the operation's own work follows")
            own = [line.replace("{env}", env) for line in OWN_GUARDS[guard]]
            lines += [f"    {line}" for line in own + work]
        if where == "add_api_route":
            call = f'router.add_api_route("{path}", {name}, methods=["{http}"]{dependency_kwarg})'
            lines += ["", "", call]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    dependency_code = DEPENDENCY_CODE.format(env=env, disabled=DISABLED)
    text = imports + dependency_code + "\n".join(lines) + "\n"
    return newline.join(text.split("\n")), ops


# -- FastAPI as the oracle ------------------------------------------------------------------

_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fastapi-guard")


def _import(root: Path, text: str) -> ModuleType:
    name = f"fastapi_handlers_{next(_counter)}"
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


@dataclass(frozen=True)
class Served:
    status: int
    body: str
    ran: bool  # the handler did its work


def _serve(root: Path, text: str, ops: list[Op], enabled: str | None) -> dict[str, Served]:
    """Each operation's answer from the real app, with ACP_ENABLED as given."""
    import os

    module = _import(root, text)
    app = FastAPI()
    app.include_router(module.router)
    client = TestClient(app, raise_server_exceptions=False)
    saved = os.environ.pop("ACP_ENABLED", None)
    if enabled is not None:
        os.environ["ACP_ENABLED"] = enabled
    try:
        served = {}
        for op in ops:
            module.EFFECTS.clear()
            response = client.request(op.method, op.path)
            served[op.name] = Served(response.status_code, response.text, bool(module.EFFECTS))
        return served
    finally:
        os.environ.pop("ACP_ENABLED", None)
        if saved is not None:
            os.environ["ACP_ENABLED"] = saved


def _guarded(served: Served) -> bool:
    return served.status == 503 and "FEATURE_DISABLED" in served.body and not served.ran


def _fixed(text: str) -> str:
    """Apply the safe fixes as the engine does: round after round until none is left."""
    for _ in range(10):
        fixes: list[Fix] = [d.fix for d in diagnostics(text, "handlers.py") if d.fix]
        if not fixes:
            return text
        text = apply_fixes(text, fixes).text
    raise AssertionError("fixes did not converge")


def _ruff(root: Path, text: str, select: str) -> list[tuple[str, str]]:
    path = root / f"ruff_{next(_counter)}.py"
    path.write_bytes(text.encode("utf-8"))
    completed = subprocess.run(
        [str(RUFF), "check", "--isolated", "--no-cache", "--select", select]
        + ["--output-format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return sorted((d["code"], d["message"]) for d in json.loads(completed.stdout))


UNGUARDED = (
    "import os\n\nfrom fastapi import APIRouter\n\nEFFECTS: list[str] = []\n"
    'router = APIRouter()\n\n\n@router.post("/op0")\nasync def op_0():\n'
    "    EFFECTS.append('op_0')\n    return {'op': 0}\n"
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(handler_modules())
@example((UNGUARDED, [Op("op_0", "POST", "/op0")]))
@example((UNGUARDED.replace("\n", "\r\n"), [Op("op_0", "POST", "/op0")]))
def test_verdicts_agree_with_fastapi_and_the_fix_guards_every_operation(
    workdir: Path, module: tuple[str, list[Op]]
) -> None:
    text, ops = module
    verdicts = {result.name: result.verdict for result in check_text(text, "handlers.py")}
    assert sorted(verdicts) == sorted(op.name for op in ops)
    served = _serve(workdir, text, ops, None)
    for op in ops:
        assert (verdicts[op.name] is GuardVerdict.OK) == _guarded(served[op.name]), (
            op.name,
            verdicts[op.name],
            served[op.name],
        )
    before_on = _serve(workdir, text, ops, "true")

    fixed = _fixed(text)
    assert all(r.verdict is GuardVerdict.OK for r in check_text(fixed, "handlers.py"))
    if any(v is not GuardVerdict.OK for v in verdicts.values()):
        assert fixed != text
    if "\r\n" in text:
        assert fixed.count("\n") == fixed.count("\r\n")
    served = _serve(workdir, fixed, ops, None)
    assert all(_guarded(served[op.name]) for op in ops), served
    for value in ("false", "", "0", "yes"):
        assert all(_guarded(s) for s in _serve(workdir, fixed, ops, value).values())
    after_on = _serve(workdir, fixed, ops, "true")
    assert after_on == before_on
    assert all(s.status == 200 and s.ran for s in after_on.values()), after_on
    old = _ruff(workdir, text, "F,I")
    assert [finding for finding in _ruff(workdir, fixed, "F,I") if finding not in old] == []


# -- the rule's shapes ----------------------------------------------------------------------


def _verdicts(text: str) -> dict[str, GuardVerdict]:
    return {result.name: result.verdict for result in check_text(text, "handlers.py")}


def test_only_path_operations_are_judged() -> None:
    text = (
        "from fastapi import APIRouter, FastAPI\n\n"
        "app = FastAPI()\nrouter = APIRouter()\n\n\n"
        "def helper(request):\n    return 1\n\n\n"
        '@router.websocket("/ws")\nasync def socket(websocket):\n    return None\n\n\n'
        '@app.get("/a")\ndef on_app():\n    return 1\n\n\n'
        "def registered():\n    return 2\n\n\n"
        'router.add_api_route("/b", registered, methods=["POST"])\n'
        "from cachetools import cache\n\n\n"
        '@cache.get("key")\ndef cached():\n    return 3\n'
    )
    assert _verdicts(text) == {
        "on_app": GuardVerdict.MISSING,
        "registered": GuardVerdict.MISSING,
    }


def test_findings_point_at_the_name() -> None:
    text = (
        "from fastapi import APIRouter\nrouter = APIRouter()\n"
        '@router.post("/m")\nasync def manage():\n    return 1\n'
    )
    (finding,) = diagnostics(text, "acp/router.py")
    assert (finding.code, finding.name) == ("ACP104", "missing-enabled-guard")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (4, 11, 4, 17)
    assert finding.statement_lines == (4, 4)
    assert "`manage` does not check ACP_ENABLED" in finding.message


def test_include_router_and_app_dependencies_count() -> None:
    text = (
        "import os\n\nfrom fastapi import APIRouter, Depends, FastAPI, HTTPException\n\n\n"
        "def gate():\n"
        '    if os.environ.get("ACP_ENABLED") != "true":\n'
        "        raise HTTPException(503)\n\n\n"
        "router = APIRouter()\n"
        "app = FastAPI(dependencies=[Depends(gate)])\n\n\n"
        '@router.post("/m")\ndef via_include():\n    return 1\n\n\n'
        '@app.post("/n")\ndef via_app():\n    return 1\n\n\n'
        'app.include_router(router, dependencies=[Depends(dependency=gate)], prefix="/x")\n'
    )
    assert set(_verdicts(text).values()) == {GuardVerdict.OK}


def test_a_returning_dependency_is_named_in_the_message() -> None:
    text = (
        "import os\n\nfrom fastapi import APIRouter, Depends\n\n\n"
        "def soft():\n"
        '    if os.environ.get("ACP_ENABLED") != "true":\n        return None\n\n\n'
        "router = APIRouter(dependencies=[Depends(soft)])\n\n\n"
        '@router.post("/m")\ndef manage():\n    return 1\n'
    )
    (finding,) = diagnostics(text, "handlers.py")
    assert "dependency `soft` returns when disabled" in finding.message


def test_annotated_parameter_dependency_counts() -> None:
    text = (
        "import os\nfrom typing import Annotated\n\n"
        "from fastapi import APIRouter, Depends, HTTPException\n\n\n"
        "def gate():\n"
        '    if os.environ.get("ACP_ENABLED") != "true":\n        raise HTTPException(503)\n\n\n'
        "router = APIRouter()\n\n\n"
        '@router.post("/m")\ndef manage(_: Annotated[None, Depends(gate)]):\n    return 1\n'
    )
    assert _verdicts(text) == {"manage": GuardVerdict.OK}


def _apply(text: str) -> str:
    return _fixed(text)


def test_fix_joins_an_existing_import_and_sorts_new_ones() -> None:
    text = (
        '"""Handlers."""\n\n'
        "import json\n\n"
        "from fastapi import APIRouter\n"
        "from fastapi.responses import HTMLResponse\n\n"
        "router = APIRouter()\n\n\n"
        '@router.post("/m")\nasync def manage():\n    """Doc."""\n    # work\n'
        "    return json.dumps({})\n"
    )
    assert _apply(text) == (
        '"""Handlers."""\n\n'
        "import json\n"
        "import os\n\n"
        "from fastapi import APIRouter\n"
        "from fastapi.responses import HTMLResponse, JSONResponse\n\n"
        "router = APIRouter()\n\n\n"
        '@router.post("/m")\nasync def manage():\n    """Doc."""\n'
        '    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":\n'
        "        return JSONResponse(\n"
        '            {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"},\n'
        "            status_code=503,\n"
        "        )\n"
        "    # work\n"
        "    return json.dumps({})\n"
    )


def test_fix_reuses_aliases_and_keeps_isort_clean(workdir: Path) -> None:
    text = (
        "import os as system\n\n"
        "from fastapi import APIRouter\n"
        "from starlette.responses import JSONResponse as Answer\n\n"
        "router = APIRouter()\n\n\n"
        '@router.get("/m")\ndef manage(): return {"ok": True}\n'
    )
    fixed = _apply(text)
    assert fixed.startswith(text[: text.index("router =")])  # no import added
    assert 'if system.environ.get("ACP_ENABLED"' in fixed
    assert "        return Answer(\n" in fixed
    assert '\n    return {"ok": True}\n' in fixed
    assert _ruff(workdir, fixed, "F,I,E9") == []


@pytest.mark.parametrize(
    "text",
    [
        # A parameter named like a name the guard reads.
        'import os\nfrom fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/m")\n'
        "def manage(os: str = ''):\n    return os\n",
        # The module binds JSONResponse to something else.
        "from fastapi import APIRouter\nfrom fastapi.responses import ORJSONResponse as "
        'JSONResponse\nrouter = APIRouter()\n@router.get("/m")\ndef manage():\n    return 1\n',
        # A generator: ``return <value>`` cannot answer there.
        'from fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/m")\n'
        "def manage():\n    yield 1\n",
    ],
)
def test_no_fix_where_the_guard_cannot_be_inserted_as_is(text: str) -> None:
    (finding,) = diagnostics(text, "handlers.py")
    assert finding.fix is None


def test_unparsable_module_has_no_operations() -> None:
    assert check_text("def broken(:\n", "handlers.py") == []


def test_many_operations_stay_linear() -> None:
    import time

    body = "".join(
        f'@router.post("/m{n}")\ndef op_{n}():\n    return {n}\n\n\n' for n in range(2000)
    )
    text = "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n" + body
    started = time.perf_counter()
    found = diagnostics(text, "handlers.py")
    elapsed = time.perf_counter() - started
    assert len(found) == 2000 and all(f.fix is not None for f in found)
    assert elapsed < 5, elapsed


def test_deep_expressions_are_judged_without_a_crash() -> None:
    chain = "+".join(["1"] * 2500)
    text = (
        "import os\nfrom fastapi import APIRouter\nrouter = APIRouter()\n"
        f"X = {chain}\n"
        '@router.post("/m")\ndef manage():\n'
        f'    if {"not " * 150}os.getenv("ACP_ENABLED"):\n        return 1\n    return 2\n'
    )
    (result,) = check_text(text, "handlers.py")
    assert result.verdict is GuardVerdict.FAILS_OPEN  # an even number of `not`: unset passes
    assert result.fix is not None


def test_fix_after_a_lone_docstring(workdir: Path) -> None:
    text = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.post("/m")\ndef manage():\n    """Nothing yet."""  # to do\n'
    )
    fixed = _apply(text)
    assert fixed.endswith(
        '    """Nothing yet."""  # to do\n'
        '    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":\n'
        "        return JSONResponse(\n"
        '            {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"},\n'
        "            status_code=503,\n"
        "        )\n"
    )
    assert fixed.startswith("import os\n\nfrom fastapi import APIRouter\n")
    assert _ruff(workdir, fixed, "F,I,E9") == []


def test_every_route_of_an_operation_must_be_guarded(workdir: Path) -> None:
    text = (
        "import os\n\nfrom fastapi import APIRouter, Depends, HTTPException\n\n\n"
        "def gate():\n"
        '    if os.environ.get("ACP_ENABLED") != "true":\n'
        f"        raise HTTPException(503, {DISABLED})\n\n\n"
        "EFFECTS: list[str] = []\nrouter = APIRouter()\n\n\n"
        '@router.post("/a", dependencies=[Depends(gate)])\n'
        '@router.post("/b")\ndef op_0():\n    EFFECTS.append("op_0")\n    return 0\n'
    )
    (finding,) = diagnostics(text, "handlers.py")
    assert "only 1 of the 2 routes registering it" in finding.message
    ops = [Op("op_0", "POST", "/a"), Op("op_0", "POST", "/b")]
    module = _import(workdir, text)
    app = FastAPI()
    app.include_router(module.router)
    client = TestClient(app)
    assert client.post("/a").status_code == 503
    assert client.post("/b").status_code == 200  # the route the rule says is open
    fixed = _fixed(text)
    assert check_text(fixed, "handlers.py")[0].verdict is GuardVerdict.OK
    fixed_app = FastAPI()
    fixed_app.include_router(_import(workdir, fixed).router)
    assert [TestClient(fixed_app).post(op.path).status_code for op in ops] == [503, 503]


def test_fix_indents_like_the_module(workdir: Path) -> None:
    text = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.post("/m")\nasync def m(\n\tx: int = 1,\n):\n\t# c\n\treturn x\n\n\n'
        '@router.post("/n")\nasync def n() -> dict: return {}\n'
    )
    fixed = _fixed(text)
    assert "\n\t\treturn JSONResponse(\n" in fixed and "    " not in fixed
    assert '\n\tif os.environ.get("ACP_ENABLED", "")' in fixed.split("# c")[0]
    assert _ruff(workdir, fixed, "F,I,E9") == []
