"""The one way acp-lint and echelon write a file: never half written, never through a link.

``write_atomically`` puts the new content in a new file next to the target (same directory, so
the rename is atomic), then renames it over the target: a reader sees the old bytes or the new
ones. ``durable`` adds the fsyncs the installer needs (the file before the rename, the directory
after it), which a fixed source file or a cache entry can do without. ``write_new`` is the
creating half, which the installer also uses on its own to stage a batch of files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def write_new(path: Path, data: bytes, mode: int | None = None, sync: bool = True) -> None:
    """Create ``path`` (never over an existing file or link) holding ``data``. ``sync=False``:
    the caller makes a batch of files durable at once with ``flush_to_disk`` (one ``sync``
    instead of one per file)."""
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        if sync or not hasattr(os, "sync"):
            os.fsync(handle.fileno())
    if mode is not None:
        os.chmod(path, mode)


def identity_of(path: Path) -> tuple[int, int] | None:
    """The inode and change time of the regular file ``path`` (None: absent, or not a regular
    file). Of a file this process created, it is what no author of a repository can know in
    advance: a checkout or a copy gives its file others. The results cache and echelon's
    journal sign their state with it, so that state shipped in a repository is never used."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_ctime_ns) if stat.S_ISREG(info.st_mode) else None


def write_atomically(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    staging: Path | None = None,
    durable: bool = False,
) -> None:
    """Replace ``path``'s content with ``data`` in one rename.

    ``mode``: the permission bits of the result; None keeps those of the file replaced (a new
    file gets the umask's). ``staging``: the temporary file's name, when the caller must be
    able to find it after a crash (the installer's journal cleans its own up); else a fresh
    hidden name. The temporary file never outlives a failed write."""
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = None
    if staging is None:
        staging = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    else:
        staging.unlink(missing_ok=True)
    try:
        write_new(staging, data, mode, sync=durable)
        os.replace(staging, path)
    except BaseException:
        try:
            staging.unlink(missing_ok=True)
        except OSError:
            pass
        raise
    if durable:
        fsync_directory(path.parent)


def flush_to_disk() -> None:
    """Make every file written with ``write_new(sync=False)`` durable."""
    if hasattr(os, "sync"):
        os.sync()


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (where the platform allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
