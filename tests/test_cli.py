"""The acp-lint command line, run as a real subprocess: exit codes, formats, ACP000."""

from __future__ import annotations

import json

import pytest
from clitools import run_cli, run_json, write_tree

VIOLATING = (
    "import os\nKEY = os.environ['ACP_KERNEL_KEY']\n\ndef manage(request):\n    return KEY\n"
)
CLEAN = (
    "import os\n\nfrom django.http import JsonResponse\n\n\ndef manage(request):\n"
    "    if os.environ.get('ACP_ENABLED', '') != 'true':\n"
    "        return JsonResponse({'ok': False}, status=503)\n"
    "    return JsonResponse({'ok': True})\n"
)
CONFIG = 'handlers = ["acp/*.py"]\nurlconf = "site_urls"\n'
SITE_URLS = (
    'from django.urls import include, path\n\nurlpatterns = [path("api/", include("acp.urls"))]\n'
)
ACP_URLS = 'from django.urls import path\n\nurlpatterns = [path("manage", lambda request: None)]\n'
BINDINGS = '{"kernel_id": "k1", "base_path": "/api", "endpoint_path": "/api/manage"}\n'


@pytest.fixture
def project(tmp_path):
    write_tree(
        tmp_path,
        {
            "acp-lint.toml": CONFIG,
            "acp/views.py": VIOLATING,
            "acp/clean.py": CLEAN,
            "controlplane.bindings.json": BINDINGS,
            "site_urls.py": SITE_URLS,
            "acp/urls.py": ACP_URLS,
        },
    )
    return tmp_path


def test_clean_file_exits_0(project) -> None:
    completed = run_cli("acp/clean.py", cwd=project)
    assert completed.returncode == 0, completed.stdout
    assert "All checks passed!" in completed.stdout


def test_findings_exit_1_with_ruff_style_lines(project) -> None:
    completed = run_cli("--output-format", "concise", cwd=project)
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert (
        "acp/views.py:2:7: ACP101 `os.environ['ACP_KERNEL_KEY']` reads the environment" in lines[0]
    )
    assert lines[1].startswith("acp/views.py:4:5: ACP104 [*] handler `manage`")
    assert lines[-1].startswith("Found 2 errors. [*] 1 fixable with the `--fix` option.")
    assert "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)" in lines[-1]


def test_paths_are_relative_to_the_current_directory(project) -> None:
    completed = run_cli("--output-format", "concise", "views.py", cwd=project / "acp")
    assert completed.stdout.startswith("views.py:2:7: ACP101")


def test_exit_zero(project) -> None:
    assert run_cli("--exit-zero", cwd=project).returncode == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--select", "ACP999"), "unknown rule 'ACP999'"),
        (("--ignore", "no-such-rule"), "unknown rule 'no-such-rule'"),
        (("missing.py",), "path not found: missing.py"),
        (("--no-such-flag",), "unrecognized arguments"),
        (("rule", "ACP999"), "unknown rule"),
    ],
)
def test_usage_errors_exit_2(project, args, needle) -> None:
    completed = run_cli(*args, cwd=project)
    assert completed.returncode == 2
    assert needle in completed.stderr
    assert "Traceback" not in completed.stderr


def test_unknown_config_key_exit_2_names_file_and_key(project) -> None:
    (project / "acp-lint.toml").write_text(CONFIG + "handler = ['x']\n")
    completed = run_cli(cwd=project)
    assert completed.returncode == 2
    assert "acp-lint.toml" in completed.stderr
    assert "unknown key 'handler'" in completed.stderr
    assert "handlers" in completed.stderr  # says what was expected


def test_json_output_schema(project) -> None:
    code, payload = run_json(cwd=project)
    assert code == 1
    assert [item["code"] for item in payload] == ["ACP101", "ACP104"]
    for item in payload:
        assert list(item) == [
            "code",
            "name",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "fix",
        ]
        assert item["path"] == "acp/views.py"
        assert isinstance(item["line"], int) and item["line"] >= 1
        assert isinstance(item["column"], int) and item["column"] >= 1
    assert payload[0]["name"] == "env-read-at-import"
    assert payload[1]["fix"] == {"applicability": "safe", "message": "Insert the ACP_ENABLED guard"}
    # KEY is only used inside the handler, so the cached-accessor fix is offered (unsafe).
    assert payload[0]["fix"]["applicability"] == "unsafe"


