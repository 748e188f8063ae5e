"""Settings and URLconfs whose value is computed, in the shapes of real projects (wger,
readthedocs.org), on real startproject hosts: Django is the oracle, and a refusal that asks
for a hand edit must accept that edit on the next run (it used to refuse again, forever)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from installer_helpers import PYTHON, echelon, run, tree_hash

CLIENT = """
import json, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
response = Client().post("/api/manage", data="{}", content_type="application/json")
admin = Client().get("/en-us/admin/login/")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content),
                  "admin": admin.status_code}))
"""

# wger/urls.py: the patterns come from a call, then grow with ``+=``.
I18N_URLS = """from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path

urlpatterns = i18n_patterns(
    path("admin/", admin.site.urls),
)

urlpatterns += [
    path("health/", admin.site.login),
]
"""

# readthedocs.org: INSTALLED_APPS is a property of a settings class defined in another module,
# and the settings module copies the class's attributes into itself.
CONTRIB_APPS = "".join(
    f'            "django.contrib.{name}",\n'
    for name in ("admin", "auth", "contenttypes", "sessions", "messages", "staticfiles")
)
SETTINGS_CLASS = (
    """
class CommunityBaseSettings:
    @property
    def INSTALLED_APPS(self):  # noqa
        apps = [
"""
    + CONTRIB_APPS
    + """        ]
        return apps

    @classmethod
    def load_settings(cls, module_name):
        import sys

        module = sys.modules[module_name]
        instance = cls()
        for name in dir(instance):
            if name.isupper():
                setattr(module, name, getattr(instance, name))
"""
)
APPS_RE = re.compile(r"INSTALLED_APPS = \[.*?\n\]\n", re.S)


def _install_and_ask_django(project: Path) -> dict:
    done = echelon("install", "--yes", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    check = run([PYTHON, "manage.py", "check"], project)
    assert check.returncode == 0, check.stdout + check.stderr
    migrate = run([PYTHON, "manage.py", "migrate", "--noinput"], project)
    assert migrate.returncode == 0, migrate.stderr
    lint = run([PYTHON, "-m", "acp_lint"], project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    client = run([PYTHON, "-c", CLIENT], project, env={"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    assert client.returncode == 0, client.stderr
    return json.loads(client.stdout.strip().splitlines()[-1])


def test_urlpatterns_built_by_a_call_gets_the_acp_route_prepended(project: Path) -> None:
    urls = project / "mysite" / "urls.py"
    urls.write_text(I18N_URLS)
    settings = project / "mysite" / "settings.py"
    before = (urls.read_bytes(), settings.read_bytes())

    answer = _install_and_ask_django(project)
    assert (answer["status"], answer["body"]["code"]) == (503, "FEATURE_DISABLED")
    assert answer["admin"] == 200  # the host's own routes still resolve
    text = urls.read_text()
    assert text.endswith('\nurlpatterns = [path("api/", include("acp.urls")), *urlpatterns]\n')
    assert "from django.urls import include, path" in text

    done = echelon("uninstall", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (urls.read_bytes(), settings.read_bytes()) == before
    assert not (project / "acp").exists()


def test_without_a_module_level_urlpatterns_the_refusal_gives_the_line(project: Path) -> None:
    urls = project / "mysite" / "urls.py"
    urls.write_text("from mysite.routes import *  # noqa: F403\n")
    (project / "mysite" / "routes.py").write_text(I18N_URLS)
    before = tree_hash(project)
    done = echelon("install", "--yes", ".", cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    line = 'urlpatterns = [path("api/", include("acp.urls")), *urlpatterns]'
    assert f"add this line at the end of the file by hand: {line}" in done.stderr
    assert tree_hash(project) == before

    # The hand edit the refusal asks for is accepted by the next run.
    urls.write_text(urls.read_text() + "from django.urls import include, path\n\n" + line + "\n")
    answer = _install_and_ask_django(project)
    assert (answer["status"], answer["body"]["code"]) == (503, "FEATURE_DISABLED")


def test_installed_apps_property_edited_by_hand_is_seen(project: Path) -> None:
    settings = project / "mysite" / "settings.py"
    (project / "mysite" / "base_settings.py").write_text(SETTINGS_CLASS)
    text = APPS_RE.sub("", settings.read_text())
    text = "from mysite.base_settings import CommunityBaseSettings\n\n" + text
    settings.write_text(
        text + "\n\nclass Docker(CommunityBaseSettings):\n    pass\n\n\n"
        "Docker.load_settings(__name__)\n"
    )
    before = tree_hash(project)

    done = echelon("install", "--yes", ".", cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'add "acp" to it by hand' in done.stderr and "property" in done.stderr
    assert tree_hash(project) == before

    base = project / "mysite" / "base_settings.py"
    base.write_text(base.read_text().replace("apps = [\n", 'apps = [\n            "acp",\n'))
    answer = _install_and_ask_django(project)
    assert (answer["status"], answer["body"]["code"]) == (503, "FEATURE_DISABLED")
    assert settings.read_text().count('"acp"') == 0  # nothing added on top of the hand edit

    # The registration is the user's: uninstall keeps acp/ (the project must still start)
    # until it is gone, and then leaves a project Django starts.
    done = echelon("uninstall", ".", cwd=project)
    assert done.returncode == 2 and "mysite/base_settings.py registers" in done.stderr
    assert (project / "acp" / "views.py").is_file()
    base.write_text(base.read_text().replace('            "acp",\n', ""))
    done = echelon("uninstall", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert run([PYTHON, "manage.py", "check"], project).returncode == 0
