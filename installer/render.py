"""Text and JSON renderings of install / uninstall results (no logic, no exit codes)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from acp_installer.gate import GateResult
from acp_installer.plan import FileChange, Plan
from acp_installer.uninstall import UninstallPlan

from acp_lint.api import display
from acp_lint.manifest import FileRole
from acp_lint.reporters.json_format import diagnostic_to_json
from acp_lint.reporters.text import format_line


def diagnostics_lines(gate: GateResult, root: Path) -> list[str]:
    shown = display(gate.diagnostics, root, Path.cwd())
    return [format_line(d, color=False, unsafe_enabled=False) for d in shown]


def diagnostics_json(gate: GateResult, root: Path) -> list[dict[str, Any]]:
    """The gate's findings as ``acp-lint --output-format json`` items (the same encoder)."""
    return [diagnostic_to_json(d) for d in display(gate.diagnostics, root, Path.cwd())]


def _text(data: bytes | None) -> list[str]:
    if data is None:
        return []
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    return [line + "\n" for line in text.replace("\r\n", "\n").split("\n")][:-1] or (
        [text] if text else []
    )


def diff(change: FileChange) -> str:
    return "".join(
        difflib.unified_diff(
            _text(change.before),
            _text(change.after),
            fromfile=f"a/{change.rel}",
            tofile=f"b/{change.rel}",
        )
    )


def migration_operations(plan: Plan) -> list[dict[str, Any]]:
    from acp_installer.hosts import load_host

    found = []
    for change in plan.files:
        if change.role != FileRole.MIGRATION or change.after is None or not change.changed:
            continue
        operations = load_host(plan.framework).migration_operations(change.after.decode("utf-8"))
        for line, name in operations:
            found.append({"file": change.rel, "line": line, "operation": name})
    return found


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)


def install_text(plan: Plan, status: str) -> str:
    lines = []
    heading = {
        "planned": "dry run, nothing was written",
        "installed": "installed",
        "already-installed": "already installed, nothing to change",
    }[status]
    lines.append(f"echelon install: {heading} ({_relative(plan.host.root)}, env {plan.env})")
    lines.append(f"  kernel_id  {plan.kernel_id}")
    lines.append(f"  endpoint   POST {plan.endpoint_path}")
    if plan.mounted:
        lines.append(f"  route      {plan.route} (first in {plan.host.mount_file})")
    else:
        lines.append("  route      none (data layer only)")
    if status == "already-installed":
        return "\n".join(lines) + "\n"
    lines.append("  files:")
    for change in plan.files:
        if change.changed:
            lines.append(f"    {change.action:<7} {change.rel}")
    if status == "planned":
        diffs = [
            diff(c) for c in plan.changes if c.before is not None and c.role != FileRole.MANIFEST
        ]
        if diffs:
            lines.append("  diffs of edited files:")
            lines.extend(d.rstrip("\n") for d in diffs)
        operations = migration_operations(plan)
        if operations:
            lines.append("  migration operations:")
            for op in operations:
                lines.append(f"    {op['file']}:{op['line']}: {op['operation']}")
    for note in plan.notes:
        lines.append(f"  note: {note}")
    if status == "installed":
        written = [c.rel for c in plan.files if c.role == FileRole.MIGRATION and c.changed]
        if written:
            from acp_installer.hosts import load_host

            command = load_host(plan.framework).next_migrate_command(written)
            lines.append(f"next: {command}; then set ACP_ENABLED=true to serve")
        elif plan.mounted:
            lines.append("next: set ACP_ENABLED=true to serve")
    return "\n".join(lines) + "\n"


def install_json(plan: Plan | None, status: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"command": "install", "status": status}
    if plan is not None:
        data.update(
            {
                "project": str(plan.host.root),
                "framework": plan.framework,
                "env": plan.env,
                "app": plan.app,
                "kernel_id": plan.kernel_id,
                "base_path": plan.base_path,
                "endpoint_path": plan.endpoint_path,
                "route": plan.route if plan.mounted else None,
                "urlconf": plan.host.mount_file,
                "migrations": plan.migrations,
                "files": [{"path": c.rel, "action": c.action, "role": c.role} for c in plan.files],
                "diffs": {
                    c.rel: diff(c)
                    for c in plan.changes
                    if c.before is not None and c.role != FileRole.MANIFEST
                },
                "migration_operations": migration_operations(plan),
                "notes": plan.notes,
            }
        )
    data.update(extra)
    return data


def uninstall_text(plan: UninstallPlan, dry_run: bool) -> str:
    heading = "dry run, nothing was removed" if dry_run else "uninstalled"
    lines = [f"echelon uninstall: {heading} ({_relative(plan.root)})"]
    for change in plan.changes:
        action = "delete" if change.after is None else "restore"
        lines.append(f"    {action:<7} {change.rel}")
    for rel, reason in plan.kept:
        lines.append(f"    keep    {rel} ({reason}; --force removes it)")
    return "\n".join(lines) + "\n"
