"""End to end on generated FastAPI projects: every rule code, config and detection errors,
through real subprocesses of ``acp-lint`` (FastAPI itself is never imported by the linter)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clitools import run_cli, write_tree

MAIN = """\
from fastapi import APIRouter, FastAPI

from acp.router import router as acp_router

app = FastAPI()
app.include_router(acp_router, prefix="/api")

shop = APIRouter(prefix="/shop")


@shop.get("/items/{item_id:int}")
def item(item_id: int):
    return {"id": item_id}


app.include_router(shop)
"""

ROUTER = """\
import os

from fastapi import APIRouter
from fastapi.responses import JSONResponse

router = APIRouter()


@router.post("/manage")
async def manage(payload: dict):
    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":
        return JSONResponse({"ok": False, "code": "FEATURE_DISABLED"}, status_code=503)
    return {"ok": True}
"""

BINDINGS = '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'

REVISION = """\
\"\"\"ACP tables.\"\"\"

import sqlalchemy as sa
from alembic import op

revision = "acp_0001"
down_revision = None
branch_labels = ("acp",)
depends_on = None


def upgrade():
    op.create_table("acp_keys", sa.Column("id", sa.Integer, primary_key=True))
{extra}

def downgrade():
    op.drop_table("acp_keys")
"""


def project(tmp_path: Path, overrides: dict[str, str | None] | None = None) -> Path:
    """A clean FastAPI host with an ACP router, bindings and an Alembic ACP revision;
    ``overrides`` replace files by path (None: the file is left out)."""
    files: dict[str, str | None] = {
        "requirements.txt": "fastapi\nalembic\n",
        "app/__init__.py": "",
        "app/main.py": MAIN,
        "acp/__init__.py": "",
        "acp/router.py": ROUTER,
        "controlplane.bindings.json": BINDINGS,
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/versions/acp_0001.py": REVISION.format(extra=""),
    }
    files.update(overrides or {})
    write_tree(tmp_path, {name: text for name, text in files.items() if text is not None})
    return tmp_path


def concise(root: Path, *args: str) -> tuple[int, list[str]]:
    done = run_cli("--no-cache", "--output-format", "concise", *args, ".", cwd=root)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if ": ACP" in line]
    return done.returncode, lines


def codes(lines: list[str]) -> list[tuple[str, str]]:
    """(file:line, code) of each finding."""
    found = []
    for line in lines:
        where, rest = line.split(": ", 1)
        file, row, _column = where.rsplit(":", 2)
        found.append((f"{file}:{row}", rest.split(" ", 1)[0]))
    return found


def test_a_clean_fastapi_host_has_no_findings(tmp_path: Path) -> None:
    assert concise(project(tmp_path)) == (0, [])


def test_handler_rules_at_import_and_start_up(tmp_path: Path) -> None:
    router = ROUTER.replace(
        "router = APIRouter()\n",
        "HUB = os.getenv('ACP_HUB_URL')\n"
        "from acp_kernel import ControlPlaneClient, send_heartbeat\n"
        "CLIENT = ControlPlaneClient(HUB)\n"
        "router = APIRouter()\n\n\n"
        "@router.on_event('startup')\n"
        "def announce():\n"
        "    send_heartbeat(CLIENT)\n",
    )
    code, lines = concise(project(tmp_path, {"acp/router.py": router}))
    assert code == 1
    assert codes(lines) == [
        ("acp/router.py:6", "ACP101"),
        ("acp/router.py:8", "ACP102"),
        ("acp/router.py:14", "ACP103"),
    ]
    assert 'on_event("startup")' in lines[2]


def test_acp104_accepts_a_router_dependency_and_fixes_a_bare_operation(tmp_path: Path) -> None:
    guarded_by_dependency = (
        "import os\n\nfrom fastapi import APIRouter, Depends, HTTPException\n\n\n"
        "def require_enabled():\n"
        "    if os.environ.get('ACP_ENABLED', '') != 'true':\n"
        "        raise HTTPException(status_code=503, detail='FEATURE_DISABLED')\n\n\n"
        "router = APIRouter(dependencies=[Depends(require_enabled)])\n\n\n"
        "@router.post('/manage')\n"
        "async def manage(payload: dict):\n"
        "    return {'ok': True}\n"
    )
    assert concise(project(tmp_path / "dep", {"acp/router.py": guarded_by_dependency})) == (0, [])
    bare = "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n" + (
        "@router.post('/manage')\nasync def manage(payload: dict):\n    return {'ok': True}\n"
    )
    root = project(tmp_path / "bare", {"acp/router.py": bare})
    code, lines = concise(root)
    assert code == 1 and codes(lines) == [("acp/router.py:7", "ACP104")]
    assert "[*]" in lines[0]  # marked fixable, and --fix fixes exactly it
    fixed = run_cli("--no-cache", "--fix", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    text = (root / "acp" / "router.py").read_text()
    assert "status_code=503" in text and "from fastapi.responses import JSONResponse" in text
    compile(text, "router.py", "exec")


def test_route_rules_201_202_203_204(tmp_path: Path) -> None:
    mount = MAIN.replace(
        "app.include_router(shop)\n",
        "app.include_router(shop)\napp.mount('/api', StaticFiles(directory='static'))\n",
    ).replace(
        "from fastapi import", "from starlette.staticfiles import StaticFiles\nfrom fastapi import"
    )
    # The Mount comes after the ACP route: POST /api/manage is served by it today.
    code, lines = concise(project(tmp_path / "c201", {"app/main.py": mount}))
    assert codes(lines) == [("app/main.py:18", "ACP201")]
    assert "would take that path from it" in lines[0]
    # A GET-only host route on the same path is only a partial match: no collision.
    get_only = MAIN.replace('"/items/{item_id:int}"', '"/manage"').replace(
        'prefix="/shop"', 'prefix="/api"'
    )
    assert concise(project(tmp_path / "partial", {"app/main.py": get_only})) == (0, [])
    moved = BINDINGS.replace('"/api"', '"/acp"').replace('"/api/manage"', '"/acp/manage"')
    code, lines = concise(project(tmp_path / "c202", {"controlplane.bindings.json": None}))
    assert codes(lines) == [("controlplane.bindings.json:1", "ACP203")]
    root = project(tmp_path / "m202")
    (root / "controlplane.bindings.json").write_text(moved)
    code, lines = concise(root)
    assert codes(lines) == [("acp/router.py:9", "ACP202")]
    assert "mounted at /api/manage but bindings.json says /acp/manage" in lines[0]
    dynamic = MAIN.replace(
        "app.include_router(shop)\n",
        "import os\napp.include_router(shop, prefix=os.environ['P'])\n",
    )
    code, lines = concise(project(tmp_path / "c204", {"app/main.py": dynamic}))
    assert codes(lines) == [("app/main.py:17", "ACP204")]


def test_alembic_rules_on_the_acp_revision(tmp_path: Path) -> None:
    extra = (
        "    op.drop_table('orders')\n"
        "    op.execute('CREAT TABLE broken (id int)')\n"
        "    op.get_bind().execute(sa.text('select 1'))\n"
    )
    root = project(tmp_path, {"migrations/versions/acp_0001.py": REVISION.format(extra=extra)})
    host = REVISION.format(extra="").replace('("acp",)', "None").replace("acp_0001", "0001")
    write_tree(root, {"migrations/versions/0001_host.py": host.replace("acp_keys", "orders")})
    code, lines = concise(root)
    assert code == 1
    found = codes(lines)
    assert ("migrations/versions/acp_0001.py:14", "ACP301") in found
    assert ("migrations/versions/acp_0001.py:15", "ACP302") in found
    assert ("migrations/versions/acp_0001.py:16", "ACP303") in found
    assert not any(line.startswith("migrations/versions/0001_host.py") for line in lines)


def test_a_parse_error_in_the_acp_package_is_acp000(tmp_path: Path) -> None:
    code, lines = concise(project(tmp_path, {"acp/router.py": ROUTER + "\ndef broken(:\n"}))
    assert code == 1
    assert [c for c in codes(lines) if c[1] == "ACP000"] == [("acp/router.py:15", "ACP000")]


def test_routes_command_prints_the_starlette_table(tmp_path: Path) -> None:
    root = project(tmp_path)
    done = run_cli("routes", "--output-format", "json", ".", cwd=root)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    rows = [(r["pattern"], r["methods"], r["acp_endpoint"]) for r in payload["routes"]]
    assert ("/api/manage", ["POST"], True) in rows
    assert ("/shop/items/{item_id:int}", ["GET"], False) in rows
    text = run_cli("routes", ".", cwd=root).stdout
    assert text.startswith("FastAPI app: app.main:app    ACP endpoint: /api/manage\n")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('framework = "flask"', "key 'framework': expected one of django, fastapi, got 'flask'"),
        ("framework = 3", "key 'framework': expected one of django, fastapi, got 3"),
        ('app = "app.main"', "key 'app': expected an import string"),
        ('app = "app/main.py:app"', "key 'app': expected an import string"),
        ("app = 1", "key 'app': expected an import string"),
    ],
)
def test_config_errors_exit_2_naming_file_key_and_expectation(
    tmp_path: Path, line: str, expected: str
) -> None:
    root = project(tmp_path, {"pyproject.toml": f"[tool.acp-lint]\n{line}\n"})
    done = run_cli(".", cwd=root)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "pyproject.toml" in done.stderr and expected in done.stderr
    assert "Traceback" not in done.stderr


def test_django_and_fastapi_in_one_repository_needs_framework(tmp_path: Path) -> None:
    root = project(tmp_path)
    write_tree(
        root,
        {
            "manage.py": (
                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
            ),
            "site/__init__.py": "",
            "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
            "site/urls.py": "urlpatterns = []\n",
        },
    )
    for args in ((".",), ("routes", ".")):
        done = run_cli(*args, cwd=root)
        assert done.returncode == 2, done.stdout + done.stderr
        assert 'framework = "django"' in done.stderr and "Traceback" not in done.stderr
    (root / "pyproject.toml").write_text('[tool.acp-lint]\nframework = "fastapi"\n')
    assert run_cli("routes", ".", cwd=root).stdout.startswith("FastAPI app: app.main:app")
    (root / "pyproject.toml").write_text('[tool.acp-lint]\nframework = "django"\n')
    assert run_cli("routes", ".", cwd=root).stdout.startswith("Root URLconf: site.urls")


def test_several_fastapi_apps_need_app(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/admin.py": "from fastapi import FastAPI\n\nadmin = FastAPI()\n"})
    done = run_cli(".", cwd=root)
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'app = "pkg.module:app"' in done.stderr and "app.admin:admin" in done.stderr
    (root / "pyproject.toml").write_text('[tool.acp-lint]\napp = "app.main:app"\n')
    assert concise(root) == (0, [])
    (root / "pyproject.toml").write_text('[tool.acp-lint]\napp = "app.nowhere:app"\n')
    done = run_cli(".", cwd=root)
    assert done.returncode == 2 and "app.nowhere" in done.stderr, done.stderr


def test_the_manifest_framework_chooses(tmp_path: Path) -> None:
    # a manage.py, and no dependency of the project's own names FastAPI: detected as Django
    root = project(tmp_path, {"requirements.txt": None, "manage.py": "import os\n"})
    assert run_cli("routes", ".", cwd=root).stdout.startswith("Root URLconf")
    write_tree(root, {".acp/manifest.json": json.dumps({"framework": "fastapi", "files": {}})})
    assert run_cli("routes", ".", cwd=root).stdout.startswith("FastAPI app: app.main:app")


def test_fix_guards_every_operation_of_a_module(
    tmp_path: Path,
) -> None:
    two = (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        "@router.post('/manage')\nasync def manage(payload: dict):\n    return {'ok': True}\n\n\n"
        "@router.get('/status')\ndef status():\n    return {'ok': True}\n"
    )
    dynamic = MAIN + "import os\napp.include_router(acp_router, prefix=os.environ['X'])\n"
    root = project(tmp_path, {"acp/router.py": two, "app/main.py": dynamic})
    code, lines = concise(root)
    assert [c for c in codes(lines)] == [
        ("acp/router.py:7", "ACP104"),
        ("acp/router.py:12", "ACP104"),
        ("app/main.py:18", "ACP204"),
    ]
    assert sum("[*]" in line for line in lines) == 2
    fixed = run_cli("--no-cache", "--fix", ".", cwd=root)
    assert "(2 fixed, 1 remaining)" in fixed.stdout, fixed.stdout
    text = (root / "acp" / "router.py").read_text()
    assert text.count("status_code=503") == 2 and text.count("import os\n") == 1


TAKEOVER = """
from fastapi import APIRouter as _Router

