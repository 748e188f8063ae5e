"""Safe access to the files the installer reads back and writes: inside the project, no links.

A symlinked ``urls.py`` that points outside the project would make an "edit of the host"
write somewhere else entirely; ``os.replace`` on a link would also silently turn it into a
regular file. So every path that will be written must be a plain path below the root.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from acp_installer.errors import Refused, UsageError


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
    """The bytes of a file echelon may write, or None when it does not exist. Read as
    acp-lint reads a project's files (``read_regular_file``): a FIFO in its place is refused
    at once instead of blocking, a device or a file over 16 MiB is never read whole."""
    path = target(root, rel)
    if path.is_dir():
        raise Refused(f"refusing to write {rel}: it is a directory")
    return read_existing(path, rel)


def read_existing(path: Path, rel: str) -> bytes | None:
    """``path``'s bytes (named ``rel`` in messages), None when nothing is there; Refused when
    it is not a regular file echelon can read."""
    from acp_lint.sources import ReadProblem, read_regular_file

    try:
        return read_regular_file(path)
    except FileNotFoundError:
        return None
    except ReadProblem as problem:
        raise Refused(f"cannot read {rel}: {problem}") from None
    except OSError as error:
        raise Refused(f"cannot read {rel}: {error.strerror}") from None


def contained(root: Path, rel: str, source: str) -> str:
    """``rel`` as read from ``source`` (manifest, config, journal): a relative POSIX path that
    stays inside the project after every link is resolved, and never inside ``.git/``.
    Anything else is a usage error (exit 2), raised before any change is made."""
    problem = _containment_problem(root, rel)
    if problem is not None:
        raise UsageError(f"{source} names {rel!r}, {problem}; refusing to touch it")
    return rel


def _containment_problem(root: Path, rel: object) -> str | None:
    if not isinstance(rel, str) or not rel.strip():
        return "which is not a path"
    if "\x00" in rel or "\\" in rel or PureWindowsPath(rel).drive:
        return "which is not a plain relative POSIX path"
    posix = PurePosixPath(rel)
    if posix.is_absolute():
        return "an absolute path (paths are relative to the project root)"
    if any(part in ("..", ".") for part in rel.split("/")) or "//" in rel or rel.endswith("/"):
        return "which is not a normalised path inside the project"
    if ".git" in posix.parts:
        return "which is inside .git/"
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(root / rel))
    try:
        inside = real.relative_to(real_root)
    except ValueError:
        return "which resolves outside the project"
    if ".git" in inside.parts:
        return "which resolves inside .git/"
    return None
