"""Where a Django project's ``manage.py`` is: the project's mark for detection.

Its own module, so that choosing the framework of a run (every run asks) does not import the
URL graph package (``urls/``) that reads settings and URLconfs.
"""

from __future__ import annotations

from acp_lint.sources import SourceTree

MANAGE_PY = "manage.py"


def find_manage_py(tree: SourceTree) -> list[str]:
    """``manage.py`` at the root, else in direct subdirectories (sorted)."""
    if tree.is_file(MANAGE_PY):
        return [MANAGE_PY]
    found = []
    for name in tree.list_dir(""):
        if name.startswith(".") or name in {"node_modules", "venv", ".venv", "__pycache__"}:
            continue
        candidate = f"{name}/{MANAGE_PY}"
        if tree.is_dir(name) and tree.is_file(candidate):
            found.append(candidate)
    return found
