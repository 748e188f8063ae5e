"""bench/realworld.py on a small project of our own: it runs, reports, and leaves no trace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "urls"))

from urls_support import write_project  # noqa: E402


def test_realworld_reports_findings_and_injected_verdicts(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    write_project(
        project,
        {
            "proj/urls.py": "from django.contrib import admin\n"
            "from django.urls import path\nfrom proj import views\n"
            "urlpatterns = [path('admin/', admin.site.urls), path('api/<slug:s>', views.view)]\n",
            "shop/migrations/__init__.py": "",
            "shop/migrations/0001_initial.py": "from django.db import migrations\n\n\n"
            "class Migration(migrations.Migration):\n"
            "    operations = [migrations.RunSQL('DROP TABLE auth_user')]\n",
        },
        settings_extra="STATIC_URL = '/static/'\n",
    )
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    out = tmp_path / "report.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "realworld.py"),
            "--inject",
            "/api,/admin,/acp,/static/acp",
            "--json",
            str(out),
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    [report] = json.loads(out.read_text())
    assert report["internal_errors"] == []
    assert report["migrations"] == 1 and report["python_files"] >= 6
    assert report["findings"] == {"ACP301": 1}  # the migration was put in scope
    verdicts = {base: [f.split()[0] for f in found] for base, found in report["injected"].items()}
    assert verdicts == {
        "/api": ["ACP201"],
        "/admin": ["ACP201"],
        "/acp": [],
        "/static/acp": ["ACP201"],
    }
    assert "| shop |" in done.stdout
    # the generated config is gone and nothing else was written
    after = sorted(
        p.relative_to(project) for p in project.rglob("*") if "__pycache__" not in str(p)
    )
    assert after == [p for p in before if "__pycache__" not in str(p)]
