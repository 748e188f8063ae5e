"""Find the files a run looks at, cheaply, before anything is parsed.

Inside a git work tree the file list comes from ``git ls-files`` (tracked plus untracked, minus
ignored), which honours every ``.gitignore`` exactly as git does; elsewhere a directory walk
skips the default excludes. Paths are project-relative POSIX strings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from acp_lint.globs import matches
from acp_lint.listing import take
from acp_lint.records import record

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".acp-lint-cache",
    "site-packages",
    "build",
    "dist",
    ".eggs",
    "*.egg-info",
)
EXTENSIONS = (".py", ".sql", ".json")


@record
class Listed:
    """The files of a project, and which of them git grep reads from the work tree."""

    files: list[str]  # project-relative, sorted, filtered by extension and excludes
    # git's tag for each name is "H" (tracked, read from the work tree), or the names whose
    # tag is not: untracked, assume-unchanged or skip-worktree (git grep reads their index
    # blob), unmerged. None: listed by a walk, so nothing is known of what git grep read.
    not_grepped: frozenset[str] | None


def _git_files(root: Path, problems: list[str] | None) -> tuple[list[str], frozenset[str]] | None:
    """(files git would show under ``root``, those whose tag is not "H"), or None when
    ``root`` is not in a work tree."""
    output = take(str(root), problems)
    if output is None:
        return None
    names: set[str] = set()
    not_grepped: set[str] = set()
    for entry in output.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        name = entry[2:]  # after "<tag> "
        names.add(name)
        if not entry.startswith("H "):
            not_grepped.add(name)
    return sorted(names), frozenset(not_grepped)


def _walk(root: Path, excludes: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for directory, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(directory, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        dirnames[:] = sorted(
            name for name in dirnames if not matches(f"{rel_dir}/{name}".lstrip("/"), excludes)
        )
        for name in filenames:
            found.append(f"{rel_dir}/{name}".lstrip("/"))
    return sorted(found)


def discover(
    root: Path,
    excludes: tuple[str, ...],
    extensions: Iterable[str] = EXTENSIONS,
    problems: list[str] | None = None,
) -> list[str]:
    """Every candidate file of the project, project-relative, filtered by extension; what the
    user should hear about the listing (git hung) is appended to ``problems``."""
    return list_project(root, excludes, extensions, problems).files


def list_project(
    root: Path,
    excludes: tuple[str, ...],
    extensions: Iterable[str] = EXTENSIONS,
    problems: list[str] | None = None,
) -> Listed:
    """``discover``, with what git's tags say of each file (``Listed.not_grepped``)."""
    suffixes = tuple(extensions)
    listed = _git_files(root, problems)
    files, not_grepped = (_walk(root, excludes), None) if listed is None else listed
    # A tracked file deleted from the work tree is listed by git; reading it later gives None,
    # which the engine skips, so no stat per file here.
    kept = [name for name in files if name.endswith(suffixes) and not matches(name, excludes)]
    return Listed(kept, not_grepped)


def force_excluded(name: str, excludes: tuple[str, ...]) -> bool:
    """``--force-exclude``: a file named on the command line (as pre-commit passes them) is
    skipped when it, or a directory above it, matches an exclude."""
    return matches(name, excludes)
