"""The benchmark's generated FastAPI app (bench/fastapi_routes.py), small: the static table
holds exactly the routes FastAPI itself registers when the app is imported for real."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi_gen import import_app

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import fastapi_routes  # noqa: E402
from fastapi_gen import Project  # noqa: E402

from acp_lint.hosts.fastapi import AppRef, build_table, find_app  # noqa: E402
from acp_lint.sources import DiskTree  # noqa: E402


def _real_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from fastapi.routing import iter_route_contexts
    from starlette.routing import Mount

    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            found.append((context.path, "<mount>"))
        else:
            found.append((context.path, context.endpoint.__name__))
    return found


def test_generated_bench_app_matches_fastapi(tmp_path: Path) -> None:
    fastapi_routes.generate(tmp_path, routes=200, modules=6)
    tree = DiskTree(tmp_path)
    app_ref = find_app(tree)
    assert isinstance(app_ref, AppRef) and app_ref.import_string == "app.main:app"
    table = build_table(tree, app_ref)
    assert table.unresolved == [] and table.parse_errors == []
    ours = [(r.path, "<mount>" if r.is_mount else r.endpoint) for r in table.routes]
    theirs = _real_routes(import_app(Project("app"), tmp_path))
    assert len(theirs) >= 200
    assert ours == theirs  # the same routes in the same order
