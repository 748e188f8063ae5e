"""``Project.has_route_inputs``: a project with nothing for the project rules to read skips them
without loading the URL code, and only when the full rules are certain to find nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from clitools import run_cli_in_process, write_tree

from acp_lint.config import Config
from acp_lint.project import Project
from acp_lint.registry import RULES
from acp_lint.rules.routes import check_project

ACP_VIEWS = "import os\n\ndef manage(request):\n    return os.getenv('ACP_ENABLED')\n"
MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n"
BINDINGS = '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'
LIBRARY = {"pkg/__init__.py": "", "pkg/core.py": "def f():\n    return 1\n"}

# name -> (files, config keys, does the project give the rules anything to read)
PROJECTS: dict[str, tuple[dict[str, str], dict[str, str], bool]] = {
    "a library": (LIBRARY, {}, False),
    "a library with an unrelated json": ({**LIBRARY, "data.json": "{}\n"}, {}, False),
    "bindings only": ({**LIBRARY, "controlplane.bindings.json": BINDINGS}, {}, True),
    "broken bindings only": ({**LIBRARY, "controlplane.bindings.json": "{"}, {}, True),
    "an ACP app without bindings": ({**LIBRARY, "acp/views.py": ACP_VIEWS}, {}, True),
    "manage.py": ({**LIBRARY, "manage.py": MANAGE}, {}, True),
    "a configured urlconf": (LIBRARY, {"urlconf": "pkg.urls"}, True),
    "configured settings": (LIBRARY, {"settings": "pkg.settings"}, True),
}

# the projects above whose rules report something: skipping them would lose findings
REPORTED = {"broken bindings only", "an ACP app without bindings"}


def _project(root: Path, name: str) -> Project:
    files, keys, _ = PROJECTS[name]
    write_tree(root, files)
    return Project(Config(root=root, **keys))


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_the_rules_are_skipped_only_where_they_find_nothing(tmp_path: Path, name: str) -> None:
    project = _project(tmp_path, name)
    expected = PROJECTS[name][2]
    assert project.has_route_inputs() is expected
    codes = frozenset(rule.code for rule in RULES)
    found = check_project(project, project.all_files, True, codes)  # the rules, run anyway
    if not expected:
        assert found == []
    assert bool(found) is (name in REPORTED)  # inputs are not always findings, but may be


def test_an_unreadable_bindings_file_counts_as_an_input(tmp_path: Path) -> None:
    write_tree(tmp_path, LIBRARY)
    (tmp_path / "controlplane.bindings.json").mkdir()  # there, but not a file to read
    project = Project(Config(root=tmp_path))
    assert project.has_route_inputs()
    codes = frozenset(rule.code for rule in RULES)
    assert [d.code for d in check_project(project, project.all_files, True, codes)] == ["ACP203"]


def test_a_run_on_a_library_loads_no_url_code(tmp_path: Path) -> None:
    write_tree(tmp_path, LIBRARY)
    code, stdout, modules = run_cli_in_process(["--no-cache", "."], tmp_path)
    assert code == 0, stdout
    assert not {m for m in modules if m.startswith(("acp_lint.routes", "acp_lint.rules.routes"))}
    write_tree(tmp_path, {"controlplane.bindings.json": "{"})
    code, stdout, modules = run_cli_in_process(["--no-cache", "."], tmp_path)
    assert code == 1 and "ACP20" in stdout  # the same run, now with something to report
    assert "acp_lint.rules.routes" in modules
