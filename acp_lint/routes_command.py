"""``acp-lint routes [PATH]``: the statically resolved URL table of a project.

Routes are listed in Django's dispatch order with file:line; the ACP endpoint's route and any
route colliding with it are marked, and unresolved places are listed after the routes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def print_routes(args: argparse.Namespace, cwd: Path) -> int:
    from acp_lint.cli import UsageError
    from acp_lint.config import ConfigError, load_config
    from acp_lint.project import Project
    from acp_lint.urls import (
        build_route_table,
        find_acp_mount,
        find_collisions,
        format_route_table,
        load_bindings,
        mounted_path,
        route_table_to_json,
    )

    start = (cwd / args.path).resolve()
    if not start.exists():
        raise UsageError(f"acp-lint routes: path not found: {args.path}")
    try:
        config = load_config(start if start.is_dir() else start.parent, args.config)
    except ConfigError as error:
        raise UsageError(f"acp-lint: configuration error: {error}") from None
    project = Project(config)
    table = build_route_table(project.tree, config.urlconf, config.settings)
    acp_app = project.acp_app_name()
    endpoint = None
    data = project.tree.read_bytes(project.bindings_path())
    if data is not None:
        loaded = load_bindings(data, project.bindings_path())
        if loaded.bindings is not None:
            endpoint = loaded.bindings.endpoint_path
    mount = find_acp_mount(table, acp_app)
    if endpoint is None and mount is not None:
        endpoint = mounted_path(mount)
    collisions = find_collisions(table, endpoint, acp_app) if endpoint else []
    if args.output_format == "json":
        payload = route_table_to_json(table, endpoint, collisions, acp_app)
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write(format_route_table(table, endpoint, collisions, acp_app))
    return 0
