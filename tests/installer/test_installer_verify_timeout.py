"""``--verify`` on a host whose Django is slow to set up (found on netbox: about 36 s of
``django.setup()`` plus resolving, without bytecode caches, on a loaded 2-core machine, over
the 30 s default). The limit is ``ACP_LINT_VERIFY_TIMEOUT``; a timeout says how to raise it and
the static answer stands (nothing is written); a longer limit lets the same Django answer.
"""

from __future__ import annotations

from pathlib import Path

from installer_helpers import echelon, tree_hash

ENV_PREFIX_URLS = (
    "import os\n\nfrom django.contrib import admin\nfrom django.urls import path\n\n"
    "urlpatterns = [\n    path(os.environ.get('ADMIN_PREFIX', 'admin/'), admin.site.urls),\n]\n"
)
# Imported by django.setup() (INSTALLED_APPS), like a large project's many modules.
SLOW_APP = "import time\n\ntime.sleep(4)\n"


def _slow_host(project: Path) -> Path:
    (project / "slowapp").mkdir()
    (project / "slowapp" / "__init__.py").write_text(SLOW_APP)
    (project / "mysite" / "urls.py").write_text(ENV_PREFIX_URLS)
    settings = project / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\nINSTALLED_APPS += ['slowapp']\n")
    return project


def test_timeout_names_the_variable_and_a_longer_limit_verifies(project: Path) -> None:
    host = _slow_host(project)
    before = tree_hash(host)
    short = echelon("install", str(host), cwd=host, env={"ACP_LINT_VERIFY_TIMEOUT": "1"})
    assert short.returncode == 1, short.stdout + short.stderr
    assert "ACP204" in short.stdout
    assert "Django did not answer within 1 s" in short.stderr
    assert "set ACP_LINT_VERIFY_TIMEOUT=SECONDS to wait longer" in short.stderr
    assert tree_hash(host) == before
    # Not a number, or not positive: the default (30 s) applies, which is enough here.
    for value in ("60", "soon"):
        done = echelon(
            "install", "--dry-run", str(host), cwd=host, env={"ACP_LINT_VERIFY_TIMEOUT": value}
        )
        assert done.returncode == 0, value + done.stdout + done.stderr
        assert "verified with Django: POST /api/manage and /api/manage/ are free" in done.stdout
    assert tree_hash(host) == before
