"""Write a set of file changes atomically: stage everything, then rename into place.

Every new content is first written to a temporary file next to its target (same directory,
so ``os.replace`` is an atomic rename). Only then are the targets replaced, one by one. If
anything fails - a disk error, an interrupt, or the test hook - every replaced file gets its
old bytes back, every created file and directory is removed, and every temporary file is
deleted: the project is byte-identical to before.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from acp_installer import paths

FAIL_AFTER_ENV = "ACP_INSTALL_FAIL_AFTER"
_TMP_SUFFIX = ".echelon-tmp"


class InjectedFault(RuntimeError):
    """Raised by the fault-injection hook (tests only)."""


class ApplyError(Exception):
    """Writing failed and was rolled back; the message says what failed."""


@dataclass(frozen=True)
class Write:
    rel: str
    content: bytes | None  # None deletes the file


def fail_after_from_env() -> int | None:
    """``ACP_INSTALL_FAIL_AFTER=N``: fail after N files were moved into place (tests)."""
    raw = os.environ.get(FAIL_AFTER_ENV, "").strip()
    return int(raw) if raw.isdigit() else None


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}{_TMP_SUFFIX}")


def _write_file(path: Path, data: bytes, mode: int | None) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if mode is not None:
        os.chmod(path, mode)


def apply_writes(root: Path, writes: Sequence[Write], fail_after: int | None = None) -> None:
    """Apply ``writes`` in order, all or nothing. ``fail_after`` is the test hook: raise
    after that many targets were replaced (0 = before the first, len = after the last)."""
    created_dirs: list[Path] = []
    staged: dict[str, Path] = {}
    originals: dict[str, tuple[bytes | None, int | None]] = {}
    done: list[str] = []
    try:
        for write in writes:
            target = paths.target(root, write.rel)
            if target.exists():
                originals[write.rel] = (target.read_bytes(), target.stat().st_mode & 0o7777)
            else:
                originals[write.rel] = (None, None)
            if write.content is None:
                continue
            for parent in reversed(target.relative_to(root).parents):
                directory = root / parent
                if not directory.exists():
                    directory.mkdir()
                    created_dirs.append(directory)
            temporary = _temporary(target)
            temporary.unlink(missing_ok=True)
            staged[write.rel] = temporary
            _write_file(temporary, write.content, originals[write.rel][1])
        for write in writes:
            if fail_after is not None and len(done) == fail_after:
                raise InjectedFault(f"injected failure after {fail_after} file(s)")
            target = root / write.rel
            done.append(write.rel)
            if write.content is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(staged.pop(write.rel), target)
        if fail_after is not None and len(done) == fail_after:
            raise InjectedFault(f"injected failure after {fail_after} file(s)")
    except BaseException as error:
        problems = _rollback(root, done, originals, staged, created_dirs)
        detail = f"{type(error).__name__}: {error}"
        if problems:
            raise ApplyError(
                f"writing failed ({detail}) and the rollback could not restore: "
                + ", ".join(problems)
            ) from error
        raise ApplyError(f"writing failed ({detail}); every change was rolled back") from error


def _rollback(
    root: Path,
    done: list[str],
    originals: dict[str, tuple[bytes | None, int | None]],
    staged: dict[str, Path],
    created_dirs: list[Path],
) -> list[str]:
    problems: list[str] = []
    for rel in reversed(done):
        content, mode = originals[rel]
        target = root / rel
        try:
            if content is None:
                target.unlink(missing_ok=True)
            else:
                temporary = _temporary(target)
                temporary.unlink(missing_ok=True)
                _write_file(temporary, content, mode)
                os.replace(temporary, target)
        except OSError as error:
            problems.append(f"{rel} ({error.strerror})")
    for temporary in staged.values():
        try:
            temporary.unlink(missing_ok=True)
        except OSError as error:
            problems.append(f"{temporary.name} ({error.strerror})")
    for directory in reversed(created_dirs):
        try:
            directory.rmdir()
        except OSError as error:
            problems.append(f"{directory.relative_to(root).as_posix()}/ ({error.strerror})")
    return problems
