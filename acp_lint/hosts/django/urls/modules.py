"""Dotted module names to project files, through a ``SourceTree`` only.

A module ``a.b`` is ``a/b.py`` or ``a/b/__init__.py`` under the source directory (the one that
holds ``manage.py``, else the project root); the project root is tried second so that a
``src/`` layout with a root-level package still resolves.
"""

from __future__ import annotations

from acp_lint.records import record
from acp_lint.sources import SourceTree


@record(frozen=True)
class ModuleFile:
    """Where a dotted module lives and whether it is a package's ``__init__``."""

    dotted: str
    file: str
    is_package: bool


def _join(base: str, rel: str) -> str:
    return f"{base}/{rel}" if base else rel


class ModuleLocator:
    """Resolve dotted names to files below a list of source directories (first wins)."""

    def __init__(self, tree: SourceTree, bases: list[str]) -> None:
        self.tree = tree
        self.bases: list[str] = []
        for base in bases:
            if base not in self.bases:
                self.bases.append(base)
        self._cache: dict[str, ModuleFile | None] = {}

    def find(self, dotted: str) -> ModuleFile | None:
        """The file of ``dotted``, or None when it is not part of the project."""
        if dotted in self._cache:
            return self._cache[dotted]
        found: ModuleFile | None = None
        names = dotted.split(".")
        if dotted and all(name.isidentifier() for name in names):
            rel = "/".join(names)
            for base in self.bases:
                module_file = _join(base, rel + ".py")
                if self.tree.is_file(module_file):
                    found = ModuleFile(dotted, module_file, False)
                    break
                package_file = _join(base, rel + "/__init__.py")
                if self.tree.is_file(package_file):
                    found = ModuleFile(dotted, package_file, True)
                    break
        self._cache[dotted] = found
        return found

    def is_package_dir(self, dotted: str) -> bool:
        """A namespace package (a directory without ``__init__``) still holds modules."""
        rel = dotted.replace(".", "/")
        return any(self.tree.is_dir(_join(base, rel)) for base in self.bases)


def resolve_relative(current: str, is_package: bool, level: int, module: str | None) -> str | None:
    """The absolute name of ``from <level dots><module> import ...`` inside ``current``."""
    if level == 0:
        return module
    package_parts = current.split(".") if is_package else current.split(".")[:-1]
    if level - 1 > len(package_parts):
        return None
    base = package_parts[: len(package_parts) - (level - 1)]
    if module:
        base = [*base, *module.split(".")]
    return ".".join(base) if base else None
