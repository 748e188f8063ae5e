"""ACP201-ACP204: route collisions, bindings.json and the URL graph (project rules).

These rules look at the whole URL graph and bindings.json whichever file was passed on the
command line; the engine runs them on a full run, or when a checked file is part of the graph
or is bindings.json (pre-commit passes only changed files). The analysis lives in
``acp_lint.routes``; this module turns it into diagnostics and holds the rules' docs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from acp_lint.cache import RecordingTree, ResultCache
from acp_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from acp_lint.project import Project
from acp_lint.registry import BY_CODE
from acp_lint.rules.meta import Expected, ProjectExample, Rule
from acp_lint.rules.parse_error import parse_error
from acp_lint.sources import SourceTree
from acp_lint.suppressions import is_suppressed, python_suppressions

if TYPE_CHECKING:
    from acp_lint.routes.model import Unresolved


def _might_touch_graph(project: Project, targets: list[str], bindings: str) -> bool:
    """Cheap test before building the graph: a target is bindings.json or looks like URL code."""
    from acp_lint.hosts import host_for

    host = host_for(project)
    for target in targets:
        if target == bindings or target.endswith(host.route_files):
            return True
        if target.endswith(".py"):
            data = project.tree.read_bytes(target)
            if data is not None and host.route_hints.search(data):
                return True
    return False


def _diagnostic(
    code: str, file: str, span: tuple[int, int, int, int], message: str, fix: Fix | None = None
) -> Diagnostic:
    line, column, end_line, end_column = span
    return Diagnostic.at(
        path=file,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        code=code,
        name=BY_CODE[code].name,
        message=message,
        fix=fix,
        statement_lines=(line, end_line),
    )


def check_project(
    project: Project,
    targets: list[str],
    full: bool,
    codes: frozenset[str],
    cache: ResultCache | None = None,
) -> list[Diagnostic]:
    """The project rules' findings; on a partial run, only when a target is in the graph."""
    bindings_file = project.bindings_path()
    if not full and not _might_touch_graph(project, targets, bindings_file):
        return []
    context = (
        sorted(codes),
        bindings_file,
        sorted(project.acp_app_dirs),
        project.acp_app_name(),
        project.config.fingerprint,
        project.host_name,  # a detected framework is not in the config
    )
    key = cache.project_key(context) if cache is not None else ""
    cached = cache.get_project(key, project.tree) if cache is not None else None
    if cached is not None:
        diagnostics, files = cached
    else:
        # the probes are recorded only to be cached: without a cache nothing is hashed
        recording = RecordingTree(project.tree) if cache is not None else None
        diagnostics, graph_files = _analyse(project, recording, bindings_file)
        files = sorted(graph_files)
        if cache is not None and recording is not None:
            cache.put_project(key, recording.probe_list(), diagnostics, files)
    if not full and not (set(targets) & (set(files) | {bindings_file})):
        return []
    return diagnostics


def _analyse(
    project: Project, tree: RecordingTree | None, bindings_file: str
) -> tuple[list[Diagnostic], set[str]]:
    from acp_lint.hosts import host_for
    from acp_lint.routes.analysis import analyse

    analysis = analyse(project, tree, bindings_file=bindings_file)
    table, acp_app, mount = analysis.table, analysis.acp_app, analysis.mount
    has_acp = mount is not None or bool(project.acp_app_dirs)
    diagnostics: list[Diagnostic] = []
    for error in table.parse_errors:
        diagnostics.append(parse_error(error.file, error.line, error.column, error.message))

    if analysis.unreadable is not None:  # there, but not readable: never reported as "missing"
        diagnostics.append(_diagnostic("ACP203", bindings_file, (1, 1, 1, 1), analysis.unreadable))
    elif analysis.loaded is None:
        if has_acp:
            diagnostics.append(
                _diagnostic(
                    "ACP203",
                    bindings_file,
                    (1, 1, 1, 1),
                    f"{bindings_file} is missing; it must say where ACP is mounted "
                    "(kernel_id, base_path, endpoint_path)",
                )
            )
    else:
        result = analysis.loaded
        for problem in result.errors:
            span = (problem.line, problem.column, problem.end_line, problem.end_column)
            diagnostics.append(_diagnostic(problem.code, bindings_file, span, problem.message))
        if result.bindings is not None:
            from acp_lint.routes.mount import check_mount

            literal_part = host_for(project).literal_part
            for mismatch in check_mount(table, result.bindings, acp_app, literal_part):
                fix = None
                if mismatch.edit is not None:
                    fix = Fix(
                        Applicability.SAFE,
                        f"Mount the ACP app at {mismatch.expected}",
                        (Edit(mismatch.edit.start, mismatch.edit.end, mismatch.edit.replacement),),
                    )
                span = (mismatch.line, mismatch.column, mismatch.end_line, mismatch.end_column)
                diagnostics.append(
                    _diagnostic("ACP202", mismatch.file, span, mismatch.message, fix)
                )
    endpoint = analysis.endpoint
    if endpoint is not None:
        from acp_lint.routes.collisions import (
            find_collisions,
            reserved_collisions,
            unresolved_causes,
        )

        for collision in find_collisions(table, endpoint, acp_app):
            route = collision.host_route
            span = (route.line, route.column, route.end_line, route.end_column)
            diagnostics.append(_diagnostic("ACP201", route.file, span, collision.message))
        for reserved, message in reserved_collisions(table, endpoint):
            span = (reserved.line, reserved.column, reserved.end_line, reserved.end_column)
            diagnostics.append(_diagnostic("ACP201", reserved.file, span, message))
        if has_acp:
            for item, count in unresolved_causes(table, endpoint):
                span = (item.line, item.column, item.end_line, item.end_column)
                diagnostics.append(_diagnostic("ACP204", item.file, span, _cause(item, count)))
    return _unsuppressed(tree or project.tree, diagnostics), set(table.files)


