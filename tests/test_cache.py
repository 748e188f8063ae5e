"""The results cache: warm runs agree with cold runs, never import libcst, and invalidate."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from clitools import run_cli, run_json

REPO = Path(__file__).resolve().parent.parent


def _copy_demo(tmp_path: Path) -> Path:
    project = tmp_path / "demo"
    shutil.copytree(
        REPO / "fixtures" / "demo", project, ignore=shutil.ignore_patterns(".acp-lint-cache")
    )
    return project


def test_warm_run_equals_cold_run_and_writes_a_tagged_cache(tmp_path: Path) -> None:
    project = _copy_demo(tmp_path)
    cold = run_cli("--output-format", "json", "--no-cache", cwd=project)
    assert not (project / ".acp-lint-cache").exists()  # --no-cache writes nothing
    first = run_cli("--output-format", "json", cwd=project)
    warm = run_cli("--output-format", "json", cwd=project)
    assert cold.stdout == first.stdout == warm.stdout
    cache = project / ".acp-lint-cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_fully_cached_run_never_imports_libcst_or_sqlglot(tmp_path: Path) -> None:
    project = _copy_demo(tmp_path)
    run_cli(cwd=project)
    script = (
        "import sys\n"
        "from acp_lint.cli import main\n"
        "code = main(['--output-format', 'concise'])\n"
        "assert code == 1, code\n"
        "heavy = sorted(m for m in ('libcst', 'sqlglot', 'sqlparse') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout


def test_editing_a_file_invalidates_its_entry(tmp_path: Path) -> None:
    project = _copy_demo(tmp_path)
    run_cli(cwd=project)
    views = project / "acp" / "views.py"
    views.write_text(views.read_text().replace('HUB_URL = os.environ["ACP_BASE_URL"]\n', ""))
    _, payload = run_json(cwd=project)
    env_reads = [i for i in payload if i["code"] == "ACP101"]
    assert len(env_reads) == 1  # the removed read is gone, the other remains


def test_a_new_module_that_an_include_was_missing_invalidates_the_project_entry(
    tmp_path: Path,
) -> None:
    project = _copy_demo(tmp_path)
    urls = project / "shop" / "urls.py"
    urls.write_text(
        urls.read_text().replace(
            '    path("api/<slug:resource>"',
            '    path("api/", include("extra.urls")),\n    path("x/<slug:resource>"',
        )
    )
    _, before = run_json(cwd=project)
    assert any(item["code"] == "ACP204" for item in before)  # extra.urls does not exist yet
    (project / "extra").mkdir()
    (project / "extra" / "__init__.py").write_text("")
    (project / "extra" / "urls.py").write_text(
        "from django.urls import path\n\nurlpatterns = [path('manage', lambda r: None)]\n"
    )
    _, after = run_json(cwd=project)
    assert not any(item["code"] == "ACP204" for item in after)
    assert any(item["code"] == "ACP201" and item["path"] == "extra/urls.py" for item in after), (
        after
    )


def test_a_changed_app_label_invalidates_the_migrations_of_that_app(tmp_path: Path) -> None:
    """CreateModel's default table is ``<label>_<model>``: SQL on it is work on a new table
    only while apps.py keeps that label, so a relabelled app is not a stale cache hit."""
    from clitools import write_tree

    apps = (
        "from django.apps import AppConfig\n\n\n"
        "class AcpConfig(AppConfig):\n    name = 'acp'\n    label = '{label}'\n"
    )
    migration = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n"
        "    operations = [\n"
        "        migrations.CreateModel('Widget', [('id', models.AutoField(primary_key=True))]),\n"
        '        migrations.RunSQL("INSERT INTO shop_acp_widget (id) VALUES (1)"),\n'
        "    ]\n"
    )
    write_tree(
        tmp_path,
        {
            "acp-lint.toml": 'migrations = ["acp/migrations/*.py"]\n',
            "acp/__init__.py": "",
            "acp/apps.py": apps.format(label="shop_acp"),
            "acp/migrations/__init__.py": "",
            "acp/migrations/0001_initial.py": migration,
        },
    )
    code, found = run_json("acp/migrations/0001_initial.py", cwd=tmp_path)
    assert (code, found) == (0, [])
    (tmp_path / "acp" / "apps.py").write_text(apps.format(label="other"))
    code, found = run_json("acp/migrations/0001_initial.py", cwd=tmp_path)
    assert code == 1 and [f["code"] for f in found] == ["ACP301"]


def test_the_stored_diagnostic_shape_is_the_v1_record() -> None:
    """A diagnostic now holds a ``Span``, but the cache stores the same record as before
    (``path`` and a four-number ``span``), so ``FORMAT`` stays ``v1`` and caches written by
    earlier versions still read. Changing this shape means bumping ``FORMAT``."""
    from acp_lint.cache import FORMAT
    from acp_lint.diagnostics import (
        Applicability,
        Diagnostic,
        Edit,
        Fix,
        diagnostic_from_record,
        diagnostic_to_record,
    )

    fix = Fix(Applicability.SAFE, "guard", (Edit(3, 5, "x"),))
    diagnostic = Diagnostic.at(
        "app/views.py", 2, 5, 3, 9, code="ACP101", name="n", message="m", fix=fix,
        statement_lines=(2, 3),
    )  # fmt: skip
    record = {
        "path": "app/views.py",
        "span": [2, 5, 3, 9],
        "code": "ACP101",
        "name": "n",
        "message": "m",
        "statement_lines": [2, 3],
        "fix": {"applicability": "safe", "message": "guard", "edits": [[3, 5, "x"]]},
    }
    assert FORMAT == "v1"
    assert diagnostic_to_record(diagnostic) == record
    read = diagnostic_from_record(json.loads(json.dumps(record)))
    assert read == diagnostic
    assert (read.path, read.statement_lines, read.fix) == ("app/views.py", (2, 3), fix)


def _empty_every_entry(cache: Path) -> int:
    """Rewrite each cached result to say "no findings"; the number of entries rewritten."""
    count = 0
    for entry in (cache / "v1").glob("*/*.json"):
        payload = json.loads(entry.read_text())
        payload["diagnostics"] = []
        entry.write_text(json.dumps(payload))
        count += 1
    return count


def test_a_cache_shipped_with_the_repository_is_never_read(tmp_path: Path) -> None:
    """A repository can commit ``.acp-lint-cache`` with entries that say "clean" under the
    keys its content gives. Copied (as a clone does), the tag gets another inode and change
    time, every key changes, and the findings are reported."""
    project = _copy_demo(tmp_path)
    cold = run_cli("--output-format", "json", "--no-cache", cwd=project)
    run_cli(cwd=project)
    assert _empty_every_entry(project / ".acp-lint-cache") > 5
    tampered = run_cli("--output-format", "json", cwd=project)
    assert json.loads(tampered.stdout) == []  # the same cache, the same keys: it is read
    clone = tmp_path / "clone"
    shutil.copytree(project, clone)  # the planted cache comes along
    moved = run_cli("--output-format", "json", cwd=clone)
    assert moved.stdout == cold.stdout and json.loads(moved.stdout)


def test_a_link_in_the_cache_s_place_is_neither_read_nor_written(tmp_path: Path) -> None:
    project = _copy_demo(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".acp-lint-cache").symlink_to(elsewhere)
    cold = run_cli("--output-format", "json", "--no-cache", cwd=project)
    for _ in range(2):
        assert run_cli("--output-format", "json", cwd=project).stdout == cold.stdout
    assert list(elsewhere.iterdir()) == []


def test_a_link_anywhere_inside_the_cache_takes_no_write_outside(tmp_path: Path) -> None:
    """A repository can ship ``.acp-lint-cache/v1`` as a link, or a link for each of the 256
    ``v1/ab`` folders that entries go to: the run reports the same findings, and nothing is
    written through the links."""
    project = _copy_demo(tmp_path)
    cold = run_cli("--output-format", "json", "--no-cache", cwd=project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = project / ".acp-lint-cache"
    cache.mkdir()
    (cache / "v1").symlink_to(elsewhere)
    for _ in range(2):
        assert run_cli("--output-format", "json", cwd=project).stdout == cold.stdout
    assert list(elsewhere.iterdir()) == []
    (cache / "v1").unlink()
    (cache / "v1").mkdir()
    for prefix in range(256):
        (cache / "v1" / f"{prefix:02x}").symlink_to(elsewhere)
    for _ in range(2):
        assert run_cli("--output-format", "json", cwd=project).stdout == cold.stdout
    assert list(elsewhere.iterdir()) == []
