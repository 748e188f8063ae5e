"""``acp-lint routes [PATH]``: the statically resolved URL table of a project.

Routes are listed in Django's dispatch order with file:line; the ACP endpoint's route and any
route colliding with it are marked, and unresolved places are listed after the routes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from acp_lint.errors import UsageError

if TYPE_CHECKING:
    from acp_lint.hosts import Verification
    from acp_lint.project import Project
    from acp_lint.routes import RouteTable


def print_routes(args: argparse.Namespace, cwd: Path) -> int:
    from acp_lint.config import ConfigError, load_config
    from acp_lint.project import Project
    from acp_lint.routes import (
        analyse,
        find_collisions,
        format_route_table,
        relevant_unresolved,
        route_table_to_json,
    )
    from acp_lint.sources import refuse_links_out

    # a committed ``vendor -> /elsewhere`` would list (or, with --verify, run) another project
    refuse_links_out(str(cwd / args.path), f"routes {args.path}")
    start = (cwd / args.path).resolve()
    if not start.exists():
        raise UsageError(f"acp-lint routes: path not found: {args.path}")
    try:
        config = load_config(start if start.is_dir() else start.parent, args.config)
    except ConfigError as error:
        raise UsageError(f"acp-lint: configuration error: {error}") from None
    project = Project(config)
    analysis = analyse(project)
    table, acp_app, endpoint = analysis.table, analysis.acp_app, analysis.endpoint
    collisions = find_collisions(table, endpoint, acp_app) if endpoint else []
    verified = None
    if getattr(args, "verify", False) and endpoint and relevant_unresolved(table, endpoint):
        verified = _verify(project, table, endpoint, acp_app, getattr(args, "python", None))
    if args.output_format == "json":
        payload = route_table_to_json(table, endpoint, collisions, acp_app)
        if getattr(args, "verify", False):
            payload["verify"] = _verify_json(verified)
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        width = terminal_width()
        sys.stdout.write(format_route_table(table, endpoint, collisions, acp_app, width))
        if getattr(args, "verify", False):
            sys.stdout.write(_verify_text(verified, endpoint, table.framework))
    if not getattr(args, "verify", False) or not endpoint:
        return 0  # a listing, like `ruff rule`: what it shows is not a verdict
    return _verdict(project, verified)


def _verdict(project: Project, verified: Verification | None) -> int:
    """``routes --verify`` is a check, so it exits as ``acp-lint`` does on the same tree (its
    ACP201 and ACP204, under the same config and suppressions), with Django's answer on top:
    served is an ACP201 (1); free settles the ACP204 (as in ``echelon install``)."""
    from acp_lint.api import lint, select_codes

    codes = select_codes(project.config) & {"ACP201", "ACP204"}
    if verified is not None and verified.status == "served":
        return 1 if "ACP201" in codes else 0
    if verified is not None and verified.conclusive:
        codes -= {"ACP204"}
    if not codes:
        return 0
    return 1 if lint(project.config, codes, project=project).diagnostics else 0


def terminal_width() -> int:
    """``COLUMNS``, else the terminal's width; 0 (no limit) when stdout is not a terminal,
    so that a pipe or a file gets every line whole."""
    return shutil.get_terminal_size(fallback=(0, 0)).columns


def _verify(
    project: Project, table: RouteTable, endpoint: str, acp_app: str, python: str | None
) -> Verification:
    """Static first, the framework second: only an inconclusive table is sent to it."""
    from acp_lint.hosts import host_for

    config = project.config
    host = host_for(project)
    settings, folder = host.entry_point(project.tree, config)
    source_dir = config.root / folder if folder else config.root
    return host.verify(config.root, source_dir, settings, endpoint, python, acp_app)


def _verify_text(
    result: Verification | None, endpoint: str | None, framework: str = "Django"
) -> str:
    if result is None:
        if endpoint is None:
            return "verify: no ACP endpoint is known (no bindings, no mount); nothing to verify\n"
        return f"verify: the static table is conclusive for {endpoint}; {framework} was not asked\n"
    line = f"verify: {result.summary()}\n"
    for match in result.matches:
        line += f"ACP201 {match.view} serves POST {match.path} " + (
            f"(verified with Django under settings {result.settings})\n"
            if framework == "Django"
            else f"(verified with {framework} in {result.settings})\n"
        )
    return line


def _verify_json(result: Verification | None) -> dict[str, object] | None:
    if result is None:
        return None
    return {
        "status": result.status,
        "settings": result.settings,
        "python": result.python,
        "endpoint_path": result.endpoint_path,
        "matches": [m.__dict__ for m in result.matches],
        "acp_matches": [m.__dict__ for m in result.acp],
        "message": result.summary(),
    }
