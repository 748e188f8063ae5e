"""Helpers of the installer tests: real startproject layouts, subprocess runners, tree hashes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

TIMEOUT = 120
PYTHON = sys.executable


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: int | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ACP_")}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env.update(env or {})
    return subprocess.run(
        args,
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL if stdin is None else stdin,
    )


def echelon(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return run([PYTHON, "-m", "acp_installer.cli", *args], cwd, env)


def tree_hash(root: Path, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file (and symlink, by its target) under root -> sha256; directories too."""
    result: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        dirnames[:] = [d for d in dirnames if d not in ignore]
        for name in dirnames:
            result[f"{rel_dir}/{name}/"] = "dir"
        for name in filenames:
            if name in ignore:
                continue
            path = Path(dirpath) / name
            rel = f"{rel_dir}/{name}"
            if path.is_symlink():
                result[rel] = "link:" + os.readlink(path)
            elif not path.is_file():  # a FIFO (hostile trees): opening it would block
                result[rel] = "special"
            else:
                result[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def _startproject(name: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [PYTHON, "-m", "django", "startproject", name, str(target)],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
    )


def _default(base: Path) -> Path:
    _startproject("mysite", base)
    return base


def _config_package(base: Path) -> Path:
    """config/settings/{__init__,base,dev}.py, dev doing ``from .base import *``."""
    _startproject("config", base)
    settings = base / "config" / "settings.py"
    package = base / "config" / "settings"
    package.mkdir()
    text = settings.read_text().replace(
        "Path(__file__).resolve().parent.parent", "Path(__file__).resolve().parent.parent.parent"
    )
    (package / "base.py").write_text(text)
    settings.unlink()
    (package / "__init__.py").write_text("")
    (package / "dev.py").write_text(
        '"""Development settings."""\nfrom .base import *  # noqa\n\nDEBUG = True\n'
    )
    for name in ("manage.py", "config/wsgi.py", "config/asgi.py"):
        path = base / name
        path.write_text(path.read_text().replace("'config.settings'", "'config.settings.dev'"))
    return base


def _src_layout(base: Path) -> Path:
    """manage.py under src/, a pyproject.toml at the repository root."""
    _startproject("mysite", base / "src")
    (base / "pyproject.toml").write_text('[project]\nname = "host"\nversion = "0"\n')
    return base


ODD_URLS = '''"""URL configuration for mysite project.

The `urlpatterns` list routes URLs to views. For more information please see:
    https://docs.djangoproject.com/en/5.2/topics/http/urls/
"""
from django.contrib import admin
from django.urls import (
    path,
)

urlpatterns: list = [
    path("admin/", admin.site.urls),  # the admin
]
'''


def _odd_urls(base: Path) -> Path:
    """Parenthesised multi-line import, annotated urlpatterns, CRLF line endings."""
    _startproject("mysite", base)
    (base / "mysite" / "urls.py").write_bytes(ODD_URLS.replace("\n", "\r\n").encode())
    return base


LAYOUTS = {
    "default": (_default, "mysite.settings", "mysite/urls.py"),
    "config-package": (_config_package, "config.settings.dev", "config/urls.py"),
    "src": (_src_layout, "mysite.settings", "src/mysite/urls.py"),
    "odd-urls": (_odd_urls, "mysite.settings", "mysite/urls.py"),
}
