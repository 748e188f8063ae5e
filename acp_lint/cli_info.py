"""What a run looks at and why: ``--show-files``, ``--show-settings``, ``--verbose``,
``--show-fixes``. Separate from ``cli`` so the command's flow stays short."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acp_lint.config import Config
    from acp_lint.diagnostics import Diagnostic
    from acp_lint.project import Project


def _shown(root: Path, cwd: Path, path: str) -> str:
    """``path`` relative to ``cwd``, C-style quoted when it holds a control character (a
    file name can drive the terminal or forge lines), as the report quotes it."""
    from acp_lint.reporters.escape import printable

    return printable(os.path.relpath(root / path, cwd).replace(os.sep, "/"))


def scope_mode(config: Config, project: Project) -> str:
    """Which of the three scope sources decides this project (DESIGN §3)."""
    if config.handlers or config.migrations:
        return f"config ({config.source})"
    if project.manifest is not None:
        return "manifest (.acp/manifest.json)"
    return "heuristic (no handlers/migrations in config, no .acp/manifest.json)"


def files_text(project: Project, targets: list[str] | None, root: Path, cwd: Path) -> str:
    """Every candidate file, whether ACP rules check it, and the reason."""
    lines = []
    for path in project.all_files if targets is None else targets:
        role = project.role_of(path)
        kind = role.value if role is not None else "-"
        reason = project.scope_reason(path)
        lines.append(f"{_shown(root, cwd, path)}\t{kind}\t{reason}")
    return "\n".join(lines) + ("\n" if lines else "")


def settings_text(config: Config, codes: frozenset[str], project: Project) -> str:
    """The effective configuration, resolved, one ``key = value`` a line."""
    values = {
        "config-file": str(config.source) if config.source else "(none: defaults)",
        "root": str(config.root),
        "scope": scope_mode(config, project),
        "acp-app-dirs": sorted(project.acp_app_dirs),
        "handlers": list(config.handlers),
        "migrations": list(config.migrations),
        "bindings": project.bindings_path(),
        "urlconf": config.urlconf or "(from settings ROOT_URLCONF)",
        "settings": config.settings or "(discovered)",
        "sql-dialect": config.sql_dialect,
        "rules": sorted(codes),
        "per-file-ignores": {glob: list(found) for glob, found in config.per_file_ignores},
        "exclude": list(project.excludes),
        "env-readers": list(config.env_readers),
        "client-constructors": list(config.client_constructors),
        "heartbeat-functions": list(config.heartbeat_functions),
        "handler-functions": list(config.handler_functions),
    }
    return "".join(f"{key} = {value!r}\n" for key, value in values.items())


def describe_run(config: Config, project: Project, targets: list[str] | None, cwd: Path) -> None:
    """``--verbose``: the config, the root, the scope source and each file checked (stderr)."""
    write = sys.stderr.write
    write(f"acp-lint: config: {config.source or '(none: defaults)'}\n")
    write(f"acp-lint: root: {config.root}\n")
    write(f"acp-lint: scope: {scope_mode(config, project)}\n")
    candidates = project.all_files if targets is None else targets
    scoped = project.scoped(candidates)
    write(f"acp-lint: {len(candidates)} candidate files, {len(scoped)} ACP files\n")
    for path, role in sorted(scoped.items()):
        write(f"acp-lint: checking {_shown(config.root, cwd, path)} ({role.value})\n")


def fixes_text(
    fixing: bool,
    unsafe: bool,
    initial: list[Diagnostic],
    remaining: list[Diagnostic],
    root: Path,
    cwd: Path,
) -> str:
    """``--show-fixes``: what was fixed per file and rule (Ruff's enumeration), or without
    ``--fix`` each finding's available fix."""
    from acp_lint.diagnostics import Applicability
    from acp_lint.registry import BY_CODE

    if fixing:
        before = Counter((d.path, d.code) for d in initial)
        after = Counter((d.path, d.code) for d in remaining)
        fixed = {key: count - after[key] for key, count in before.items() if count > after[key]}
        if not fixed:
            return "\nNo errors fixed.\n"
        total = sum(fixed.values())
        lines = [f"\nFixed {total} {'error' if total == 1 else 'errors'}:"]
        for path in sorted({path for path, _ in fixed}):
            lines.append(f"- {_shown(root, cwd, path)}:")
            for (where, code), count in sorted(fixed.items()):
                if where == path:
                    lines.append(f"    {count} × {code} ({BY_CODE[code].name})")
        return "\n".join(lines) + "\n"
    from acp_lint.reporters.escape import printable

    available = [d for d in remaining if d.fix is not None]
    if not available:
        return "\nNo fixes available.\n"
    lines = ["\nFixes available:"]
    for diagnostic in available:
        kind = diagnostic.fix.applicability
        flag = "--fix" if kind is Applicability.SAFE or unsafe else "--fix --unsafe-fixes"
        lines.append(
            f"- {printable(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}: "
            f"{diagnostic.code} "
            f"({kind.value}, {flag}): {diagnostic.fix.message}"
        )
    return "\n".join(lines) + "\n"