other = _Router()


@other.post("/manage")
def takeover():
    return {}


app.include_router(other, prefix=os.environ["HOST_PREFIX"])
"""


def test_routes_verify_asks_starlette_when_the_table_is_inconclusive(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/main.py": "import os\n" + MAIN + TAKEOVER})
    code, lines = concise(root)
    assert codes(lines) == [("app/main.py:29", "ACP204")]
    failed = run_cli("routes", "--verify", ".", cwd=root)  # the app cannot import: KeyError
    assert failed.returncode == 1 and "could not verify app.main:app" in failed.stdout
    assert "KeyError: 'HOST_PREFIX'" in failed.stdout
    served = run_cli("routes", "--verify", ".", cwd=root, env={"HOST_PREFIX": "/api"})
    assert served.returncode == 1, served.stdout + served.stderr
    assert (
        "ACP201 app.main.takeover serves POST /api/manage (verified with Starlette in "
        "app.main:app)" in served.stdout
    )
    free = run_cli("routes", "--verify", ".", cwd=root, env={"HOST_PREFIX": "/other"})
    assert free.returncode == 0, free.stdout + free.stderr
    assert "verified with Starlette: POST /api/manage is free in app.main:app" in free.stdout


def test_the_cache_follows_a_change_of_detected_framework(tmp_path: Path) -> None:
    bare = "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n" + (
        "@router.post('/manage')\nasync def manage(payload: dict):\n    return {'ok': True}\n"
    )
    root = project(tmp_path, {"acp/router.py": bare})
    first = run_cli("--output-format", "concise", ".", cwd=root)  # with the results cache
    assert "ACP104" in first.stdout and (root / ".acp-lint-cache").is_dir()
    # a manage.py, and no dependency of its own names FastAPI: detected as Django now
    (root / "requirements.txt").unlink()
    (root / "manage.py").write_text("import os\n")
    second = run_cli("--output-format", "concise", ".", cwd=root)
    assert "ACP104" not in second.stdout, second.stdout
    (root / "manage.py").unlink()
    (root / "requirements.txt").write_text("fastapi\n")
    third = run_cli("--output-format", "concise", ".", cwd=root)
    assert third.stdout == first.stdout


def test_apps_in_test_and_fixture_folders_are_not_the_project(tmp_path: Path) -> None:
    sample = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    root = project(tmp_path, {"tests/sample_app.py": sample, "fixtures/demo/main.py": sample})
    assert concise(root) == (0, [])
    assert run_cli("routes", ".", cwd=root).stdout.startswith("FastAPI app: app.main:app")


def test_the_operation_serving_the_endpoint_is_in_scope_without_other_signals(
    tmp_path: Path,
) -> None:
    main = MAIN.replace("from acp.router import router as acp_router", "from ctl.api import router")
    main = main.replace("app.include_router(acp_router,", "app.include_router(router,")
    bare = "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n" + (
        "@router.post('/manage')\nasync def manage(payload: dict):\n    return {'ok': True}\n"
    )
    root = project(
        tmp_path,
        {"app/main.py": main, "acp/router.py": None, "acp/__init__.py": None, "ctl/api.py": bare},
    )
    write_tree(root, {"ctl/__init__.py": ""})
    shown = run_cli("--show-files", ".", cwd=root).stdout
    assert "ctl/api.py\thandler\theuristic: the view the ACP endpoint's URL is mounted on" in shown
    assert codes(concise(root)[1]) == [("ctl/api.py:7", "ACP104")]


def test_a_partial_run_on_a_changed_app_module_checks_the_routes(tmp_path: Path) -> None:
    """pre-commit passes only changed files: a new colliding route in main.py is found."""
    root = project(tmp_path)
    assert concise(root) == (0, [])
    clash = MAIN + "\n\n@app.post('/api/{name}')\ndef clash(name: str):\n    return {}\n"
    (root / "app" / "main.py").write_text(clash)
    done = run_cli("--output-format", "concise", "app/main.py", cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "app/main.py:19:2: ACP201 route '/api/{name}' serves /api/manage today" in done.stdout
