"""Class-based settings with the real django-configurations package (DESIGN §7).

A ``startproject`` host is converted the way django-configurations documents it: the settings
are attributes of ``class Dev(Configuration)`` and ``manage.py`` runs through
``configurations.management`` with ``DJANGO_CONFIGURATION=Dev``. Django (through
configurations) is the oracle: after ``echelon install``, ``manage.py check`` passes, "acp" is in
the effective ``INSTALLED_APPS`` once and the endpoint resolves to the ACP view; ``--verify``
asks the same Django; uninstall gives back every byte.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from installer_helpers import PYTHON, echelon, run, tree_hash

ENV = {"DJANGO_CONFIGURATION": "Dev", "PYTHONDONTWRITEBYTECODE": "1"}

PROBE = (
    "import sys, configurations\n"
    "configurations.setup()\n"
    "from django.conf import settings\n"
    "from django.urls import resolve, Resolver404\n"
    "print(settings.INSTALLED_APPS.count('acp'))\n"
    "try:\n    print(resolve(sys.argv[1])._func_path)\n"
    "except Resolver404:\n    print('404')\n"
)


def _to_configurations(project: Path) -> Path:
    """Move every setting of the startproject module into ``class Dev(Configuration)``."""
    settings = project / "mysite" / "settings.py"
    lines = settings.read_text().splitlines()
    imports = [line for line in lines if re.match(r"(from|import) ", line)]
    body = [
        "    " + line if line.strip() else ""
        for line in lines
        if not re.match(r"(from|import) ", line)
    ]
    header = [*imports, "", "from configurations import Configuration", "", ""]
    settings.write_text("\n".join([*header, "class Dev(Configuration):", *body]) + "\n")
    manage = project / "manage.py"
    text = manage.read_text()
    old = "from django.core.management import execute_from_command_line"
    assert old in text
    text = text.replace(old, "from configurations.management import execute_from_command_line")
    marker = "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')"
    assert marker in text
    text = text.replace(
        marker, marker + "\n    os.environ.setdefault('DJANGO_CONFIGURATION', 'Dev')"
    )
    manage.write_text(text)
    return settings


def _django(project: Path, path: str) -> tuple[int, str]:
    done = run(
        [PYTHON, "-c", PROBE, path], project, {**ENV, "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    )
    assert done.returncode == 0, done.stderr
    count, view = done.stdout.split()
    return int(count), view


def test_configurations_host_installs_checks_resolves_and_uninstalls(project: Path) -> None:
    settings = _to_configurations(project)
    assert "class Dev(Configuration):" in settings.read_text()
    check = run([PYTHON, "manage.py", "check"], project, ENV)
    assert check.returncode == 0, check.stdout + check.stderr
    assert _django(project, "/api/manage") == (0, "404")
    before = tree_hash(project)

    done = echelon("install", str(project), cwd=project, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\n        ['\"]acp['\"],\n", settings.read_text())
    check = run([PYTHON, "manage.py", "check"], project, ENV)
    assert check.returncode == 0, check.stdout + check.stderr
    assert _django(project, "/api/manage") == (1, "acp.views.manage")

    done = echelon("uninstall", str(project), cwd=project, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert tree_hash(project) == before


ENV_PREFIX_URLS = """import os

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path(os.environ.get("ADMIN_PREFIX", "admin/"), admin.site.urls),
]
"""


@pytest.mark.parametrize("surface", ["install", "routes"])
def test_verify_asks_django_through_configurations(project: Path, surface: str) -> None:
    """An env-dependent prefix makes the static table inconclusive, so ``--verify`` runs
    Django; on a configurations host plain ``django.setup()`` raises ImproperlyConfigured,
    so the probe must go through configurations (the class manage.py names)."""
    _to_configurations(project)
    (project / "mysite" / "urls.py").write_text(ENV_PREFIX_URLS)
    env = {"PYTHONDONTWRITEBYTECODE": "1"}  # the configuration comes from manage.py alone
    if surface == "install":
        done = echelon("install", "--dry-run", "--verify", str(project), cwd=project, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    else:
        echelon("install", str(project), cwd=project, env=env)
        args = ["-m", "acp_lint", "routes", "--verify", str(project)]
        done = run([PYTHON, *args], project, env)
    out = done.stdout + done.stderr
    assert "ImproperlyConfigured" not in out, out
    assert (
        "verified with Django: POST /api/manage and /api/manage/ are free under settings "
        "mysite.settings (configuration Dev)"
    ) in out, out
