"""Host URLconf edits that linters accept and that Django really serves (DESIGN §7).

netbox imports ``include`` from ``django.conf.urls``; some hosts have an ``include`` of their
own; some assign ``urlpatterns`` twice. After an install, ``ruff check --select F`` reports
nothing new on the edited files, and Django resolves the endpoint to the ACP view.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from installer_helpers import PYTHON, echelon, run

RUFF = shutil.which("ruff") or str(Path(PYTHON).with_name("ruff"))


def _ruff_f(project: Path, files: list[str]) -> set[str]:
    done = run(
        [
            RUFF,
            "check",
            "--select",
            "F",
            "--output-format",
            "concise",
            "--no-cache",
            "--isolated",
            *files,
        ],
        project,
    )
    return {line.split(": ", 1)[1] for line in done.stdout.splitlines() if ": F" in line}


def _resolves(project: Path, path: str) -> str:
    code = (
        "import django, sys; django.setup(); from django.urls import resolve, Resolver404\n"
        "try:\n    print(resolve(sys.argv[1])._func_path)\n"
        "except Resolver404:\n    print('404')\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "mysite.settings"}
    done = run([PYTHON, "-B", "-c", code, path], project, env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


CONF_URLS_INCLUDE = (
    "from django.conf.urls import include\nfrom django.contrib import admin\n"
    "from django.urls import path\n\n"
    "urlpatterns = [\n    path('admin/', admin.site.urls),\n"
    "    path('docs/', include('django.contrib.admindocs.urls')),\n]\n"
)
OWN_INCLUDE = (
    "from django.contrib import admin\nfrom django.urls import path\n\n\n"
    "def include(name):\n    '''The host's own helper: not Django's.'''\n    return name\n\n\n"
    "urlpatterns = [\n    path('admin/', admin.site.urls),\n]\n"
    "assert include('x') == 'x'\n"
)
TWICE = (
    "from django.contrib import admin\nfrom django.urls import path\n\n"
    "urlpatterns = [\n    path('old-admin/', admin.site.urls),\n]\n\n"
    "urlpatterns = [\n    path('admin/', admin.site.urls),\n]\n"
)


@pytest.mark.parametrize(
    "urls", [CONF_URLS_INCLUDE, OWN_INCLUDE, TWICE], ids=["conf-urls", "own-include", "twice"]
)
def test_edits_are_lint_clean_and_served(project: Path, urls: str) -> None:
    urls_py = project / "mysite" / "urls.py"
    urls_py.write_text(urls)
    edited = ["mysite/urls.py", "mysite/settings.py"]
    before = _ruff_f(project, edited)
    done = echelon("install", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _ruff_f(project, edited) <= before
    assert _resolves(project, "/api/manage") == "acp.views.manage"
    assert run([PYTHON, "-B", "manage.py", "check"], project).returncode == 0
    text = urls_py.read_text()
    if urls is CONF_URLS_INCLUDE:
        assert "from django.urls import include" not in text
    if urls is OWN_INCLUDE:
        assert "def include(name)" in text and "acp_include('acp.urls')" in text
    done = echelon("uninstall", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert urls_py.read_text() == urls


def test_urlpatterns_rebuilt_by_a_call_gets_the_mount_after_it(project: Path) -> None:
    """A later ``urlpatterns`` that is not a list (rebuilt by a call): the mount cannot go into
    a list Django uses, so it is prepended by a last statement of its own; Django serves it,
    and uninstall gives the file back byte for byte. (It was refused.)"""
    urls_py = project / "mysite" / "urls.py"
    urls = (
        "from django.contrib import admin\nfrom django.urls import path\n\n"
        "urlpatterns = [\n    path('admin/', admin.site.urls),\n]\n"
        "urlpatterns = list(reversed(urlpatterns))\n"
    )
    urls_py.write_text(urls)
    done = echelon("install", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert urls_py.read_text().endswith(
        "\nurlpatterns = [path('api/', include('acp.urls')), *urlpatterns]\n"
    )
    assert _resolves(project, "/api/manage") == "acp.views.manage"
    assert _resolves(project, "/admin/") is not None
    assert run([PYTHON, "-B", "manage.py", "check"], project).returncode == 0
    done = echelon("uninstall", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert urls_py.read_text() == urls


def test_git_ignored_bookkeeping_is_warned(project: Path) -> None:
    """saleor's .gitignore ignores ``.*``: .acp/manifest.json would never be committed."""
    assert run(["git", "init", "-q", "."], project).returncode == 0
    (project / ".gitignore").write_text(".*\n!.gitignore\n")
    done = echelon("install", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning: git ignores .acp/manifest.json" in done.stdout
    done = echelon("doctor", str(project), cwd=project, env={"ACP_ENABLED": "false"})
    assert "FAIL git" in done.stdout and ".acp/manifest.json" in done.stdout
    (project / ".gitignore").write_text("*.pyc\n")
    done = echelon("doctor", str(project), cwd=project, env={"ACP_ENABLED": "false"})
    assert "ok   git" in done.stdout


def test_a_git_that_blocks_on_a_fifo_is_not_waited_for(tmp_path: Path) -> None:
    """The check runs git in the host; a FIFO in place of ``.git/config`` (an unpacked tree
    can hold one) blocks git until something writes to it."""
    import os
    import time

    from acp_installer.gitignore import ignored

    assert run(["git", "init", "-q", "."], tmp_path).returncode == 0
    (tmp_path / ".gitignore").write_text(".*\n")
    assert ignored(tmp_path) == [".acp/manifest.json"]
    (tmp_path / ".git" / "config").unlink()
    os.mkfifo(tmp_path / ".git" / "config")
    began = time.monotonic()
    assert ignored(tmp_path) == []
    assert time.monotonic() - began < 5  # git's own timeout here was 10 s
