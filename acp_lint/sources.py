"""Read-only access to a project's files: the disk, optionally overlaid with planned content.

Every reader in acp-lint (scope, URL graph, bindings, rules) goes through a ``SourceTree`` so
that the installer can lint a plan that exists only in memory. Paths are project-relative and
use ``/`` separators.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Protocol


class SourceTree(Protocol):
    """What a reader may ask of a project tree."""

    root: Path

    def read_bytes(self, rel: str) -> bytes | None:
        """The file's content, or None when it does not exist or cannot be read."""

    def read_problem(self, rel: str) -> str | None:
        """Why an existing path could not be read (None when it was read, or is missing)."""

    def is_file(self, rel: str) -> bool: ...

    def is_dir(self, rel: str) -> bool: ...

    def list_dir(self, rel: str) -> list[str]:
        """Sorted names (not paths) of the entries of a directory; [] when it does not exist."""


def normalise_rel(rel: str) -> str:
    """Canonical form of a project-relative path: POSIX, no ``./``, no trailing slash."""
    text = rel.replace(os.sep, "/")
    split = text.split("/")
    if "" not in split and "." not in split:
        return text  # already canonical (the common case), without building a path object
    parts = [part for part in PurePosixPath(text).parts if part not in ("", ".")]
    return "/".join(parts)


# No reader needs more: the URL graph reads big URLconfs with ``ast``; the engine applies its
# own, smaller caps before libcst and sqlglot (see ``acp_lint.protected``).
MAX_READ_BYTES = 16 * 1024 * 1024


class ReadProblem(Exception):
    """A path exists but is not read: not a regular file, too large, or unreadable."""


OUT_OF_REPOSITORY = "out of the repository"
INTO_GIT = "into .git/"
# Why a file is not read (``Boundary.problem``), reached through a link or named there itself.
LINKED_OUT = "a symbolic link to a file outside the repository; it is not read"
LINKED_INTO_GIT = "a symbolic link into .git/; nothing there is read"
NAMED_OUT = "outside the repository; it is not read"
NAMED_IN_GIT = "inside .git/; it is not read"
BOUNDARY_PROBLEMS = frozenset({LINKED_OUT, LINKED_INTO_GIT, NAMED_OUT, NAMED_IN_GIT})


class Boundary:
    """Where a project's reads may lead once every link is resolved: inside the git work tree
    that holds the project (else the project itself), and never into its ``.git``.

    A repository can commit a symbolic link: ``views.sql -> /proc/self/environ`` or
    ``-> .git/config`` (where CI checkouts keep their token) would otherwise be read, and the
    report quotes the lines it flags, in a CI log anyone may read."""

    def __init__(self, root: str) -> None:
        real = os.path.realpath(root)
        top = _work_tree_top(real) or real  # not in a work tree: the project is the boundary
        # compared with a separator after them, so that /repo-other is not inside /repo
        self.prefix = os.path.normcase(os.path.join(top, ""))
        self.git = os.path.normcase(os.path.join(top, ".git", ""))

    def holds(self, path: str) -> bool:
        """``path``, every link resolved, is inside the boundary and not in ``.git``."""
        return self.escape(os.path.realpath(path)) is None

    def problem(self, descriptor: int, path: Path | str) -> str | None:
        """Why the file open at ``descriptor`` (opened as ``path``) must not be read."""
        try:  # where the kernel says it opened the file: one call, links resolved
            real = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            real = os.path.realpath(path)
        escape = self.escape(real)
        if escape is None:
            return None
        lexical = os.path.abspath(path)
        folder = os.path.dirname(lexical)
        if not os.path.islink(lexical) and os.path.realpath(folder) == folder:
            # no link on the way: named there itself (a path given on the command line)
            return NAMED_IN_GIT if escape == INTO_GIT else NAMED_OUT
        return LINKED_INTO_GIT if escape == INTO_GIT else LINKED_OUT

    def escape(self, real: str) -> str | None:
        """Where the resolved path ``real`` leads out of bounds (``OUT_OF_REPOSITORY``,
        ``INTO_GIT``), or None."""
        real = os.path.normcase(os.path.join(real, ""))
        if not real.startswith(self.prefix):
            return OUT_OF_REPOSITORY
        if real.startswith(self.git):
            return INTO_GIT
        return None


