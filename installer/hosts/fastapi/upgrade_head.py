"""Find the project's scripts that run ``alembic upgrade head`` (one head).

The ACP revision is a second root (its own ``acp`` branch), so after an install Alembic has two
heads and ``upgrade head`` stops with "Multiple head revisions"; a deploy script written that way
(full-stack-fastapi-template's ``scripts/prestart.sh``) would fail. Read only: shell scripts,
Dockerfiles, Procfiles, Makefiles and YAML/TOML/INI files at the root and one folder down, a
bounded number of small files.
"""

from __future__ import annotations

import re
from pathlib import Path

from acp_lint.discovery import DEFAULT_EXCLUDES

ONE_HEAD = re.compile(rb"alembic\s+(?:-\S+\s+(?:\S+\s+)?)*upgrade\s+head\b(?!s)")
SUFFIXES = (".sh", ".bash", ".yml", ".yaml", ".toml", ".ini", ".cfg", ".json", ".mk")
NAMES = ("Dockerfile", "Procfile", "Makefile", "Justfile", "justfile")
MAX_FILES = 400
MAX_BYTES = 256 * 1024


def _candidates(root: Path) -> list[Path]:
    found: list[Path] = []
    folders = [root] + sorted(
        p
        for p in root.iterdir()
        if p.is_dir()
        and not p.is_symlink()
        and not p.name.startswith(".")
        and p.name not in DEFAULT_EXCLUDES
    )
    for folder in folders:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            if path.is_symlink() or not path.is_file():
                continue
            if path.suffix in SUFFIXES or path.name.startswith(NAMES):
                found.append(path)
            if len(found) >= MAX_FILES:
                return found
    return found


def scripts_upgrading_one_head(root: Path) -> list[str]:
    """Project-relative ``file:line`` of each ``alembic upgrade head`` found."""
    where: list[str] = []
    for path in _candidates(root):
        try:
            if path.stat().st_size > MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        for match in ONE_HEAD.finditer(data):
            line = data.count(b"\n", 0, match.start()) + 1
            where.append(f"{path.relative_to(root).as_posix()}:{line}")
    return where