def test_json_is_the_only_stdout_and_stable(project) -> None:
    first = run_cli("--output-format", "json", cwd=project)
    second = run_cli("--output-format", "json", cwd=project)
    assert first.stdout == second.stdout
    json.loads(first.stdout)


def test_syntax_error_and_non_utf8_are_acp000_and_others_still_checked(project) -> None:
    write_tree(
        project,
        {
            "acp/broken.py": "def manage(request:\n    return 1\n",
            "acp/latin.py": b"X = '\xe9t\xe9'\n",
        },
    )
    code, payload = run_json(cwd=project)
    assert code == 1
    found = {(item["path"], item["code"]) for item in payload}
    assert ("acp/broken.py", "ACP000") in found
    assert ("acp/latin.py", "ACP000") in found
    assert ("acp/views.py", "ACP101") in found
    broken = next(item for item in payload if item["path"] == "acp/broken.py")
    assert broken["line"] == 1
    latin = next(item for item in payload if item["path"] == "acp/latin.py")
    assert "cannot decode" in latin["message"] and latin["line"] == 1


def test_broken_file_out_of_scope_is_not_reported(project) -> None:
    write_tree(project, {"host/broken.py": "def (:\n"})
    _, payload = run_json(cwd=project)
    assert all(item["path"] != "host/broken.py" for item in payload)


def test_select_and_ignore_by_code_or_name(project) -> None:
    _, only_guard = run_json("--select", "missing-enabled-guard", cwd=project)
    assert [item["code"] for item in only_guard] == ["ACP104"]
    _, no_env = run_json("--ignore", "ACP101", cwd=project)
    assert [item["code"] for item in no_env] == ["ACP104"]
    _, prefix = run_json("--select", "ACP1", "--ignore", "ACP104", cwd=project)
    assert [item["code"] for item in prefix] == ["ACP101"]


def test_statistics(project) -> None:
    completed = run_cli("--statistics", cwd=project)
    assert completed.returncode == 1
    rows = [line.split("\t") for line in completed.stdout.splitlines()]
    assert rows == [
        ["    1", "ACP101", "[ ] env-read-at-import"],
        ["    1", "ACP104", "[*] missing-enabled-guard"],
    ]


def test_fix_then_clean(project) -> None:
    completed = run_cli("--fix", cwd=project)
    assert completed.returncode == 1  # ACP101 remains: its fix is unsafe
    assert "Found 2 errors (1 fixed, 1 remaining)." in completed.stdout
    assert "ACP_ENABLED" in (project / "acp/views.py").read_text()
    completed = run_cli("--fix", "--unsafe-fixes", cwd=project)
    assert completed.returncode == 0, completed.stdout
    assert run_cli(cwd=project).returncode == 0


def test_diff_prints_and_writes_nothing(project) -> None:
    before = (project / "acp/views.py").read_bytes()
    completed = run_cli("--diff", cwd=project)
    assert completed.returncode == 1
    assert completed.stdout.startswith("--- a/acp/views.py\n+++ b/acp/views.py\n")
    assert (
        '+    if os.environ.get("ACP_ENABLED", "").strip().lower() != "true":' in completed.stdout
    )
    assert (project / "acp/views.py").read_bytes() == before


def test_color_only_on_a_terminal(project) -> None:
    completed = run_cli(cwd=project, env={"NO_COLOR": ""})
    assert "\x1b[" not in completed.stdout  # stdout is a pipe here


def test_rule_docs_have_the_fixed_sections(project) -> None:
    completed = run_cli("rule", "ACP104", cwd=project)
    assert completed.returncode == 0
    text = completed.stdout
    assert text.startswith("# missing-enabled-guard (ACP104)")
    for section in (
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
    ):
        assert section in text
    by_name = run_cli("rule", "env-read-at-import", cwd=project)
    assert by_name.stdout.startswith("# env-read-at-import (ACP101)")
    everything = run_cli("rule", "--all", cwd=project)
    assert everything.returncode == 0
    assert everything.stdout.count("## What it does") >= 5


