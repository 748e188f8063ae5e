"""INSTALLED_APPS in the shapes real settings use (DESIGN §7), on real startproject hosts.

Each shape is installed, then ``manage.py check`` (Django, the oracle) must pass and Django's
own ``INSTALLED_APPS`` must hold "acp" exactly once; when "acp" is already there (the user
added it by hand) the settings are not edited at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from installer_helpers import PYTHON, echelon, run, tree_hash

APPS_RE = re.compile(r"INSTALLED_APPS = \[.*?\n\]\n", re.S)

CONCAT = (
    "DJANGO_APPS = [\n    'django.contrib.admin',\n    'django.contrib.auth',\n"
    "    'django.contrib.contenttypes',\n    'django.contrib.sessions',\n"
    "    'django.contrib.messages',\n    'django.contrib.staticfiles',\n]\n"
    "THIRD_PARTY_APPS = []\nLOCAL_APPS = [\n    'mysite',\n]\n"
    "INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS\n"
)
STARRED = CONCAT.replace(
    "INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS",
    "INSTALLED_APPS = [*DJANGO_APPS, *THIRD_PARTY_APPS, *LOCAL_APPS]",
)
TUPLE = (
    "INSTALLED_APPS = (\n    'django.contrib.admin',\n    'django.contrib.auth',\n"
    "    'django.contrib.contenttypes',\n    'django.contrib.sessions',\n"
    "    'django.contrib.messages',\n    'django.contrib.staticfiles',\n)\n"
)


def _set_apps(project: Path, block: str) -> Path:
    settings = project / "mysite" / "settings.py"
    text = settings.read_text()
    assert APPS_RE.search(text)
    settings.write_text(APPS_RE.sub(lambda _: block, text))
    return settings


def _django_apps(project: Path, settings: str = "mysite.settings") -> list[str]:
    code = "import django; django.setup(); from django.conf import settings as s\n"
    code += "print('\\n'.join(s.INSTALLED_APPS))"
    done = run([PYTHON, "-c", code], project, {"DJANGO_SETTINGS_MODULE": settings})
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def _install_and_check(project: Path, settings: str = "mysite.settings") -> None:
    done = echelon("install", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    check = run([PYTHON, "manage.py", "check"], project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert _django_apps(project, settings).count("acp") == 1


@pytest.mark.parametrize("block", [CONCAT, STARRED], ids=["a+b+c", "starred"])
def test_composed_lists_get_acp_in_the_last_literal(project: Path, block: str) -> None:
    settings = _set_apps(project, block)
    _install_and_check(project)
    assert "LOCAL_APPS = [\n    'mysite',\n    'acp',\n]" in settings.read_text()
    done = echelon("uninstall", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert settings.read_text().count("acp") == 0


def test_tuple(project: Path) -> None:
    settings = _set_apps(project, TUPLE)
    _install_and_check(project)
    assert "    'django.contrib.staticfiles',\n    'acp',\n)" in settings.read_text()


def test_split_settings_with_plus_equals_and_append(make_project) -> None:
    """cookiecutter-django: local.py star-imports base.py and extends INSTALLED_APPS."""
    project = make_project("config-package")
    dev = project / "config" / "settings" / "dev.py"
    dev.write_text(
        dev.read_text()
        + "INSTALLED_APPS += ['django.contrib.humanize']\n"
        + "INSTALLED_APPS.append('django.contrib.sitemaps')\n"
    )
    base = project / "config" / "settings" / "base.py"
    _install_and_check(project, "config.settings.dev")
    # The base list gets it (shared by every settings module), not the dev-only additions.
    assert "'acp'" in base.read_text() and "acp" not in dev.read_text()


def test_acp_added_by_hand_is_left_alone(make_project) -> None:
    project = make_project("config-package")
    dev = project / "config" / "settings" / "dev.py"
    dev.write_text(dev.read_text() + "INSTALLED_APPS += ['acp']\n")
    base = project / "config" / "settings" / "base.py"
    before = (base.read_bytes(), dev.read_bytes())
    _install_and_check(project, "config.settings.dev")
    assert (base.read_bytes(), dev.read_bytes()) == before

    # Uninstall would delete acp/ under the hand-made registration: the project would not
    # start. It refuses, removing nothing, until the registration is gone.
    installed = tree_hash(project, ignore=("__pycache__",))
    done = echelon("uninstall", str(project), cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'config/settings/dev.py registers "acp"' in done.stderr
    assert tree_hash(project, ignore=("__pycache__",)) == installed
    dev.write_text(dev.read_text().replace("INSTALLED_APPS += ['acp']\n", ""))
    done = echelon("uninstall", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    check = run(
        [PYTHON, "manage.py", "check"], project, {"DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    )
    assert check.returncode == 0, check.stdout + check.stderr


CLASS_BASED = """
class Base:
    DEBUG = True
    INSTALLED_APPS = [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
    ]


