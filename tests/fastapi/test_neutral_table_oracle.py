"""Starlette is the oracle for the neutral route model too: the FastAPI table as the route
rules see it (``acp_lint.routes``, through the host seam) dispatches ``POST path`` as
Starlette does.

For generated apps (``fastapi_gen``) imported for real, the first route of the neutral table
that matches the path and serves POST (``route_matches`` and ``Route.serves``, conditional routes
under the generator's ``assume``) must be the route Starlette answers with a FULL match; when
Starlette's answer is partial (405), a redirect or nothing, no neutral route serves it. Paths
under ``FastAPI(root_path=...)`` are left out: the neutral model does not take ``root_path`` off
the request path (the endpoint paths the rules check are the app's own).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fastapi_gen import (
    Generator,
    import_app,
    real_templates,
    request_paths,
    starlette_answer,
    write,
)

from acp_lint.config import Config
from acp_lint.hosts import load_host
from acp_lint.routes.model import Condition, Route
from acp_lint.routes.resolver import route_is_active, route_matches
from acp_lint.sources import DiskTree

pytestmark = [
    pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated"),
    pytest.mark.filterwarnings("ignore:Duplicate Operation ID"),
]


def _identity(route: Route) -> tuple[str, str, object]:
    text = route.parts[0].text
    if route.kind == "mount":
        return ("mount", "/" + text.removesuffix("/{path:path}"), None)
    return ("route", "/" + text, route.view.rsplit(".", 1)[-1])


def neutral_answer(routes: list[Route], path: str, assume: dict[str, bool]) -> object:
    for route in routes:
        if route_is_active(route, assume) and route.serves("POST"):
            if route_matches(route, path.removeprefix("/")):
                return _identity(route)
    return None


def test_neutral_table_dispatches_post_like_starlette(tmp_path: Path) -> None:
    host = load_host("fastapi")
    stats = {"full": 0, "other": 0, "skipped": 0}
    for index in range(25):
        rng = random.Random(7_000 + index)
        package = f"fa_neutral_{index}"
        project = Generator(rng, package).build()
        root = tmp_path / package
        write(project, root)
        app = import_app(project, root)
        table = host.route_table(DiskTree(root), Config(root=root))
        assert table.framework == "Starlette" and not table.unresolved
        assert all(isinstance(c, Condition) for r in table.routes for c in r.conditions)
        root_path = getattr(app, "root_path", "") or ""
        for path in request_paths(project, rng, 60, real_templates(app.routes)):
            if root_path and path.startswith(root_path):
                stats["skipped"] += 1
                continue
            theirs = starlette_answer(app, "POST", path)
            ours = neutral_answer(table.routes, path, project.assume)
            if theirs and theirs[0][0] == "full":
                assert ours == theirs[0][1:], (path, ours, theirs, project.files)
                stats["full"] += 1
            else:
                assert ours is None, (path, ours, theirs, project.files)
                stats["other"] += 1
    print(f"neutral oracle: {stats}")
    assert stats["full"] >= 100 and stats["other"] >= 100, stats
