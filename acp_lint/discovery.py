"""Find the files a run looks at, cheaply, before anything is parsed.

Inside a git work tree the file list comes from ``git ls-files`` (tracked plus untracked, minus
ignored), which honours every ``.gitignore`` exactly as git does; elsewhere a directory walk
skips the default excludes. Paths are project-relative POSIX strings.
"""

from __future__ import annotations

import os
import select
import subprocess
from collections.abc import Iterable
from pathlib import Path

from acp_lint.globs import matches

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


GIT_LS_FILES = ("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
GIT_TIMEOUT = 60


class _Listing:
    """One running ``git ls-files``. Its output goes to an in-memory file where there is one
    (Linux): a listing is larger than a pipe's buffer, and git must not wait for this process
    to read it while it is still importing the engine."""

    def __init__(self, root: Path) -> None:
        self.file: int | None = None
        if hasattr(os, "memfd_create"):
            self.file = os.memfd_create("acp-lint-ls-files", os.MFD_CLOEXEC)
        output = subprocess.PIPE if self.file is None else self.file
        try:
            self.process = subprocess.Popen(
                GIT_LS_FILES, cwd=root, stdout=output, stderr=subprocess.DEVNULL
            )
        except OSError:
            self._close()
            raise

    def collect(self) -> bytes | None:
        """git's output, or None when it failed or took longer than ``GIT_TIMEOUT``."""
        try:
            if self.file is None:
                piped, _ = self.process.communicate(timeout=GIT_TIMEOUT)
            else:
                piped = None
                exited_within(self.process, GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.discard()
            return None
        try:
            if self.process.returncode != 0:
                return None
            if self.file is None:
                return piped
            os.lseek(self.file, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(self.file, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            self._close()

    def discard(self) -> None:
        self.process.kill()
        self.process.communicate()
        self._close()

    def _close(self) -> None:
        if self.file is not None:
            os.close(self.file)
            self.file = None


def exited_within(process: subprocess.Popen[bytes], timeout: float) -> None:
    """``process.wait(timeout)``, woken by the exit itself where Linux offers a pidfd.

    ``Popen.wait`` with a timeout polls, sleeping 0.5, 1, 2, 4, 8, 16... ms in turn: a git
    that ends 8 ms into the wait is reaped at 15.5 ms. A pidfd becomes readable when the
    process exits, so ``select`` returns then. Raises ``subprocess.TimeoutExpired``."""
    try:
        pidfd = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # not Linux 5.3+, or a kernel that refuses it
        process.wait(timeout)
        return
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if not ready:
        raise subprocess.TimeoutExpired(process.args, timeout)
    process.wait()  # it has exited: reaped at once


# ``git ls-files`` started early (``prefetch``) for a root, not collected yet
_started: dict[str, _Listing] = {}


def prefetch(root: Path) -> None:
    """Start listing ``root`` now, so that git walks the tree while this process imports the
    engine; ``_git_files`` collects it. For runs certain to list the tree (a directory target):
    the result is the same as listing later, only sooner."""
    if str(root) in _started:
        return
    try:
        _started[str(root)] = _Listing(root)
    except OSError:
        return  # listed the ordinary way later, with the same error handling


def discard_prefetched() -> None:
    """Stop and reap listings nobody collected (the run ended early)."""
    while _started:
        _started.popitem()[1].discard()


def _git_files(root: Path) -> list[str] | None:
    """Files git would show under ``root`` (None when ``root`` is not in a work tree)."""
    try:
        listing = _started.pop(str(root), None) or _Listing(root)
    except OSError:
        return None
    output = listing.collect()
    if output is None:
        return None
    names = output.decode("utf-8", "surrogateescape").split("\0")
    return sorted({name for name in names if name})


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
    root: Path, excludes: tuple[str, ...], extensions: Iterable[str] = EXTENSIONS
) -> list[str]:
    """Every candidate file of the project, project-relative, filtered by extension."""
    suffixes = tuple(extensions)
    files = _git_files(root)
    if files is None:
        files = _walk(root, excludes)
    # A tracked file deleted from the work tree is listed by git; reading it later gives None,
    # which the engine skips, so no stat per file here.
    return [name for name in files if name.endswith(suffixes) and not matches(name, excludes)]


def force_excluded(name: str, excludes: tuple[str, ...]) -> bool:
    """``--force-exclude``: a file named on the command line (as pre-commit passes them) is
    skipped when it, or a directory above it, matches an exclude."""
    return matches(name, excludes)
