"""One CLI run builds one project model and lists the project's files once.

``acp-lint --fix acp/views.py`` used to build the ``Project`` model seven times and run
``git ls-files`` five times. The fix loop's rounds and the unused-suppression pass now see
views of the run's one model (``Project.with_overlay``), which share its file list, signals
and URL graph. Counted two ways: ``git`` invocations through a ``PATH`` shim in a real
subprocess run, and new models (not views) built in an in-process CLI run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from clitools import git_shim, run_cli

from acp_lint import cli
from acp_lint.project import Project

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
RUNS = {
    "fix one file": ["--no-cache", "--fix", "acp/views.py"],
    "check with an unused suppression": ["--no-cache", "acp/views.py"],
    "show fixes, warm cache": ["--show-fixes", "acp/views.py"],
}


def _host(tmp_path: Path) -> Path:
    host = tmp_path / "host"
    shutil.copytree(DEMO, host, ignore=shutil.ignore_patterns("__pycache__"))
    views = host / "acp" / "views.py"
    # A suppression of a rule that does not fire there: the unused-suppression pass runs.
    views.write_text(views.read_text().replace("import json\n", "import json  # noqa: ACP104\n"))
    subprocess.run(["git", "init", "-q"], cwd=host, check=True)
    subprocess.run(["git", "add", "-A"], cwd=host, check=True)
    return host


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_run_lists_the_files_once(tmp_path: Path, name: str) -> None:
    host = _host(tmp_path)
    shim, log = git_shim(tmp_path / "shim")
    if "warm" in name:
        run_cli(*RUNS[name], cwd=host)  # fills the cache
        log.unlink(missing_ok=True)
    env = {"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    done = run_cli(*RUNS[name], cwd=host, env=env)
    assert done.returncode == 1, done.stderr
    if "unused" in name:
        assert "unused suppression of ACP104" in done.stderr  # the pass really ran
    if "fix" in name and "show" not in name:
        assert "Fixed" in done.stdout or "fixed" in done.stdout
    calls = log.read_text().splitlines()
    listings = [call.split("ls-files", 1)[1] for call in calls if "ls-files" in call.split()]
    assert listings == [" -z -v --cached --others --exclude-standard -- ."], calls


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_run_builds_one_project_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    host = _host(tmp_path)
    if "warm" in name:
        run_cli(*RUNS[name], cwd=host)
    built: list[Project] = []
    real_init = Project.__init__

    def counting(self: Project, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        if not any(self._shared is view._shared for view in built):
            built.append(self)  # a new model, not a view of one already built

    monkeypatch.setattr(Project, "__init__", counting)
    monkeypatch.chdir(host)
    before = (host / "acp" / "views.py").read_bytes()
    assert cli.main(RUNS[name]) == 1
    assert len(built) == 1
    changed = (host / "acp" / "views.py").read_bytes() != before
    assert changed == ("--fix" in RUNS[name])
