"""The programmatic entry to acp-lint: choose rules, lint, show, write.

The command line, the editor server and the installer's gate and doctor call these functions;
the engine underneath reads files only through the run's ``Project`` and writes nothing. What
reaches the disk goes through ``write_changes`` (one atomic writer, ``acp_lint.atomic``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from acp_lint.atomic import write_atomically
from acp_lint.cache import ResultCache
from acp_lint.config import Config
from acp_lint.diagnostics import Diagnostic
from acp_lint.engine import Linter, RunPart, RunResult
from acp_lint.progress import Progress
from acp_lint.project import Project
from acp_lint.registry import RULES

__all__ = ["RunResult", "display", "lint", "select_codes", "write_changes"]


def select_codes(
    config: Config,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> frozenset[str]:
    """Effective rule set: CLI ``--select`` replaces config ``select``; ignores add up."""
    chosen = set(select) if select is not None else None
    if chosen is None:
        chosen = set(config.select) if config.select is not None else {r.code for r in RULES}
    chosen |= set(config.extend_select) | set(extend_select)
    ignored = set(config.ignore) | set(ignore)
    chosen.add("ACP000")  # like a syntax error in Ruff: reported unless explicitly ignored
    return frozenset(chosen - ignored)


def lint(
    config: Config,
    codes: frozenset[str] | None = None,
    *,
    paths: list[str] | None = None,
    overlay: Mapping[str, bytes | None] | None = None,
    fix: bool = False,
    unsafe: bool = False,
    cache: ResultCache | None = None,
    project: Project | None = None,
    part: RunPart = "all",
    progress: Progress | None = None,
    build_fixes: bool = False,
) -> RunResult:
    """Lint ``paths`` (None: the whole project) with ``overlay`` as planned content on top of
    the disk; with ``fix``, fix to a fixed point in memory (``RunResult.changed``). Pass the
    run's ``project`` when the caller already built it: one model per run. Raises
    ``InternalError`` when a rule crashes."""
    linter = Linter(
        config,
        select_codes(config) if codes is None else codes,
        overlay,
        cache=cache,
        part=part,
        build_fixes=build_fixes,
        project=project,
        progress=progress,
    )
    return linter.run(paths, fix=fix, unsafe=unsafe)


def write_changes(root: Path, contents: Mapping[str, bytes]) -> None:
    """Write each project-relative file's new content, atomically, in path order.

    A file that is a symbolic link (inside the repository: one leading out is never read,
    so never fixed) is written where it leads, so the link stays a link; when several names
    lead to one file, the first in path order is written."""
    from acp_lint.sources import repository_boundary

    written: set[str] = set()
    for path, data in sorted(contents.items()):
        target = root / path
        real = os.path.realpath(target)
        if real in written:
            continue
        if target.is_symlink():
            if not repository_boundary(str(root)).holds(real):
                continue  # never read, so never fixed (see ``sources.Boundary``)
            target = Path(real)
        written.add(real)
        write_atomically(target, data)


def display(diagnostics: Iterable[Diagnostic], root: Path, cwd: Path) -> list[Diagnostic]:
    """Diagnostics with paths relative to the current directory, ``/`` separated."""
    shown = []
    relatives: dict[str, str] = {}  # one path computation per file, not per finding
    from_root = os.sep == "/" and cwd == root
    for diagnostic in diagnostics:
        path = diagnostic.path
        relative = relatives.get(path)
        if relative is None:
            if from_root and _plain_relative(path):
                relative = path  # what relpath answers, without its two abspaths
            else:
                relative = os.path.relpath(root / path, cwd).replace(os.sep, "/")
            relatives[path] = relative
        if relative == path:  # run from the root: the finding is shown where it is
            shown.append(diagnostic)
        else:
            shown.append(diagnostic.moved(diagnostic.span.in_file(relative)))
    return shown


def _plain_relative(path: str) -> bool:
    """A relative ``/``-separated path of plain names (no empty, ``.`` or ``..`` part): the
    one ``os.path.relpath`` gives back unchanged, relative to the folder it is in."""
    if not path or path.startswith("/"):
        return False
    parts = path.split("/")
    return "" not in parts and "." not in parts and ".." not in parts
