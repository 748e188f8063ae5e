"""``.acp/install.lock``: one echelon run at a time per project, and no lock outlives its run.

The lock file holds ``<pid> <acp-created>`` and is held with ``flock``: the kernel releases
it when the process ends, however it ends. So a lock file whose ``flock`` can be taken was
left by a run that died (SIGKILL, power loss); it is taken over with a message, and the
interrupted transaction it may have left is rolled back (``journal.recover``) before anything
else happens. Where ``flock`` does not exist, a lock whose pid is not running is stale.

On release the lock file goes, and so does ``.acp/`` if a run of this transaction created it
(this run or the dead one it took over) and it is empty, so that a refused run leaves the tree
exactly as it found it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from acp_installer import journal
from acp_installer.errors import Refused, UsageError

from acp_lint.manifest import LOCK

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parse(text: str) -> tuple[int | None, bool]:
    parts = text.split()
    pid = int(parts[0]) if parts and parts[0].isdigit() else None
    return pid, len(parts) > 1 and parts[1] == "1"


def _check_acp_dir(directory: Path) -> None:
    if directory.is_symlink():
        raise UsageError(f"refusing to use {LOCK}: .acp is a symbolic link")
    if directory.exists() and not directory.is_dir():
        raise UsageError(".acp exists and is not a directory; echelon keeps its state there")


@contextmanager
def project_lock(
    root: Path, cleanup_empty: bool = False, notes: list[str] | None = None
) -> Iterator[None]:
    """Hold the lock; ``cleanup_empty`` also removes a pre-existing but now empty ``.acp/``.
    Messages about a taken-over lock or a rolled-back transaction are appended to ``notes``
    (and written to stderr)."""
    if not root.is_dir():
        raise UsageError(f"{root}: no such directory")
    lock = root / LOCK
    directory = lock.parent
    _check_acp_dir(directory)
    created_dir = not directory.exists()
    directory.mkdir(exist_ok=True)
    messages: list[str] = []
    try:
        fd, inherited = _acquire(lock, created_dir, messages)
    except BaseException:
        if created_dir:
            _remove_if_empty(directory)
        raise
    created_dir = created_dir or inherited
    try:
        if journal.pending(root):
            recovered, acp_created = journal.recover(root)
            messages += recovered
            created_dir = created_dir or acp_created
        for message in messages:
            sys.stderr.write(f"echelon: {message}\n")
        if notes is not None:
            notes.extend(messages)
        yield
    finally:
        lock.unlink(missing_ok=True)
        os.close(fd)
        if created_dir or cleanup_empty:
            _remove_if_empty(directory)


def _acquire(lock: Path, created_dir: bool, messages: list[str]) -> tuple[int, bool]:
    """Open and lock the lock file; returns its descriptor and whether the dead run it took
    over had created ``.acp/``."""
    for _ in range(10):
        if lock.is_symlink() or (lock.exists() and not lock.is_file()):
            raise UsageError(f"{LOCK} is not a regular file; echelon will not write through it")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            if not _try_lock(fd):
                owner = os.read(fd, 64).decode(errors="replace").split()
                raise Refused(
                    f"another echelon run holds {LOCK} (pid {owner[0] if owner else '?'})"
                )
            if os.fstat(fd).st_ino != os.stat(lock).st_ino:
                os.close(fd)  # released and removed while we waited: try the new file
                continue
        except FileNotFoundError:
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            raise
        previous = os.read(fd, 64).decode(errors="replace")
        pid, inherited = _parse(previous)
        if previous.strip():
            if fcntl is None and pid is not None and _pid_alive(pid):
                os.close(fd)
                raise Refused(f"another echelon run holds {LOCK} (pid {pid})")
            messages.append(
                f"took over the stale lock {LOCK} of pid {pid if pid is not None else '?'} "
                "(that run ended without releasing it)"
            )
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {1 if created_dir or inherited else 0}\n".encode())
        os.fsync(fd)
        return fd, inherited
    raise Refused(f"could not take {LOCK}: it keeps changing; is another echelon running?")


def _try_lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _remove_if_empty(directory: Path) -> None:
    try:
        directory.rmdir()
    except OSError:
        pass
