"""Static first, Django second: `echelon install` and `acp-lint routes --verify` ask the host's
own Django (a subprocess of its interpreter) when the static route table is inconclusive.

Hosts are real ``startproject`` projects whose routes come from a settings value, an
environment-dependent prefix and a third-party-style catch-all include; Django is the oracle.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from installer_helpers import PYTHON, echelon, run, tree_hash

SHOP_VIEWS = (
    "from django.http import HttpResponse\n\n\n"
    "def manage(request):\n    return HttpResponse('shop')\n"
)
SHOP_URLS = (
    "from django.urls import path\n\nfrom . import views\n\n"
    "urlpatterns = [path('manage', views.manage)]\n"
)
# A catch-all whose patterns are built at import time by a function the static reader cannot
# evaluate, as CMS-style third-party apps do.
CMS_VIEWS = (
    "from django.http import HttpResponse\n\n\n"
    "def page(request, slug):\n    return HttpResponse(slug)\n"
)
CMS_URLS = (
    "from django.urls import re_path\n\nfrom . import views\n\n\n"
    "def build():\n    return [re_path(''.join(['^(?P<slug>', '.+', ')$']), views.page)]\n\n\n"
    "urlpatterns = build()\n"
)


def _package(root: Path, name: str, files: dict[str, str]) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    for rel, text in files.items():
        (root / name / rel).write_text(text)


def _host(project: Path, urls: str, settings_tail: str = "") -> Path:
    _package(project, "shop", {"views.py": SHOP_VIEWS, "urls.py": SHOP_URLS})
    _package(project, "cms", {"views.py": CMS_VIEWS, "urls.py": CMS_URLS})
    (project / "mysite" / "urls.py").write_text(urls)
    if settings_tail:
        settings = project / "mysite" / "settings.py"
        settings.write_text(settings.read_text() + settings_tail)
    return project


SETTINGS_PREFIX = (
    "from django.conf import settings\nfrom django.contrib import admin\n"
    "from django.urls import include, path\n\n"
    "urlpatterns = [\n    path('admin/', admin.site.urls),\n"
    "    path(settings.SHOP_PREFIX, include('shop.urls')),\n]\n"
)
ENV_PREFIX = (
    "import os\n\nfrom django.contrib import admin\nfrom django.urls import include, path\n\n"
    "PREFIX = os.environ.get('SHOP_PREFIX', 'shop/')\n\n"
    "urlpatterns = [\n    path('admin/', admin.site.urls),\n"
    "    path(PREFIX, include('shop.urls')),\n]\n"
)
CATCH_ALL = (
    "from django.contrib import admin\nfrom django.urls import include, path\n\n"
    "urlpatterns = [\n    path('admin/', admin.site.urls),\n    path('', include('cms.urls')),\n]\n"
)


def _django_resolves(project: Path, path: str) -> str:
    """What the host's Django dispatches ``path`` to (the oracle), or 404."""
    code = (
        "import django, sys; django.setup(); from django.urls import resolve, Resolver404\n"
        "try:\n    print(resolve(sys.argv[1])._func_path)\n"
        "except Resolver404:\n    print('404')\n"
    )
    # No bytecode: the host's tree is compared before and after (``tree_hash``).
    env = {"DJANGO_SETTINGS_MODULE": "mysite.settings", "PYTHONDONTWRITEBYTECODE": "1"}
    done = run([PYTHON, "-c", code, path], project, env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _dynamic_setting(value: str) -> str:
    """A settings value the static reader cannot know (it depends on the environment)."""
    return f"\nimport os\n\nSHOP_PREFIX = os.environ.get('SHOP_API_PREFIX') or {value!r}\n"


def test_settings_value_prefix_served_is_acp201_naming_the_view(project: Path) -> None:
    host = _host(project, SETTINGS_PREFIX, _dynamic_setting("api/"))
    before = tree_hash(host)
    done = echelon("install", str(host), cwd=host)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ACP201" in done.stdout and "shop.views.manage" in done.stdout
    assert "mysite.settings" in done.stdout
    # Reported where the file on disk has the unresolved route (line 7), not a planned line.
    assert "mysite/urls.py:7:" in done.stdout
    assert "ACP204" not in done.stdout
    assert "free base paths: /api/acp" in done.stderr
    assert tree_hash(host) == before
    assert _django_resolves(host, "/api/manage") == "shop.views.manage"
    # The printed way forward works: the suggested base path installs, Django agrees.
    done = echelon("install", "--base-path", "/api/acp", str(host), cwd=host)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified with Django" in done.stdout and "mysite.settings" in done.stdout
    assert _django_resolves(host, "/api/acp/manage") == "acp.views.manage"
    assert run([PYTHON, "manage.py", "check"], host).returncode == 0


def test_settings_value_prefix_free_installs_with_a_note(project: Path) -> None:
    host = _host(project, SETTINGS_PREFIX, _dynamic_setting("shop/"))
    done = echelon("install", "--json", str(host), cwd=host)
    assert done.returncode == 0, done.stdout + done.stderr
    notes = json.loads(done.stdout)["notes"]
    verified = [n for n in notes if "free under settings mysite.settings" in n]
    assert verified and "mysite/urls.py:7" in verified[0]
    assert _django_resolves(host, "/api/manage") == "acp.views.manage"
    assert _django_resolves(host, "/shop/manage") == "shop.views.manage"


def test_env_prefix_verified_free_and_no_verify_says_how(project: Path) -> None:
    host = _host(project, ENV_PREFIX)
    before = tree_hash(host)
    done = echelon("install", "--no-verify", str(host), cwd=host)
    assert done.returncode == 1
    assert "ACP204" in done.stdout
    assert 'per-file-ignores = { "mysite/urls.py" = ["ACP204"] }' in done.stderr
    assert tree_hash(host) == before
    # The environment of the probe is minimal: SHOP_PREFIX=api/ here does not leak into it,
    # so Django is asked about the project's own default.
    done = echelon("install", str(host), cwd=host, env={"SHOP_PREFIX": "api/"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified with Django" in done.stdout
    assert _django_resolves(host, "/api/manage") == "acp.views.manage"


def test_third_party_catch_all_is_served(project: Path) -> None:
    host = _host(project, CATCH_ALL)
    before = tree_hash(host)
    done = echelon("install", str(host), cwd=host)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cms.views.page" in done.stdout and "ACP201" in done.stdout
    assert _django_resolves(host, "/api/manage") == "cms.views.page"
    # Every candidate is taken by the catch-all: no base path is claimed free.
    assert "free base paths" not in done.stderr
    assert "no usual base path is free" in done.stderr
    assert tree_hash(host) == before


def test_django_not_importable_keeps_the_static_answer(project: Path, tmp_path: Path) -> None:
    host = _host(project, ENV_PREFIX)
    bare = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = bare / "bin" / "python"
    done = echelon("install", "--python", str(python), str(host), cwd=host)
    assert done.returncode == 1
    assert "ACP204" in done.stdout
    assert "Django is not importable" in done.stderr and "--python PATH" in done.stderr
    # The project's own .venv is the default interpreter when present.
    (host / ".venv").symlink_to(bare)
    done = echelon("install", str(host), cwd=host)
    assert done.returncode == 1 and "Django is not importable" in done.stderr


def test_routes_verify(project: Path) -> None:
    host = _host(project, SETTINGS_PREFIX, _dynamic_setting("api/"))
    (host / "controlplane.bindings.json").write_text(
        json.dumps({"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"})
    )
    lint = [PYTHON, "-m", "acp_lint", "routes"]
    plain = run(lint, host)
    assert plain.returncode == 0 and "verify" not in plain.stdout
    done = run([*lint, "--verify"], host)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ACP201 shop.views.manage serves POST /api/manage" in done.stdout
    done = run([*lint, "--verify", "--output-format", "json"], host)
    data = json.loads(done.stdout)["verify"]
    assert data["status"] == "served" and data["settings"] == "mysite.settings"
    # Plain acp-lint (pre-commit) never imports the project: a settings module that would
    # fail on import changes nothing there.
    settings = host / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\nraise RuntimeError('imported!')\n")
    check = run([PYTHON, "-m", "acp_lint", "check", "."], host)
    assert "imported!" not in check.stdout + check.stderr
    # Django could not answer: the static answer stands, and it exits as acp-lint does on
    # this tree (no ACP app yet, so the unresolved prefix is no ACP204 finding).
    done = run([*lint, "--verify"], host)
    assert done.returncode == 0 and "could not verify" in done.stdout
    assert "RuntimeError: imported!" in done.stdout
    assert run([PYTHON, "-m", "acp_lint", "."], host).returncode == 0


def test_routes_verify_exits_as_acp_lint_on_a_conclusive_table(project: Path) -> None:
    """Before the mount exists (a data-layer install), a host route serves the endpoint path:
    the static table is conclusive, Django is not asked, and `routes --verify` is a check that
    exits like acp-lint on the same tree (1 with the ACP201, 0 when free or the rule is off);
    plain `routes` is a listing and exits 0."""
    done = echelon("install", "--migrations-only", "--kernel-id", "k1", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    lint = [PYTHON, "-m", "acp_lint"]
    free = run([*lint, "routes", "--verify", "."], project)
    assert free.returncode == 0, free.stdout + free.stderr
    assert run([*lint, "--select", "ACP201,ACP204", "."], project).returncode == 0
    urls = project / "mysite" / "urls.py"
    anchor = "    path('admin/', admin.site.urls),\n"
    urls.write_text(
        urls.read_text().replace(anchor, anchor + "    path('api/manage', admin.site.index),\n")
    )
    checked = run([*lint, "--output-format", "json", "."], project)
    assert [d["code"] for d in json.loads(checked.stdout)] == ["ACP201"]
    assert checked.returncode == 1
    done = run([*lint, "routes", "--verify", "."], project)
    assert "the static table is conclusive for /api/manage; Django was not asked" in done.stdout
    assert "1 collision" in done.stdout and done.returncode == 1, done.stdout + done.stderr
    assert run([*lint, "routes", "."], project).returncode == 0
    (project / "acp-lint.toml").write_text('ignore = ["ACP201"]\n')
    assert run([*lint, "."], project).returncode == 0
    assert run([*lint, "routes", "--verify", "."], project).returncode == 0


def test_routes_verify_settles_an_acp204_only_with_django(project: Path) -> None:
    """An unresolved prefix before the ACP app is mounted: acp-lint reports the ACP204 (1);
    `routes --verify` exits 0 when Django says the endpoint is free, 1 when Django cannot
    answer (the static finding stands)."""
    host = _host(project, SETTINGS_PREFIX, _dynamic_setting("shop/"))
    done = echelon("install", "--migrations-only", "--kernel-id", "k1", ".", cwd=host)
    assert done.returncode == 0, done.stdout + done.stderr
    lint = [PYTHON, "-m", "acp_lint"]
    checked = run([*lint, "--output-format", "json", "."], host)
    assert [d["code"] for d in json.loads(checked.stdout)] == ["ACP204"]
    done = run([*lint, "routes", "--verify", "."], host)
    assert "are free under settings mysite.settings" in done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    settings = host / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\nraise RuntimeError('no settings here')\n")
    done = run([*lint, "routes", "--verify", "."], host)
    assert "could not verify" in done.stdout and done.returncode == 1, done.stdout


def test_no_free_base_path_is_never_claimed_when_django_finds_free_ones(project: Path) -> None:
    """A static collision plus an unresolved prefix at "" (which blocks every candidate
    statically): Django tells which candidates are free, and the message says so."""
    urls = SETTINGS_PREFIX.replace(
        "    path(settings.SHOP_PREFIX",
        "    path('api/<slug:x>', admin.site.index),\n    path(settings.SHOP_PREFIX",
    )
    host = _host(project, urls, "\nSHOP_PREFIX = 'shop/'\n")
    done = echelon("install", str(host), cwd=host)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "No free base path" not in done.stdout
    assert "Free base paths: /acp" in done.stdout
    assert "free base paths: /acp" in done.stderr
    done = echelon("install", "--base-path", "/acp", str(host), cwd=host)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _django_resolves(host, "/acp/manage") == "acp.views.manage"
