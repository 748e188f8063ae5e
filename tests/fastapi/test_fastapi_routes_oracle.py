"""Starlette is the oracle: generated FastAPI projects, dispatched statically and by Starlette.

Each project (see ``fastapi_gen``) is written to disk and imported for real; every request
``(method, path)`` is answered by our static table (``resolve(..., deep=True)``) and by
Starlette's own routes (``route.matches(scope)`` in order, FULL before PARTIAL, then the
``redirect_slashes`` retry, as ``Router.app`` does, descending into mounts). Both must name the
same chain of (match, route path, endpoint). A sample is also sent through the real ASGI app to
check the oracle itself against the status code Starlette answers.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from fastapi_gen import (
    METHODS,
    Generator,
    asgi_status,
    import_app,
    real_templates,
    request_paths,
    starlette_answer,
    write,
)
from starlette.routing import compile_path as starlette_compile_path

from acp_lint.hosts.fastapi import AppRef, build_table, find_app, resolve
from acp_lint.hosts.fastapi.model import Route
from acp_lint.hosts.fastapi.paths import compile_path
from acp_lint.sources import DiskTree

PATHS_PER_APP = 60
# The generated apps use FastAPI(root_path=...) and include one router twice on purpose.
pytestmark = [
    pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated"),
    pytest.mark.filterwarnings("ignore:Duplicate Operation ID"),
]


def our_answer(table, method: str, path: str, assume) -> list[tuple[str, str, str, object]]:
    chain: list[tuple[str, str, str, object]] = []
    resolution = resolve(table, method, path, deep=True, assume=assume)
    prefix = ""
    while resolution is not None:
        route: Route = resolution.route
        kind = "mount" if route.is_mount else "route"
        endpoint = None if route.is_mount else route.endpoint
        chain.append((resolution.match, kind, route.path, endpoint))
        prefix += route.path
        resolution = resolution.inner
    return chain


def _all_routes(routes):
    for route in routes:
        yield route
        if route.children:
            yield from _all_routes(route.children)


def run_oracle(apps: int, seed: int, tmp_path: Path) -> dict[str, int]:
    stats = {
        "apps": 0,
        "routes": 0,
        "requests": 0,
        "full": 0,
        "partial": 0,
        "redirect": 0,
        "none": 0,
        "mounted": 0,
        "conditional": 0,
    }
    for index in range(apps):
        rng = random.Random(seed * 100_003 + index)
        package = f"fa_oracle_{seed}_{index}"
        project = Generator(rng, package).build()
        root = tmp_path / package
        write(project, root)
        app = import_app(project, root)
        tree = DiskTree(root)
        found = find_app(tree)
        assert isinstance(found, AppRef), found
        assert found.import_string == f"{package}.main:app"
        table = build_table(tree, found)
        assert table.unresolved == [] and table.parse_errors == [], table.unresolved
        stats["conditional"] += sum(1 for r in table.routes if r.conditions)
        for route in _all_routes(table.routes):
            pattern = route.path + "/{path:path}" if route.is_mount else route.path
            assert (
                compile_path(pattern, table.convertors)[0]
                == starlette_compile_path(pattern)[0].pattern
            )
            stats["routes"] += 1
        paths = request_paths(project, rng, PATHS_PER_APP, real_templates(app.routes))
        for path in paths:
            method = rng.choice(METHODS)
            ours = our_answer(table, method, path, project.assume)
            theirs = starlette_answer(app, method, path)
            assert ours == theirs, (method, path, ours, theirs, project.files)
            stats["requests"] += 1
            stats[ours[0][0] if ours else "none"] += 1
            stats["mounted"] += len(ours) > 1
        stats["apps"] += 1
    return stats


def test_static_dispatch_agrees_with_starlette(tmp_path: Path) -> None:
    """40 generated apps x 60 requests; every answer equal, and enough of each kind."""
    stats = run_oracle(40, 1, tmp_path)
    print(f"fastapi oracle: {stats}")
    assert stats["apps"] == 40 and stats["requests"] == 40 * PATHS_PER_APP
    for kind in ("full", "partial", "redirect", "none", "mounted", "conditional"):
        assert stats[kind] >= 15, stats


@pytest.mark.slow
def test_static_dispatch_agrees_with_starlette_at_length(tmp_path: Path) -> None:
    apps = int(os.environ.get("ACP_FASTAPI_ORACLE_APPS", "300"))
    stats = run_oracle(apps, 2, tmp_path)
    print(f"fastapi oracle (slow): {stats}")
    assert stats["apps"] == apps


def test_oracle_matches_the_asgi_app(tmp_path: Path) -> None:
    """The oracle's emulation of ``Router.app`` against the real app's status codes."""
    statuses: dict[int, int] = {}
    for index in range(10):
        rng = random.Random(7_000 + index)
        package = f"fa_asgi_{index}"
        project = Generator(rng, package).build()
        root = tmp_path / package
        write(project, root)
        app = import_app(project, root)
        for path in request_paths(project, rng, 30):
            method = rng.choice(["GET", "POST", "PUT", "DELETE"])
            chain = starlette_answer(app, method, path)
            status, body = asgi_status(app, method, path)
            statuses[status] = statuses.get(status, 0) + 1
            if not chain:
                assert status == 404, (method, path, status)
            elif chain[0][0] == "redirect":
                assert status == 307, (method, path, status, chain)
            elif chain[-1][0] == "partial":
                assert status == 405, (method, path, status, chain)
            elif (
                chain[-1][1] == "route" and chain[-1][3] and re.fullmatch(r"s?ep\d+", chain[-1][3])
            ):
                endpoint = chain[-1][3]
                is_class = any(
                    f"class {endpoint}(HTTPEndpoint)" in t for t in project.files.values()
                )
                if status == 200:
                    assert endpoint in body.decode(), (method, path, body, chain)
                elif is_class:  # HTTPEndpoint answers 405 itself for methods it lacks
                    assert status == 405, (method, path, status, chain)
                else:  # a convertor value the endpoint rejects (422), never routing
                    assert status == 422, (method, path, status, chain)
    print(f"asgi statuses: {statuses}")
    assert sum(statuses.values()) == 10 * 30
    assert all(statuses.get(code, 0) >= 3 for code in (200, 307, 404, 405)), statuses