def link_problem(path: str) -> str | None:
    """Why ``path``, as written (absolute, not resolved), must not be used: it lies inside a
    git work tree but a symbolic link on its way leads out of that work tree, or into its
    ``.git``. None otherwise, and for paths outside any work tree (the user's own choice).

    For paths a run takes from its command line or finds itself (the config file, ``-o``):
    a committed ``acp-lint.toml -> /`` moved the project's root out of the repository, and a
    committed ``report.json -> .git/hooks/post-checkout`` took ``-o report.json`` there."""
    lexical = os.path.abspath(path)
    top = _work_tree_top(os.path.dirname(lexical))
    if top is None:
        return None
    escape = repository_boundary(top).escape(os.path.realpath(lexical))
    return None if escape is None else f"a symbolic link on its way leads {escape}"


def refuse_links_out(path: str, what: str) -> None:
    """A UsageError (exit 2) naming ``what`` when ``link_problem`` has one for ``path``: a
    repository cannot redirect a command-line path, ``-o`` or ``routes PATH``."""
    problem = link_problem(path)
    if problem is not None:
        from acp_lint.errors import UsageError

        raise UsageError(f"acp-lint: {what}: {problem}; refusing to use it")


def _work_tree_top(directory: str) -> str | None:
    """The nearest of ``directory`` (absolute) and its parents that holds ``.git``, skipping
    linked directories (one may lead into another repository); None outside any work tree."""
    probe = directory
    while True:
        if not os.path.islink(probe) and os.path.lexists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def read_regular_file(
    path: Path | str, limit: int = MAX_READ_BYTES, within: Boundary | None = None
) -> bytes:
    """The content of a regular file of at most ``limit`` bytes (and, with ``within``, one
    that its links do not lead out of that boundary).

    Raises FileNotFoundError when nothing is there, ReadProblem with a one-line reason
    otherwise. A FIFO is opened non-blocking (so the open cannot hang) and never read; a
    symlink to a device or a loop is refused; the size is checked before reading and the read
    itself stops at ``limit + 1`` bytes, so a file growing meanwhile cannot exhaust memory.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ReadProblem(_os_reason(error)) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = _kind(info.st_mode)
            raise ReadProblem(f"not a regular file ({kind}); only regular files are read")
        if info.st_size > limit:
            raise ReadProblem(_too_large(info.st_size, limit))
        if within is not None and (problem := within.problem(descriptor, path)) is not None:
            raise ReadProblem(problem)
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise ReadProblem(_too_large(len(data), limit))
        return data
    except OSError as error:
        raise ReadProblem(_os_reason(error)) from None
    finally:
        os.close(descriptor)


def _too_large(size: int, limit: int) -> str:
    return f"too large to read ({size:,} bytes; the limit is {limit:,} bytes)"


def _os_reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "cannot read: a symbolic link loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    if error.errno == errno.EISDIR:
        return "cannot read: it is a directory"
    return f"cannot read: {error.strerror or error}"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "a special file"


# Every path a DiskTree of this process read, tested or listed, by root: a replayed run
# (``acp_lint.replay_store``) depends on them, wherever they are in the project.
_TOUCHED: dict[str, set[str]] = {}


def touched_paths(root: str) -> set[str]:
    """The project-relative paths the disk trees of ``root`` were asked about so far."""
    return set(_TOUCHED.get(root, ()))


_BOUNDARIES: dict[str, Boundary] = {}  # by root: one walk up per process


def repository_boundary(root: str) -> Boundary:
    """The ``Boundary`` of the project at ``root`` (made once per process)."""
    if root not in _BOUNDARIES:
        _BOUNDARIES[root] = Boundary(root)
    return _BOUNDARIES[root]


def read_in_repository(
    path: Path | str, root: Path | str, limit: int = MAX_READ_BYTES
) -> bytes | None:
    """``path``'s bytes, read as a project's file is: a regular file of at most ``limit``
    bytes whose links stay in the repository of the project at ``root``. None when it is
    absent or not read, for readers that treat both alike (``DiskTree`` also says why)."""
    try:
        return read_regular_file(path, limit, within=repository_boundary(str(root)))
    except (OSError, ReadProblem):
        return None


class DiskTree:
    """The project as it is on disk; only regular files are read (see ``read_regular_file``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root_text = str(root)
        self.problems: dict[str, str] = {}
        self._touched = _TOUCHED.setdefault(self._root_text, set())
        self._boundary: Boundary | None = None

    def _path(self, rel: str) -> str:
        normal = normalise_rel(rel)
        self._touched.add(normal)
        return f"{self._root_text}/{normal}" if normal else self._root_text

    def read_bytes(self, rel: str) -> bytes | None:
        if self._boundary is None:
            self._boundary = repository_boundary(self._root_text)
        try:
            return read_regular_file(self._path(rel), within=self._boundary)
        except FileNotFoundError:
            return None
        except ReadProblem as problem:
            self.problems[normalise_rel(rel)] = str(problem)
            return None
        except OSError:  # e.g. a path component that is a file (ENOTDIR): nothing is there
            return None

    def read_problem(self, rel: str) -> str | None:
        return self.problems.get(normalise_rel(rel))

    def is_file(self, rel: str) -> bool:
        return Path(self._path(rel)).is_file()

    def is_dir(self, rel: str) -> bool:
        return Path(self._path(rel)).is_dir()

    def list_dir(self, rel: str) -> list[str]:
        try:
            return sorted(entry.name for entry in os.scandir(self._path(rel)))
        except OSError:
            return []


class OverlayTree:
    """A tree whose files are taken from ``overlay`` first and from ``base`` otherwise.

    A value of ``None`` in the overlay hides a file of the base (a planned deletion).
    """

    def __init__(self, base: SourceTree, overlay: Mapping[str, bytes | None]) -> None:
        self.root = base.root
        self.base = base
        self.overlay = {normalise_rel(path): content for path, content in overlay.items()}

    def read_bytes(self, rel: str) -> bytes | None:
        key = normalise_rel(rel)
        if key in self.overlay:
            return self.overlay[key]
        return self.base.read_bytes(key)

    def read_problem(self, rel: str) -> str | None:
        key = normalise_rel(rel)
        return None if key in self.overlay else self.base.read_problem(key)

    def is_file(self, rel: str) -> bool:
        key = normalise_rel(rel)
        if key in self.overlay:
            return self.overlay[key] is not None
        return self.base.is_file(key)

    def _overlay_children(self, rel: str) -> dict[str, bool]:
        """Names directly under ``rel`` in the overlay, mapped to whether they exist."""
        prefix = f"{rel}/" if rel else ""
        children: dict[str, bool] = {}
        for path, content in self.overlay.items():
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :]
            name, _, deeper = rest.partition("/")
            if deeper:
                children[name] = True
            elif content is not None:
                children[name] = True
            else:
                children.setdefault(name, False)
        return children

    def is_dir(self, rel: str) -> bool:
        key = normalise_rel(rel)
        if self.base.is_dir(key):
            return True
        prefix = f"{key}/"
        return any(
            path.startswith(prefix) and content is not None
            for path, content in self.overlay.items()
        )

    def list_dir(self, rel: str) -> list[str]:
        key = normalise_rel(rel)
        names = set(self.base.list_dir(key))
        for name, exists in self._overlay_children(key).items():
            if exists:
                names.add(name)
            else:
                names.discard(name)
        return sorted(names)
