"""The composite GitHub Action: inputs used safely, and its lint step run as the runner would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]


def _step(step_id_or_name: str) -> dict:
    return next(s for s in STEPS if step_id_or_name in (s.get("id"), s.get("name")))


def test_every_expression_names_a_declared_input_and_no_script_splices_one() -> None:
    text = (REPO / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used == set(ACTION["inputs"])
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step["name"]  # inputs go through env


def _run_script(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_lint_step_writes_sarif_outputs_and_annotations_then_fails_the_job(
    tmp_path: Path,
) -> None:
    project = tmp_path / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", project)
    outputs = tmp_path / "github_output"
    sarif = tmp_path / "acp-lint.sarif"
    base = {k: v for k, v in os.environ.items() if not k.startswith("ACP_")}
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base['PATH']}"
    env = {**base, "ACP_LINT_ARGS": "", "SARIF_FILE": str(sarif), "GITHUB_OUTPUT": str(outputs)}

    lint = _run_script(_step("lint"), project, env)
    assert lint.returncode == 0, lint.stderr  # the step records the status, a later step fails
    recorded = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert recorded == {"exit-code": "1", "sarif-file": str(sarif)}
    report = json.loads(sarif.read_text())
    assert report["version"] == "2.1.0" and report["runs"][0]["results"]
    annotation = r"^::error title=acp-lint \(ACP1\d\d\),file=acp/views\.py,line="
    assert re.search(annotation, lint.stdout, re.MULTILINE)

    fail = _run_script(_step("Fail on findings"), project, {**base, "STATUS": "1"})
    assert fail.returncode == 1
    upload = _step("Upload SARIF to code scanning")
    assert "exit-code != '2'" in upload["if"] and "exit-code != '3'" in upload["if"]


def test_arguments_with_shell_syntax_are_not_executed(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", project)
    marker = tmp_path / "pwned"
    base = {k: v for k, v in os.environ.items() if not k.startswith("ACP_")}
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base['PATH']}"
    env = {
        **base,
        "ACP_LINT_ARGS": f"$(touch {marker}) ;touch {marker}",
        "SARIF_FILE": str(tmp_path / "out.sarif"),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
    }
    _run_script(_step("lint"), project, env)
    assert not marker.exists()
