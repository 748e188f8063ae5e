"""The app a host ships, read as the installer merges it (``acp_installer.appfiles``): the
shared runtime (``installer/templates/acp``) plus the host's own modules. For tests that read,
import or copy the template without installing it; never a folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from acp_installer.appfiles import template_paths, template_roots


def template_files(host: str) -> dict[str, Path]:
    """Each file of ``host``'s app by its path in the app (``"auth.py"``) -> its template."""
    return template_paths(template_roots(host))


def copy_app(target: Path, host: str) -> None:
    """Write ``host``'s app into ``target`` (the ``acp/`` directory), as install would."""
    for rel, source in template_files(host).items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / rel)


def app_modules(host: str, package: str = "acp") -> set[str]:
    """The dotted names of the app's modules and subpackages (not ``package`` itself)."""
    names = set()
    for rel in template_files(host):
        if not rel.endswith(".py"):
            continue
        parts = list(PurePosixPath(rel.removesuffix(".py")).parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            names.add(".".join([package, *parts]))
    return names