def test_rule_states_its_fix_availability_truthfully(project) -> None:
    """``rule --all`` words each declaration's fix: how often it is offered, and how safe."""
    from acp_lint.registry import BY_CODE, FixAvailability

    completed = run_cli("rule", "--all", "--output-format", "json", cwd=project)
    assert completed.returncode == 0, completed.stderr
    documents = {item["code"]: item for item in json.loads(completed.stdout)}
    assert documents.keys() == BY_CODE.keys()
    assert documents["ACP202"]["fix"] == "Fix is sometimes available (safe)."
    assert documents["ACP104"]["fix"] == "Fix is sometimes available (safe)."
    assert documents["ACP101"]["fix"].startswith("Fix is sometimes available (unsafe")
    for code, item in documents.items():
        info = BY_CODE[code]
        assert item["fix_applicability"] == info.fix_applicability
        if info.fix is FixAvailability.NONE:
            assert item["fix"] == "Fix is not available.", code
        else:
            assert item["fix"].startswith(f"Fix is {info.fix.value} available"), code
        assert item["fix"] in item["explanation"]
    text = run_cli("rule", "ACP202", cwd=project).stdout
    assert "Fix is sometimes available (safe)." in text.splitlines()


def test_internal_error_is_one_line_exit_3(project) -> None:
    """Fault injection: make one rule raise; the CLI names file and rule, exit 3."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from acp_lint.rules.enabled_guard import MissingEnabledGuard\n"
        "def boom(self):\n"
        "    raise RuntimeError('injected')\n"
        "MissingEnabledGuard.check = boom\n"
        "from acp_lint.cli import main\n"
        "sys.exit(main(['acp/views.py']))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True
    )
    assert completed.returncode == 3
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "acp/views.py" in lines[0] and "ACP104" in lines[0] and "injected" in lines[0]
    assert "report" in lines[0]


def test_missing_bindings_is_one_acp203(project) -> None:
    (project / "controlplane.bindings.json").unlink()
    _, payload = run_json(cwd=project)
    missing = [item for item in payload if item["code"] == "ACP203"]
    assert len(missing) == 1
    assert (missing[0]["path"], missing[0]["line"]) == ("controlplane.bindings.json", 1)


def test_project_rules_run_when_only_bindings_json_is_passed(project) -> None:
    (project / "controlplane.bindings.json").write_text(
        '{"kernel_id": "k1", "base_path": "/api/", "endpoint_path": "/api/manage"}\n'
    )
    _, payload = run_json("controlplane.bindings.json", cwd=project)
    assert [(item["path"], item["code"]) for item in payload] == [
        ("controlplane.bindings.json", "ACP203")
    ]


def test_project_rules_run_when_only_a_urlconf_is_passed(project) -> None:
    (project / "site_urls.py").write_text(
        "from django.urls import include, path\n\n"
        "urlpatterns = [\n"
        '    path("api/<str:x>", lambda request, x: None),\n'
        '    path("api/", include("acp.urls")),\n'
        "]\n"
    )
    _, payload = run_json("site_urls.py", cwd=project)
    assert [(item["path"], item["line"], item["code"]) for item in payload] == [
        ("site_urls.py", 4, "ACP201")
    ]


def test_project_rules_skip_unrelated_files(project) -> None:
    (project / "controlplane.bindings.json").write_text("{not json")
    (project / "notes.py").write_text("X = 1\n")
    _, payload = run_json("notes.py", cwd=project)
    assert payload == []


def test_sarif_output(project) -> None:
    completed = run_cli("--output-format", "sarif", cwd=project)
    assert completed.returncode == 1
    document = json.loads(completed.stdout)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "acp-lint"
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} >= {"ACP101", "ACP104"}
    results = [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"]
    ]
    assert results == [("ACP101", 2), ("ACP104", 4)]


def test_github_annotations(project) -> None:
    completed = run_cli("--output-format", "github", cwd=project)
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("::error title=acp-lint (ACP101),file=acp/views.py,line=2,col=7,")
    assert len(lines) == 2