def _cause(item: Unresolved, count: int) -> str:
    """The ACP204 message: what could not be analysed, and how many routes depend on it."""
    if count == 1:
        return item.reason
    return f"{item.reason} ({count} routes or includes that could serve the endpoint depend on it)"


def _unsuppressed(tree: SourceTree, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    tables: dict[str, dict[int, set[str]]] = {}
    kept = []
    for diagnostic in diagnostics:
        if diagnostic.path.endswith(".py"):
            if diagnostic.path not in tables:
                data = tree.read_bytes(diagnostic.path) or b""
                tables[diagnostic.path] = python_suppressions(data.decode("utf-8", "replace"))
            if is_suppressed(diagnostic, tables[diagnostic.path]):
                continue
        kept.append(diagnostic)
    return kept


class ProjectRule(Rule):
    """A rule over the URL graph and bindings.json; examples are small projects."""

    PROJECT_VALID: ClassVar[list[ProjectExample]] = []
    PROJECT_INVALID: ClassVar[list[ProjectExample]] = []


MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"
SETTINGS = "ROOT_URLCONF = 'site_cfg.urls'\nINSTALLED_APPS = ['acp']\n"
ACP_URLS = (
    "from django.urls import path\nfrom . import views\n"
    "urlpatterns = [path('manage', views.manage)]\n"
)
BINDINGS = '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'


def _project(urls: str, bindings: str = BINDINGS) -> dict[str, str]:
    return {
        "manage.py": MANAGE,
        "site_cfg/__init__.py": "",
        "site_cfg/settings.py": SETTINGS,
        "site_cfg/urls.py": urls,
        "acp/__init__.py": "",
        "acp/urls.py": ACP_URLS,
        "controlplane.bindings.json": bindings,
    }


ROOT_OK = (
    "from django.urls import include, path\n"
    "urlpatterns = [\n"
    "    path('api/', include('acp.urls')),\n"
    "]\n"
)


class RouteCollision(ProjectRule):
    DOCS = """
## What it does
Resolves the host's URL configuration statically, the way Django does (root URLconf from the
settings named in `manage.py`, `include()`, `path()` converters, `re_path()` regexes, DRF
routers, both branches of `if`), and reports every host route that Django would dispatch the ACP
endpoint path to: a route before the ACP mount that shadows it, or one after it whose path the
ACP route would take. It is reported at the host route's `path()`/`re_path()`/`register()` call,
names the ACP route, and suggests free base paths, each checked against the same route table.
`path("api/", obj.urls)` (admin, django-ninja, routers) is an include, as Django treats it; a
name assigned in several places (`if`/`try` branches, loops) counts with every value it may
have. An endpoint under `STATIC_URL` or `MEDIA_URL` is reported at that setting: runserver's
staticfiles handler or the web server serves that prefix before the URLconf is consulted.

## Why is this bad?
A shadowed endpoint silently never runs; a taken path breaks a host feature that works today.
A substring search of `urls.py` misses `include()` prefixes, converters and regexes, and flags
unrelated routes such as `api/management/`.

## Example
```python
urlpatterns = [
    path("api/<slug:resource>", views.resource),
    path("api/", include("acp.urls")),
]
```

## Use instead
```python
urlpatterns = [
    path("api/<slug:resource>", views.resource),
    path("api/acp/", include("acp.urls")),  # and base_path "/api/acp" in bindings.json
]
```

## Fix safety
No fix is offered: moving either route changes a public URL.
"""
    PROJECT_VALID = [
        ProjectExample(
            _project(
                "from django.urls import include, path\n"
                "urlpatterns = [\n"
                "    path('api/management/', lambda r: None),\n"
                "    path('api/<int:pk>', lambda r, pk: None),\n"
                "    path('api/', include('acp.urls')),\n"
                "]\n"
            )
        )
    ]
    PROJECT_INVALID = [
        ProjectExample(
            _project(
                "from django.urls import include, path\n"
                "urlpatterns = [\n"
                "    path('api/<slug:resource>', lambda r, resource: None),\n"
                "    path('api/', include('acp.urls')),\n"
                "]\n"
            ),
            Expected(
                3,
                5,
                "route 'api/<slug:resource>' matches /api/manage before the ACP "
                "route at acp/urls.py:3, so Django would never dispatch the ACP "
                "endpoint. Free base paths: /acp, /api/v1/acp, /agent-control.",
                path="site_cfg/urls.py",
            ),
        ),
        ProjectExample(
            {
                **_project(
                    "from django.conf import settings\n"
                    "from django.urls import include, path\n"
                    "prefix = 'api/'\n"
                    "if settings.DEBUG:\n"
                    "    prefix = 'debug/'\n"
                    "urlpatterns = [\n"
                    "    path(f'{prefix}<slug:resource>', lambda r, resource: None),\n"
                    "    path('api/', include('acp.urls')),\n"
                    "]\n"
                ),
            },
            Expected(
                7,
                5,
                "route 'api/<slug:resource>' (conditional) matches /api/manage "
                "before the ACP route at acp/urls.py:3, so Django would never "
                "dispatch the ACP endpoint. Free base paths: /acp, /api/v1/acp, "
                "/agent-control.",
                path="site_cfg/urls.py",
            ),
        ),
        ProjectExample(
            {
                **_project(
                    ROOT_OK.replace("'api/'", "'static/acp/'"),
                    BINDINGS.replace('"/api"', '"/static/acp"').replace(
                        '"/api/manage"', '"/static/acp/manage"'
                    ),
                ),
                "site_cfg/settings.py": SETTINGS + "STATIC_URL = '/static/'\n",
            },
            Expected(
                3,
                14,
                "the ACP endpoint /static/acp/manage is under STATIC_URL "
                "'/static/': runserver's staticfiles handler and, in production, "
                "the web server serve that prefix before Django's URLconf is "
                "consulted, so the endpoint would be unreachable. Choose a base "
                "path outside STATIC_URL.",
                path="site_cfg/settings.py",
            ),
        ),
    ]


class BasePathMismatch(ProjectRule):
    DOCS = """
## What it does
Reports `controlplane.bindings.json` when its `endpoint_path` is not `base_path + "/manage"`
(at `endpoint_path`), and the ACP mount in the URLconf when the route at which the ACP view is
actually served differs from `endpoint_path` (at the mount's route string).

## Why is this bad?
bindings.json is what the governance hub and the installer believe; a mount elsewhere means
agents call a path that is not served (or is served by something else).

## Example
```python
path("api/v2/", include("acp.urls"))  # bindings.json says /api/manage
```

## Use instead
```python
path("api/", include("acp.urls"))
```

## Fix safety
Safe: the fix rewrites the mount's route string in the URLconf so that the mounted endpoint
equals bindings.json's `endpoint_path`. It is offered only when all of these hold:

- the route to rewrite (the `include()` of the ACP app, or the ACP view's own `path()`) is a
  plain string literal without converters, every other part of the mount is literal, and the
  new route can be written in the literal's own quotes;
- after the rewrite the mount serves exactly `endpoint_path`, and Django would dispatch that
  path to the ACP view;
- with the rewritten route, no host route serves `endpoint_path` (no ACP201, before or after
  the mount), the path is not under `STATIC_URL` or `MEDIA_URL`, and no part of the URLconf
  that cannot be analysed could serve it (no ACP204).

Otherwise (for example when `api/<slug:resource>` would shadow the moved endpoint) no fix is
offered and the message says which finding the moved mount would meet: choose a free base path
(ACP201 lists some) and update bindings.json or the route by hand.
"""
    PROJECT_VALID = [ProjectExample(_project(ROOT_OK))]
    PROJECT_INVALID = [
        ProjectExample(
            _project(ROOT_OK.replace("'api/'", "'api/v2/'")),
            Expected(
                3,
                10,
                "the ACP endpoint is mounted at /api/v2/manage but bindings.json "
                "says /api/manage; change this route to 'api/'",
                path="site_cfg/urls.py",
            ),
            fixed={"site_cfg/urls.py": ROOT_OK},
        ),
        ProjectExample(
            _project(ROOT_OK, BINDINGS.replace('"/api/manage"', '"/api/acp/manage"')),
            Expected(
                1,
                59,
                "endpoint_path '/api/acp/manage' does not match base_path '/api'; "
                "expected '/api/manage'",
                path="controlplane.bindings.json",
            ),
            Expected(
                3,
                10,
                "the ACP endpoint is mounted at /api/manage but bindings.json "
                "says /api/acp/manage; change this route to 'api/acp/'",
                path="site_cfg/urls.py",
            ),
        ),
        ProjectExample(
            _project(
                "from django.urls import include, path\n"
                "urlpatterns = [\n"
                "    path('api/<slug:resource>', lambda r, resource: None),\n"
                "    path('acp/', include('acp.urls')),\n"
                "]\n"
            ),
            Expected(
                4,
                10,
                "the ACP endpoint is mounted at /acp/manage but bindings.json "
                "says /api/manage; no automatic fix: host route "
                "'api/<slug:resource>' at site_cfg/urls.py:3 also serves "
                "/api/manage (ACP201)",
                path="site_cfg/urls.py",
            ),
        ),
    ]


class InvalidBindings(ProjectRule):
    DOCS = """
## What it does
Reports `controlplane.bindings.json` when it is missing (while ACP code or an ACP mount exists),
unreadable, not valid JSON (at the parser's line and column), not an object, lacks `kernel_id`,
`base_path` or `endpoint_path`, or holds a path outside the grammar: `/` followed by segments of
`[a-z0-9][a-z0-9._-]*`, no trailing slash, no `..`, no empty segment, no regex or converter
syntax.

## Why is this bad?
Every other route check trusts bindings.json; a path with `..`, quotes or regex syntax can also
break or escape the generated URL configuration.

## Example
```json
{"kernel_id": "shop", "base_path": "/api/", "endpoint_path": "/api//manage"}
```

## Use instead
```json
{"kernel_id": "shop", "base_path": "/api", "endpoint_path": "/api/manage"}
```

## Fix safety
No fix is offered.
"""
    PROJECT_VALID = [ProjectExample(_project(ROOT_OK))]
    PROJECT_INVALID = [
        ProjectExample(
            _project(
                ROOT_OK,
                '{"kernel_id": "k1",\n "base_path": "/api/",\n "endpoint_path": "/api/manage"}\n',
            ),
            Expected(
                2,
                15,
                "base_path '/api/' must not end with '/'",
                path="controlplane.bindings.json",
            ),
        ),
        ProjectExample(
            _project(ROOT_OK, '{"kernel_id": "k1",\n "base_path": \n'),
            Expected(
                3,
                1,
                "controlplane.bindings.json is not valid JSON: Expecting value",
                path="controlplane.bindings.json",
            ),
        ),
    ]


class UnresolvedUrlconf(ProjectRule):
    DOCS = """
## What it does
Reports each part of the URL configuration that cannot be evaluated statically (routes built by
calls it cannot follow, runtime prefixes, includes of modules that cannot be found or parsed,
`obj.urls` includes whose patterns cannot be read) when it could serve the endpoint path: its
prefix matches the start of the endpoint path and its literal parts can match the rest
(`f"{prefix}admin/"` cannot serve `/api/manage`). One diagnostic per cause, at the expression
that could not be analysed, saying how many routes depend on it. Loops over literal lists and
functions of the URLconf's own modules that depend only on literals and their arguments are
evaluated, not reported. The rest of the graph is still checked.

## Why is this bad?
Collision checking is incomplete there: a route hidden behind dynamic code could shadow the ACP
endpoint without any rule noticing.

## Example
```python
urlpatterns = [path(f"api/{name}", view) for name, view in VIEWS.items()]
```

## Use instead
List the routes literally, or move the dynamic part under a prefix that cannot match the ACP
endpoint, or suppress with `# acp-lint: ignore[ACP204] reason` after checking by hand
(`acp-lint routes` prints what was resolved).

## Fix safety
No fix is offered.
"""
    PROJECT_VALID = [ProjectExample(_project(ROOT_OK))]
    PROJECT_INVALID = [
        ProjectExample(
            _project(
                "from django.urls import include, path\n"
                "VIEWS = {'a': None}\n"
                "urlpatterns = [path('api/', include('acp.urls'))]\n"
                "urlpatterns += [path(f'api/{n}', v) for n, v in VIEWS.items()]\n"
            ),
            Expected(
                4,
                16,
                "a comprehension over call of 'VIEWS.items' cannot be evaluated",
                path="site_cfg/urls.py",
            ),
        ),
        ProjectExample(
            {
                **_project(
                    "from django.urls import include, path\n"
                    "from site_cfg.api import ninja\n"
                    "urlpatterns = [path('api/', include('acp.urls')), path('api/', ninja.urls)]\n"
                ),
                "site_cfg/api.py": "from ninja import NinjaAPI\nninja = NinjaAPI()\n",
            },
            Expected(
                3,
                51,
                "ninja.urls is an include whose patterns cannot be read statically",
                path="site_cfg/urls.py",
            ),
        ),
    ]
