"""Every crash names its file and rule: exit 3 and one line, in this process or in a worker.

A crashing rule is made by a small plugin (``sitecustomize.py`` on ``PYTHONPATH``) that makes
one rule of a family raise; nothing else of acp-lint is replaced. The real CLI runs in a
subprocess: with one file the rules run in the CLI's process, with more than
``PARALLEL_THRESHOLD`` files in worker processes (the plugin reports two CPUs, so the pool is
used on a one-CPU machine too), except Python migrations, which always run in the CLI's.
Project rules run once per run, always in the CLI's process.
"""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import pytest
from clitools import run_cli, write_tree

from acp_lint.engine import PARALLEL_THRESHOLD
from acp_lint.errors import InternalError
from acp_lint.forked import MIN_ITEMS_BESIDE

PLUGIN = '''
"""Test plugin: make one rule of the family ACP_CRASH_FAMILY raise."""
import os
from multiprocessing import parent_process

if os.environ.get("ACP_CRASH_CPUS"):
    os.cpu_count = lambda: int(os.environ["ACP_CRASH_CPUS"])


def _boom(*args, **kwargs):
    where = "worker" if parent_process() is not None else "main"
    raise RuntimeError(f"deliberate crash in the {where} process")


family = os.environ.get("ACP_CRASH_FAMILY")
if family == "handler":
    from acp_lint.rules.enabled_guard import MissingEnabledGuard

    def check(self):
        _boom()

    MissingEnabledGuard.check = check
elif family in ("migration", "sql"):
    import acp_lint.rules.migrations as migrations

    name = "check_migration_file" if family == "migration" else "check_sql_file"
    setattr(migrations, name, _boom)
elif family == "project":
    import acp_lint.rules.routes as routes

    routes.check_project = _boom
elif family == "last-migration-and-project":
    import acp_lint.rules.migrations as migrations
    import acp_lint.rules.routes as routes

    check_migration_file = migrations.check_migration_file

    def crash_on_the_last(path, *args):
        if path.endswith(os.environ["ACP_CRASH_LAST"]):
            _boom()
        return check_migration_file(path, *args)

    migrations.check_migration_file = crash_on_the_last
    routes.check_project = _boom
'''

CONFIG = """[tool.acp-lint]
handlers = ["acp/*.py"]
migrations = ["acp/migrations/*.py", "acp/sql/*.sql"]
"""
HANDLER = "import os\n\n\ndef manage(request):\n    return 1\n"
MIGRATION = (
    "from django.db import migrations\n\n\n"
    "class Migration(migrations.Migration):\n"
    "    operations = [migrations.RunSQL('CREATE TABLE acp_t (id int)')]\n"
)
SQL = "CREATE TABLE acp_t (id int);\n"
BINDINGS = '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
FAMILIES = {
    # family: (file name pattern, content, the rule the message names)
    "handler": ("acp/h{:03d}.py", HANDLER, "ACP104"),
    "migration": ("acp/migrations/m{:03d}.py", MIGRATION, "ACP301-ACP303"),
    "sql": ("acp/sql/s{:03d}.sql", SQL, "ACP301-ACP303"),
}


def _crash(
    tmp_path: Path, family: str, files: int, *args: str, files_of: str = "handler"
) -> tuple[int, str]:
    plugin = tmp_path / "plugin"
    write_tree(plugin, {"sitecustomize.py": PLUGIN})
    project = tmp_path / "project"
    pattern, content, _ = FAMILIES.get(family, FAMILIES[files_of])
    tree = {"pyproject.toml": CONFIG, **{pattern.format(n): content for n in range(files)}}
    if "project" in family:  # something for the project rules to read, or they are skipped
        tree["controlplane.bindings.json"] = BINDINGS
    write_tree(project, tree)
    path = os.pathsep.join(filter(None, [str(plugin), os.environ.get("PYTHONPATH")]))
    env = {
        "PYTHONPATH": path,
        "ACP_CRASH_FAMILY": family,
        "ACP_CRASH_CPUS": "2",
        "ACP_CRASH_LAST": pattern.format(files - 1),
    }
    done = run_cli("--no-cache", *args, ".", cwd=project, env=env)
    return done.returncode, done.stderr


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("where", ["main", "worker"])
def test_a_crashing_per_file_rule_names_its_file_and_rule(
    tmp_path: Path, family: str, where: str
) -> None:
    files = 1 if where == "main" else PARALLEL_THRESHOLD + 1
    code, stderr = _crash(tmp_path, family, files, "--no-project-rules")
    pattern, _, rule = FAMILIES[family]
    file = re.escape(pattern.split("{")[0]) + r"\d{3}\." + pattern.rsplit(".", 1)[1]
    # Python migrations are never sent to workers (an ``ast`` walk costs less than the trip).
    ran_in = "main" if family == "migration" else where
    expected = (
        rf"^acp-lint: internal error: {file}: rule {re.escape(rule)} crashed: RuntimeError: "
        rf"deliberate crash in the {ran_in} process; please report this"
    )
    assert code == 3, stderr
    assert re.search(expected, stderr), stderr
    assert "Traceback" not in stderr and "BrokenProcessPool" not in stderr
    assert len(stderr.splitlines()) == 1


def test_a_crashing_project_rule_names_bindings_and_the_rules(tmp_path: Path) -> None:
    code, stderr = _crash(tmp_path, "project", 1, "--project-rules-only")
    assert code == 3, stderr
    assert stderr.startswith(
        "acp-lint: internal error: controlplane.bindings.json: rule ACP201-ACP204 crashed: "
        "RuntimeError: deliberate crash in the main process; please report this"
    ), stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("files", [2, MIN_ITEMS_BESIDE + 9])
def test_a_crashing_migration_is_reported_before_a_crashing_project_rule(
    tmp_path: Path, files: int
) -> None:
    """With enough migrations the project rules run first, beside the forked child that
    checks the last file; the file's crash is still the one reported, as in a serial run."""
    code, stderr = _crash(tmp_path, "last-migration-and-project", files, files_of="migration")
    last = re.escape(FAMILIES["migration"][0].format(files - 1))
    assert code == 3, stderr
    assert re.match(rf"acp-lint: internal error: {last}: rule ACP301-ACP303 crashed", stderr)
    assert len(stderr.splitlines()) == 1


def test_without_the_plugin_the_same_projects_lint_cleanly(tmp_path: Path) -> None:
    """The crashes above come from the plugin, not from the projects."""
    code, stderr = _crash(tmp_path, "none", PARALLEL_THRESHOLD + 1, "--no-project-rules")
    assert code in (0, 1) and "internal error" not in stderr, stderr


def test_internal_error_survives_pickling() -> None:
    """What a worker process sends back is rebuilt in the parent, message and fields."""
    error = InternalError.crashed("acp/views.py", "ACP104", KeyError("x"))
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.rule, str(copy)) == (
        "acp/views.py",
        "ACP104",
        "acp/views.py: rule ACP104 crashed: KeyError: 'x'",
    )
