"""After a real install: files added later inside the ACP app are in scope (issue 12, item 2),
and the project root is the same whichever path is passed (issue 10, item 7)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from installer_helpers import PYTHON, TIMEOUT, echelon, run

DROP_AUTH = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("acp", "0001_initial")]
    operations = [migrations.RunSQL("DROP TABLE auth_user")]
"""
ENV_AT_IMPORT = 'import os\n\nKEY = os.environ["ACP_EXTRA_KEY"]\n'


def lint_json(cwd: Path, *args: str) -> tuple[int, list[dict]]:
    completed = run([PYTHON, "-m", "acp_lint", "--no-cache", "--output-format", "json", *args], cwd)
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def absolute(cwd: Path, found: list[dict]) -> list[tuple[str, int, str]]:
    """Findings with paths made absolute, so runs from different directories compare."""
    return sorted(
        (os.path.normpath(cwd / item["path"]), item["line"], item["code"]) for item in found
    )


def test_files_added_to_the_installed_app_are_linted(make_project) -> None:
    host = make_project("default")
    completed = echelon("install", "--yes", str(host), cwd=host)
    assert completed.returncode == 0, completed.stderr
    manifest = json.loads((host / ".acp" / "manifest.json").read_text())
    assert manifest["app"] == "acp"
    assert lint_json(host) == (0, [])
    added = {
        "acp/migrations/0002_x.py": DROP_AUTH,
        "acp/extra_handler.py": ENV_AT_IMPORT,
        "acp/handlers/more.py": ENV_AT_IMPORT,
    }
    for name, text in added.items():
        (host / name).parent.mkdir(exist_ok=True)
        (host / name).write_text(text)
        assert name not in manifest["files"]
    code, found = lint_json(host)
    assert code == 1
    assert {(item["path"], item["code"]) for item in found} == {
        ("acp/migrations/0002_x.py", "ACP301"),
        ("acp/extra_handler.py", "ACP101"),
        ("acp/handlers/more.py", "ACP101"),
    }
    # pre-commit passes only the changed file: it is in scope on its own too.
    code, found = lint_json(host, "acp/migrations/0002_x.py")
    assert [(item["path"], item["code"]) for item in found] == [
        ("acp/migrations/0002_x.py", "ACP301")
    ]
    # Host code next to the app stays out of scope (a module-level env read in settings).
    settings = host / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + '\nimport os\nX = os.environ["ACP_X"]\n')
    code, found = lint_json(host)
    assert not any(item["path"].startswith("mysite/") for item in found)
    doctor = echelon("doctor", str(host), cwd=host)
    assert "acp/migrations/0002_x.py" in doctor.stdout and "ACP301" in doctor.stdout


def _sandbox_repository(base: Path) -> Path:
    """A git repository whose Django project lives in ``sandbox/`` (django-oscar's layout),
    installed from the repository root: bindings.json at the root, manage.py below it."""
    base.mkdir()
    subprocess.run(["git", "init", "-q", str(base)], check=True, timeout=TIMEOUT)
    (base / "sandbox").mkdir()
    subprocess.run(
        [PYTHON, "-m", "django", "startproject", "mysite", str(base / "sandbox")],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
        cwd=base,
    )
    completed = echelon("install", "--yes", str(base), cwd=base)
    assert completed.returncode == 0, completed.stderr
    assert (base / "controlplane.bindings.json").is_file()
    assert (base / "sandbox" / "manage.py").is_file()
    return base


def test_one_root_whatever_path_is_passed(tmp_path: Path) -> None:
    repo = _sandbox_repository(tmp_path / "repo")
    sandbox = repo / "sandbox"
    runs = {
        "root": (repo, ()),
        "file": (repo, ("sandbox/mysite/urls.py",)),
        "subdirectory": (sandbox, ()),
        "file-from-subdirectory": (sandbox / "mysite", ("urls.py",)),
    }
    for cwd, args in runs.values():  # the clean install: no false ACP203 from anywhere
        assert lint_json(cwd, *args) == (0, [])
    # Now a real finding in the graph: a host route over the endpoint (ACP201).
    urls = sandbox / "mysite" / "urls.py"
    text = urls.read_text().replace(
        "urlpatterns = [",
        'from django.http import HttpResponse\n\nurlpatterns = [\n    path("api/manage", '
        "lambda request: HttpResponse()),",
    )
    urls.write_text(text)
    results = {name: absolute(cwd, lint_json(cwd, *args)[1]) for name, (cwd, args) in runs.items()}
    assert results["root"], "the collision must be found"
    assert {code for _, _, code in results["root"]} == {"ACP201"}
    for name, found in results.items():
        assert found == results["root"], name
