"""Read-only access to a project's files: the disk, optionally overlaid with planned content.

Every reader in acp-lint (scope, URL graph, bindings, rules) goes through a ``SourceTree`` so
that the installer can lint a plan that exists only in memory. Paths are project-relative and
use ``/`` separators.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Protocol


class SourceTree(Protocol):
    """What a reader may ask of a project tree."""

    root: Path

    def read_bytes(self, rel: str) -> bytes | None:
        """The file's content, or None when it does not exist or cannot be read."""

    def is_file(self, rel: str) -> bool: ...

    def is_dir(self, rel: str) -> bool: ...

    def list_dir(self, rel: str) -> list[str]:
        """Sorted names (not paths) of the entries of a directory; [] when it does not exist."""


def normalise_rel(rel: str) -> str:
    """Canonical form of a project-relative path: POSIX, no ``./``, no trailing slash."""
    text = rel.replace(os.sep, "/")
    parts = [part for part in PurePosixPath(text).parts if part not in ("", ".")]
    return "/".join(parts)


class DiskTree:
    """The project as it is on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, rel: str) -> Path:
        return self.root / normalise_rel(rel) if normalise_rel(rel) else self.root

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            return self._path(rel).read_bytes()
        except OSError:
            return None

    def is_file(self, rel: str) -> bool:
        return self._path(rel).is_file()

    def is_dir(self, rel: str) -> bool:
        return self._path(rel).is_dir()

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
