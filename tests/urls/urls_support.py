"""Helpers for the URL graph tests: write a small Django project, ask Django about it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from acp_lint.sources import DiskTree

MANAGE_PY = (
    "import os\nimport sys\n\n\ndef main():\n"
    '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
)
SETTINGS = "SECRET_KEY = 'x'\nDEBUG = False\nROOT_URLCONF = 'proj.urls'\nALLOWED_HOSTS = ['*']\n"


def write_project(root: Path, files: dict[str, str], settings_extra: str = "") -> DiskTree:
    """A Django project at ``root``: manage.py, proj/settings.py and ``files`` (dedented)."""
    defaults = {
        "manage.py": MANAGE_PY,
        "proj/__init__.py": "",
        "proj/settings.py": SETTINGS + settings_extra,
        "proj/views.py": "def view(request, *args, **kwargs):\n    return None\n",
    }
    for rel, text in {**defaults, **files}.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
        if rel.endswith(".py") and "/" in rel:
            init = target.parent / "__init__.py"
            if not init.exists():
                init.write_text("")
    return DiskTree(root)


RUNNER = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings"
import django
django.setup()
from django.urls import Resolver404, resolve
out = []
for path in json.loads(sys.stdin.read()):
    try:
        match = resolve("/" + path)
    except Resolver404:
        out.append(None)
    else:
        out.append([match.url_name, match.route])
print(json.dumps(out))
"""


def django_resolve(root: Path, paths: list[str]) -> list[list[str] | None]:
    """``django.urls.resolve`` of every path in one subprocess: [url_name, route] or None."""
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, str(root)],
        input=json.dumps(paths),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout)
