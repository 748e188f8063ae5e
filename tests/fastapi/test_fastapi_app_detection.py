"""Finding the FastAPI application: configured (``pkg.module:app``) or the one module-level
``X = FastAPI(...)`` of the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from acp_lint.hosts.fastapi import AppError, AppRef, build_table, find_app
from acp_lint.sources import DiskTree


def make(root: Path, files: dict[str, str]) -> DiskTree:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return DiskTree(root)


def test_the_one_app_in_a_src_layout_package(tmp_path: Path) -> None:
    tree = make(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/api/__init__.py": "",
            "src/shop/api/main.py": (
                "import os\nfrom fastapi import FastAPI\n\napp = FastAPI(title='x')\n"
            ),
            "src/shop/util.py": (
                "def make():\n    from fastapi import FastAPI\n    return FastAPI()\n"
            ),
        },
    )
    found = find_app(tree)
    assert isinstance(found, AppRef)
    assert found.import_string == "shop.api.main:app"
    assert (found.position.file, found.position.line, found.position.column) == (
        "src/shop/api/main.py",
        4,
        1,
    )


@pytest.mark.parametrize(
    ("source", "attribute"),
    [
        ("from fastapi import FastAPI as F\napplication = F()\n", "application"),
        ("import fastapi as fa\napi: fa.FastAPI = fa.FastAPI(docs_url=None)\n", "api"),
        ("import fastapi\nserver = fastapi.FastAPI()\n", "server"),
        ("from fastapi.applications import FastAPI\nweb = FastAPI()\n", "web"),
    ],
)
def test_aliases_and_qualified_constructors(tmp_path: Path, source: str, attribute: str) -> None:
    found = find_app(make(tmp_path, {"main.py": source}))
    assert isinstance(found, AppRef) and found.import_string == f"main:{attribute}"


def test_not_an_app(tmp_path: Path) -> None:
    tree = make(
        tmp_path,
        {
            "a.py": "# FastAPI() is mentioned here only\nx = 1\n",
            "b.py": "from other import FastAPI\napp = FastAPI()\n",  # not fastapi's
            "c.py": "from fastapi import FastAPI\ndef create():\n    return FastAPI()\n",
            "broken.py": "FastAPI(\n",
        },
    )
    assert find_app(tree) is None


def test_several_apps_ask_for_config(tmp_path: Path) -> None:
    tree = make(
        tmp_path,
        {
            "one.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "two.py": "from fastapi import FastAPI\nadmin = FastAPI()\n",
        },
    )
    found = find_app(tree)
    assert isinstance(found, AppError)
    assert [ref.import_string for ref in found.candidates] == ["one:app", "two:admin"]
    assert "one:app (one.py:2:1)" in found.message and "two:admin" in found.message
    assert 'app = "pkg.module:app"' in found.message
    chosen = find_app(tree, "two:admin")
    assert isinstance(chosen, AppRef) and chosen.position.file == "two.py"


def test_a_mounted_sub_application_is_not_a_candidate(tmp_path: Path) -> None:
    tree = make(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/v1.py": "from fastapi import FastAPI\napi = FastAPI()\n",
            "pkg/admin.py": "from fastapi import FastAPI\nadmin = FastAPI()\n",
            "pkg/main.py": (
                "from fastapi import FastAPI\nfrom starlette.routing import Mount\n"
                "from pkg.v1 import api\nfrom . import admin as adm\n"
                "app = FastAPI()\napp.mount('/v1', api)\n"
                "routes = [Mount('/admin', app=adm.admin)]\n"
            ),
        },
    )
    found = find_app(tree)
    assert isinstance(found, AppRef) and found.import_string == "pkg.main:app"


@pytest.mark.parametrize(
    ("import_string", "message"),
    [
        ("main", "is not an import string"),
        ("main:", "is not an import string"),
        ("ma-in:app", "is not an import string"),
        ("missing:app", "module 'missing' is not in the project"),
        ("main:other", "has no module-level `other = FastAPI(...)`"),
        ("bad:app", "bad.py:1:"),
    ],
)
def test_configured_app_errors(tmp_path: Path, import_string: str, message: str) -> None:
    tree = make(
        tmp_path,
        {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "bad.py": "app = (\n"},
    )
    found = find_app(tree, import_string)
    assert isinstance(found, AppError) and message in found.message, found


def test_factories_in_the_module_and_imported(tmp_path: Path) -> None:
    factory = (
        "from fastapi import FastAPI\n"
        "def create_app(prefix='/api'):\n"
        "    application = FastAPI(openapi_url=None)\n"
        "    @application.post(prefix + '/manage')\n"
        "    def manage(): ...\n"
        "    return application\n"
    )
    tree = make(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/factory.py": factory,
            "svc/main.py": "from svc.factory import create_app\napp = create_app('/v1')\n",
        },
    )
    found = find_app(tree)
    assert isinstance(found, AppRef) and found.import_string == "svc.main:app"
    table = build_table(tree, found)
    assert [(r.path, r.position.file, r.position.line) for r in table.routes] == [
        ("/v1/manage", "svc/factory.py", 4)
    ]
    configured = find_app(tree, "svc.factory:create_app")  # uvicorn --factory
    assert isinstance(configured, AppRef) and configured.position.line == 2
    assert [r.path for r in build_table(tree, configured).routes] == ["/api/manage"]


def test_an_app_that_cannot_be_read_is_one_unresolved_item(tmp_path: Path) -> None:
    tree = make(
        tmp_path,
        {
            "main.py": (
                "from fastapi import FastAPI\n"
                "def create_app():\n"
                "    if DEBUG:\n        return FastAPI(debug=True)\n"
                "    return FastAPI()\n"
                "app = create_app()\n"
            ),
        },
    )
    found = find_app(tree)
    assert isinstance(found, AppRef) and found.import_string == "main:app"
    table = build_table(tree, found)
    assert table.routes == []
    [item] = table.unresolved
    assert item.position.line == 6 and "main:app is not read statically" in item.reason
    assert item.could_serve("/api/manage")
