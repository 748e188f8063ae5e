"""``--verify`` on a host whose settings require environment variables (found on
cookiecutter-django: ``base.py`` needs ``DATABASE_URL`` or ``POSTGRES_*``, ``local.py`` a secret).

The probe's environment is minimal on purpose (a developer's shell does not silently change
what is verified), so such settings cannot load there: the message must say so and name
``ACP_LINT_VERIFY_ENV``, and the variables listed there reach the project's Django.
"""

from __future__ import annotations

from pathlib import Path

from installer_helpers import echelon, tree_hash

ENV_PREFIX_URLS = (
    "import os\n\nfrom django.contrib import admin\nfrom django.urls import path\n\n"
    "urlpatterns = [\n    path(os.environ.get('ADMIN_PREFIX', 'admin/'), admin.site.urls),\n]\n"
)
REQUIRED = (
    "\nimport os\n\nfrom django.core.exceptions import ImproperlyConfigured\n\n"
    "if 'MYSITE_DB_NAME' not in os.environ:\n"
    "    raise ImproperlyConfigured('Set the MYSITE_DB_NAME environment variable')\n"
    "DATABASES['default']['NAME'] = os.environ['MYSITE_DB_NAME']\n"
)
ENV = {"MYSITE_DB_NAME": "db.sqlite3", "ADMIN_PREFIX": "api/"}


def _host(project: Path) -> Path:
    (project / "mysite" / "urls.py").write_text(ENV_PREFIX_URLS)
    settings = project / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + REQUIRED)
    return project


def test_settings_that_need_the_environment_say_how_to_pass_it(project: Path) -> None:
    host = _host(project)
    before = tree_hash(host)
    done = echelon("install", str(host), cwd=host, env=ENV)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Set the MYSITE_DB_NAME environment variable" in done.stderr
    assert "name the variables its settings need in ACP_LINT_VERIFY_ENV" in done.stderr
    assert tree_hash(host) == before
    # Listed variables are passed; ADMIN_PREFIX is not listed, so the project's default
    # ("admin/") is what Django is asked about, and /api/manage is free there.
    listed = {**ENV, "ACP_LINT_VERIFY_ENV": "MYSITE_DB_NAME, DJANGO_SETTINGS_MODULE"}
    done = echelon("install", "--dry-run", str(host), cwd=host, env=listed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified with Django: POST /api/manage and /api/manage/ are free" in done.stdout
    # Listing ADMIN_PREFIX too: the admin now sits at api/, and Django says who serves it.
    listed["ACP_LINT_VERIFY_ENV"] = "MYSITE_DB_NAME,ADMIN_PREFIX"
    done = echelon("install", "--dry-run", str(host), cwd=host, env=listed)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ACP201" in done.stdout and "admin" in done.stdout, done.stdout
    assert tree_hash(host) == before
