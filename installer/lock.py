"""``.acp/install.lock``: one echelon run at a time per project.

Created with O_CREAT|O_EXCL (atomic on every local filesystem); it holds the pid of its
owner. On release the lock file goes, and so does ``.acp/`` if this run created it and left
it empty, so that a refused run leaves the tree exactly as it found it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from acp_installer.errors import Refused
from acp_installer.manifest import LOCK


@contextmanager
def project_lock(root: Path, cleanup_empty: bool = False) -> Iterator[None]:
    """Hold the lock; ``cleanup_empty`` also removes a pre-existing but now empty ``.acp/``."""
    lock = root / LOCK
    directory = lock.parent
    created_dir = not directory.exists()
    if directory.is_symlink():
        raise Refused(f"refusing to use {LOCK}: .acp is a symbolic link")
    directory.mkdir(exist_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        if created_dir:
            _remove_if_empty(directory)
        owner = lock.read_text(errors="replace").strip() if lock.exists() else "?"
        raise Refused(
            f"another echelon run holds {LOCK} (pid {owner or '?'}); if none is running, "
            "remove that file"
        ) from None
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
    finally:
        os.close(fd)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        if created_dir or cleanup_empty:
            _remove_if_empty(directory)


def _remove_if_empty(directory: Path) -> None:
    try:
        directory.rmdir()
    except OSError:
        pass
