"""The Django host: settings and URLconf reading, the migration walker, ``--verify``.

``HOST`` implements ``acp_lint.hosts.Host``; everything Django-specific in the linter lives in
this package: ``urls/`` (the settings reader, the URLconf interpreter with Django's call table,
``path()`` converters and patterns, DRF routers, admin), the migration walker
(``django_migrations``, ``migration_module``, ``migration_shape``, ``app_label``) and
``verify`` (Django's own resolver in a subprocess). Importing this package imports none of them:
each is imported when first used, so a migration-only run never loads the URL graph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from acp_lint.hosts import GuardResponse, StartupHook

if TYPE_CHECKING:
    from acp_lint.config import Config
    from acp_lint.diagnostics import Diagnostic
    from acp_lint.hosts.django.verify import VerifyResult
    from acp_lint.routes.model import LiteralRef, PatternPart, RouteTable
    from acp_lint.sources import SourceTree
    from acp_lint.sql.findings import SqlFinding

GUARD = GuardResponse(
    code=(
        'if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":\n'
        "    return JsonResponse(\n"
        '        {"ok": False, "error": "ACP is disabled", "code": "FEATURE_DISABLED"},\n'
        "        status=503,\n"
        "    )\n"
    ),
    imports=(("os", None), ("django.http", "JsonResponse")),
    response="JsonResponse",
    qualified="django.http.JsonResponse",
)


class DjangoHost:
    """``acp_lint.hosts.Host`` for Django projects."""

    name = "django"
    guard = GUARD
    startup_hooks = (StartupHook(method="ready", base="AppConfig"),)
    startup_label = "AppConfig.ready()"
    route_hints = re.compile(rb"urlpatterns|ROOT_URLCONF|DJANGO_SETTINGS_MODULE")
    route_files = ("manage.py",)

    def declared(self, tree: SourceTree) -> bool:
        from acp_lint.hosts.django.manage_py import find_manage_py

        return bool(find_manage_py(tree))

    def mentioned(self, tree: SourceTree) -> bool:
        return self.declared(tree)

    def detect(self, tree: SourceTree, config: Config) -> bool:
        return self.declared(tree)  # manage.py is both the cheap look and the proof

    def route_table(self, tree: SourceTree, config: Config) -> RouteTable:
        from acp_lint.hosts.django.urls import build_route_table

        return build_route_table(tree, config.urlconf, config.settings)

    def may_have_routes(self, tree: SourceTree, config: Config) -> bool:
        # what ``find_root_urlconf`` starts from; without any, it reads nothing
        return bool(config.urlconf or config.settings) or self.declared(tree)

    def literal_part(self, text: str, is_endpoint: bool, literal: LiteralRef | None) -> PatternPart:
        from acp_lint.hosts.django.urls.patterns import route_part

        return route_part(text, is_endpoint, None, literal)

    def handler_module(
        self, table: RouteTable, tree: SourceTree, endpoint: str
    ) -> tuple[str, str] | None:
        from acp_lint.hosts.django.urls.mounted_view import mounted_view_module

        found = mounted_view_module(table, tree, endpoint)
        return (found.file, found.dotted) if found is not None else None

    def guard_findings(self, text: str, path: str) -> list[Diagnostic] | None:
        return None  # the handler rule judges Django views itself

    def is_migration(self, path: str) -> bool:
        return "/migrations/" in f"/{path}"

    def migration_files(self, root: Path) -> frozenset[str]:
        return frozenset()  # Django's migrations are found by their ``migrations/`` folder

    def migration_label(self, root: Path, rel: str) -> str | None:
        from acp_lint.hosts.django.app_label import app_label_for

        return app_label_for(root / rel, root)

    def check_migration(self, source: str, dialect: str, label: str | None) -> Sequence[SqlFinding]:
        from acp_lint.hosts.django.django_migrations import check_migration_module

        return check_migration_module(source, dialect, label)

    def source_root(self, tree: SourceTree) -> str:
        from acp_lint.hosts.django.manage_py import find_manage_py

        found = find_manage_py(tree)
        return found[0].rpartition("/")[0] if found else ""

    def entry_point(self, tree: SourceTree, config: Config) -> tuple[str, str]:
        from acp_lint.hosts.django.urls.settings_reader import find_root_urlconf

        found = find_root_urlconf(tree, config.urlconf, config.settings)
        manage = found.manage_py or ""
        return config.settings or found.settings_module or "", manage.rpartition("/")[0]

    def verify(
        self,
        root: Path,
        source_dir: Path,
        settings: str,
        endpoint: str,
        python: str | None,
        acp_app: str,
        candidates: tuple[str, ...] = (),
    ) -> VerifyResult:
        from acp_lint.hosts import find_python
        from acp_lint.hosts.django.verify import VerifyResult, verify_endpoint

        if not settings:
            return VerifyResult(
                "error", "?", python or "", endpoint, error="no settings module (set `settings`)"
            )
        interpreter = find_python(root, python)
        return verify_endpoint(
            source_dir, settings, endpoint, interpreter, acp_app, candidates=candidates
        )


HOST = DjangoHost()
