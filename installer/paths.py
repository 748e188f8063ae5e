"""Safe access to the files the installer reads back and writes: inside the project, no links.

A symlinked ``urls.py`` that points outside the project would make an "edit of the host"
write somewhere else entirely; ``os.replace`` on a link would also silently turn it into a
regular file. So every path that will be written must be a plain path below the root.
"""

from __future__ import annotations

import os
from pathlib import Path

from acp_installer.errors import Refused


def target(root: Path, rel: str) -> Path:
    """``root / rel``, refused when it or a directory above it (below root) is a symlink."""
    path = root / rel
    current = root
    for part in Path(rel).parts:
        current = current / part
        if current.is_symlink():
            link = os.readlink(current)
            where = "outside the project" if not _inside(root, current) else "inside the project"
            raise Refused(
                f"refusing to write {rel}: {current.relative_to(root).as_posix()} is a symbolic "
                f"link to {link} ({where}); echelon only edits regular files"
            )
    return path


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def read(root: Path, rel: str) -> bytes | None:
    """The bytes of a file echelon may write, or None when it does not exist."""
    path = target(root, rel)
    if path.is_dir():
        raise Refused(f"refusing to write {rel}: it is a directory")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise Refused(f"cannot read {rel}: {error.strerror}") from None
