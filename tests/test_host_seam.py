"""The host seam: framework-neutral code reaches a host package only through the registry.

Every module of both packages is read with ``ast``; an import of ``acp_lint.hosts.<name>`` (or
``acp_installer.hosts.<name>``) is allowed only inside that host's own folders
(``acp_lint/hosts/<name>/``, ``installer/hosts/<name>/``). The registries
(``acp_lint/hosts/__init__.py``, ``installer/hosts/__init__.py``) name host modules as strings
and import them with ``importlib``, so they never appear here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path, PurePosixPath

from acp_lint.hosts import HOSTS, Host, host_for, load_host

REPO = Path(__file__).resolve().parent.parent
PACKAGES = {"acp_lint": REPO / "acp_lint", "acp_installer": REPO / "installer"}
# Host folders (and registered names): ``acp_lint.hosts.host_for`` is the registry, not a host.
HOST_NAMES = set(HOSTS) | {
    path.name
    for root in PACKAGES.values()
    if (root / "hosts").is_dir()
    for path in (root / "hosts").iterdir()
    if path.is_dir() and not path.name.startswith(("_", "."))
}


def _module_name(package: str, rel: PurePosixPath) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join((package, *parts))


def imported_modules(source: str, module: str, is_package: bool) -> list[str]:
    """Every module an ``import``/``from ... import`` names, relative imports resolved."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append(target)
            found.extend(f"{target}.{alias.name}" for alias in node.names)
    return found


def host_of(imported: str) -> str | None:
    """The host package an imported module belongs to, or None (neutral)."""
    for package in PACKAGES:
        prefix = f"{package}.hosts."
        if imported.startswith(prefix):
            name = imported[len(prefix) :].split(".")[0]
            return name if name in HOST_NAMES else None
    return None


def violations(source: str, module: str, is_package: bool) -> list[str]:
    """Host imports of ``module`` that bypass the registry."""
    own = None
    for package in PACKAGES:
        if module.startswith(f"{package}.hosts."):
            own = module[len(f"{package}.hosts.") :].split(".")[0]
    bad = []
    for imported in imported_modules(source, module, is_package):
        host = host_of(imported)
        if host is not None and host != own:
            bad.append(imported)
    return sorted(set(bad))


def _all_modules() -> list[tuple[str, Path]]:
    modules = []
    for package, root in PACKAGES.items():
        for path in sorted(root.rglob("*.py")):
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if "templates" in rel.parts:
                continue  # package data: the app the installer writes into a host
            modules.append((_module_name(package, rel), path))
    return modules


def test_neutral_code_imports_hosts_only_through_the_registry() -> None:
    found = {}
    for module, path in _all_modules():
        bad = violations(path.read_text(), module, path.name == "__init__.py")
        if bad:
            found[module] = bad
    assert found == {}


def test_the_check_catches_a_direct_and_a_relative_host_import() -> None:
    direct = "from acp_lint.hosts.django.urls.graph import build_route_table\n"
    assert violations(direct, "acp_lint.rules.routes", False) == [
        "acp_lint.hosts.django.urls.graph",
        "acp_lint.hosts.django.urls.graph.build_route_table",
    ]
    lazy = "def f():\n    import acp_installer.hosts.django.edits\n"
    assert violations(lazy, "acp_installer.plan", False) == ["acp_installer.hosts.django.edits"]
    relative = "from .django import verify\n"
    assert violations(relative, "acp_lint.hosts", True) == [
        "acp_lint.hosts.django",
        "acp_lint.hosts.django.verify",
    ]
    # inside the host's own folders, and the registry's names, are fine
    assert violations(direct, "acp_lint.hosts.django.verify", False) == []
    assert violations("from acp_lint.hosts import host_for\n", "acp_lint.project", False) == []


def test_every_registered_host_implements_the_protocol() -> None:
    for name in HOSTS:
        host = load_host(name)
        assert isinstance(host, Host), name
        assert host.name == name
    assert host_for(None).name == "django"


def test_importing_the_registry_loads_no_host() -> None:
    script = (
        "import sys\n"
        "import acp_lint.hosts, acp_lint.routes\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('acp_lint.hosts.'))\n"
        "assert loaded == [], loaded\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