class Dev(Base):
    INSTALLED_APPS = Base.INSTALLED_APPS + ["django.contrib.humanize"]


CONFIG = Dev
INSTALLED_APPS = CONFIG.INSTALLED_APPS
"""


def test_class_based_settings(project: Path) -> None:
    """The django-configurations shape (classes whose attributes become settings), checked
    through a plain module that exports the chosen class's value, as configurations does."""
    settings = _set_apps(project, "")
    settings.write_text(settings.read_text().replace("\nMIDDLEWARE", CLASS_BASED + "\nMIDDLEWARE"))
    assert _django_apps(project)[-1] == "django.contrib.humanize"
    _install_and_check(project)
    assert '        "django.contrib.staticfiles",\n        "acp",\n    ]' in settings.read_text()


def test_unreadable_installed_apps_is_exit_2(project: Path) -> None:
    settings = _set_apps(project, "INSTALLED_APPS = load_apps()\n")
    settings.write_text("def load_apps():\n    return []\n\n\n" + settings.read_text())
    done = echelon("install", str(project), cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'add "acp" to it by hand' in done.stderr


OTHER_ACP_LISTS = """
ALLOWED_HOSTS = ['acp', 'localhost']
LOGGING = {
    'version': 1,
    'handlers': {'acp': {'class': 'logging.NullHandler'}},
    'loggers': {'acp.audit': {'handlers': ['acp']}},
}
"""


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "older-manifest"])
@pytest.mark.parametrize("block", [CONCAT, "CLASS_BASED"], ids=["a+b+c", "class-based"])
def test_uninstall_takes_acp_only_out_of_the_list_install_added_it_to(
    project: Path, block: str, recorded: bool
) -> None:
    """ "acp" in ALLOWED_HOSTS, a LOGGING handlers list and TEMPLATES' DIRS, all before the
    list install adds it to: uninstall gives the settings back byte for byte (the list is
    recorded in the manifest; an older manifest without the record reaches the same file)."""
    settings = _set_apps(project, "" if block == "CLASS_BASED" else block)
    text = settings.read_text().replace("ALLOWED_HOSTS = []\n", OTHER_ACP_LISTS)
    text = text.replace("'DIRS': [],", "'DIRS': ['acp'],")
    if block == "CLASS_BASED":
        text = text.replace("\nMIDDLEWARE", CLASS_BASED + "\nMIDDLEWARE")
    settings.write_text(text)
    before = settings.read_bytes()
    _install_and_check(project)
    after_install = settings.read_text()
    assert after_install.count("'acp'") + after_install.count('"acp"') == 5
    manifest_file = project / ".acp" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    expected = "Base.INSTALLED_APPS" if block == "CLASS_BASED" else "LOCAL_APPS"
    assert manifest["host"] == {"installed_apps_list": expected}
    if not recorded:
        del manifest["host"]
        manifest_file.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    done = echelon("uninstall", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert settings.read_bytes() == before
