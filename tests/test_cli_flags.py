"""The flags a Ruff user expects (issue 18 §1), each through the real CLI in a subprocess."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from clitools import run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"
SUMMARY = re.compile(r"Found (\d+) errors? \((\d+) fixed, (\d+) remaining\)\.")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the bundled demo inside a directory that holds other things too."""
    project = tmp_path / "work" / "demo"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".acp-lint-cache"))
    return project


def _count(project: Path, *args: str) -> int:
    completed = run_cli("--output-format", "json", "--no-cache", *args, cwd=project)
    assert completed.returncode in (0, 1), completed.stderr
    return len(json.loads(completed.stdout))


# -- 1. --config -------------------------------------------------------------------------


def test_config_of_any_name_is_read_with_top_level_keys(demo: Path) -> None:
    (demo / "lint-ci.toml").write_text('select = ["ACP104"]\n')
    completed = run_cli("--config", "lint-ci.toml", "--no-cache", "acp/views.py", cwd=demo)
    assert completed.returncode == 1, completed.stderr
    codes = set(re.findall(r": (ACP\d{3})", completed.stdout))
    assert codes == {"ACP104"}  # the file's select applied: it was read


def test_config_pyproject_with_tool_table_is_read(demo: Path) -> None:
    other = demo / "ci"
    other.mkdir()
    shutil.copy(DEMO / "acp" / "views.py", other / "views.py")
    (other / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.acp-lint]\nhandlers = ["views.py"]\nselect = ["ACP101"]\n'
    )
    completed = run_cli("--config", "ci/pyproject.toml", "--no-cache", "ci/views.py", cwd=demo)
    assert completed.returncode == 1, completed.stderr
    assert set(re.findall(r": (ACP\d{3})", completed.stdout)) == {"ACP101"}


def test_config_unknown_key_is_exit_2_naming_file_and_key(demo: Path) -> None:
    (demo / "alt.toml").write_text('handlers = ["acp/*.py"]\nselekt = ["ACP1"]\n')
    completed = run_cli("--config", "alt.toml", "acp/views.py", cwd=demo)
    assert completed.returncode == 2
    assert "alt.toml" in completed.stderr and "'selekt'" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_config_with_a_tool_table_and_other_keys_is_an_error(demo: Path) -> None:
    (demo / "alt.toml").write_text('select = ["ACP1"]\n\n[tool.acp-lint]\nselect = ["ACP2"]\n')
    completed = run_cli("--config", "alt.toml", "acp/views.py", cwd=demo)
    assert completed.returncode == 2
    assert "top level" in completed.stderr


def test_config_outside_the_project_never_passes_silently(demo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "acp-lint.toml").write_text('select = ["ACP1"]\n')
    assert _count(demo, "acp/views.py") == 6
    completed = run_cli("--config", str(elsewhere / "acp-lint.toml"), "acp/views.py", cwd=demo)
    assert completed.returncode == 2
    assert "outside the project root" in completed.stderr
    assert str(elsewhere) in completed.stderr
    assert "All checks passed" not in completed.stdout


def test_config_above_the_project_whose_globs_match_nothing_warns(demo: Path) -> None:
    (demo.parent / "acp-lint.toml").write_text('handlers = ["acp/*.py"]\n')
    completed = run_cli("--config", "../acp-lint.toml", "--no-cache", "acp/views.py", cwd=demo)
    assert completed.returncode == 0
    assert "no given file matches the handlers/migrations globs" in completed.stderr
    assert str(demo.parent) in completed.stderr
    # Globs written relative to the config file's directory (the root) do match.
    (demo.parent / "acp-lint.toml").write_text('handlers = ["demo/acp/*.py"]\n')
    completed = run_cli("--config", "../acp-lint.toml", "--no-cache", "acp/views.py", cwd=demo)
    assert completed.returncode == 1 and "warning" not in completed.stderr


def test_config_file_not_found_is_exit_2(demo: Path) -> None:
    completed = run_cli("--config", "missing.toml", cwd=demo)
    assert completed.returncode == 2 and "missing.toml: config file not found" in completed.stderr


def test_urlconf_as_a_file_path_names_the_dotted_module(demo: Path) -> None:
    (demo / "acp-lint.toml").write_text('urlconf = "shop/urls.py"\n')
    completed = run_cli(cwd=demo)
    assert completed.returncode == 2
    assert "'urlconf'" in completed.stderr and "dotted module" in completed.stderr
    assert "'shop.urls'" in completed.stderr
    (demo / "acp-lint.toml").write_text('urlconf = "shop.urls"\n')
    assert run_cli("--no-cache", cwd=demo).returncode == 1


# -- 2. fix summaries ----------------------------------------------------------------------


def test_fix_summaries_add_up_to_what_a_check_reports(demo: Path) -> None:
    total = _count(demo)
    assert total == 10  # the ten places the README promises
    views = _count(demo, "acp/views.py")
    safe = run_cli("--fix", "--no-cache", "acp/views.py", cwd=demo)
    found, fixed, remaining = map(int, SUMMARY.search(safe.stdout).groups())
    assert found == views and fixed + remaining == found
    assert remaining == _count(demo, "acp/views.py")
    unsafe = run_cli("--fix", "--unsafe-fixes", "--no-cache", "acp/views.py", cwd=demo)
    found, fixed, remaining = map(int, SUMMARY.search(unsafe.stdout).groups())
    assert found == views - 2  # what the safe run said remained
    assert (fixed, remaining) == (found, 0)
    assert remaining == _count(demo, "acp/views.py")


def test_whole_demo_fix_counts_every_finding_once(demo: Path) -> None:
    completed = run_cli("--fix", "--unsafe-fixes", "--no-cache", cwd=demo)
    found, fixed, remaining = map(int, SUMMARY.search(completed.stdout).groups())
    assert found == 10
    assert remaining == _count(demo) and fixed == found - remaining


# -- 3. formats, environment, empty input ------------------------------------------------


def test_statistics_json_is_json(demo: Path) -> None:
    completed = run_cli("--statistics", "--output-format", "json", "--no-cache", cwd=demo)
    assert completed.returncode == 1
    rows = json.loads(completed.stdout)
    assert sum(row["count"] for row in rows) == _count(demo)
    by_code = {row["code"]: row for row in rows}
    assert by_code["ACP104"]["fixable"] is True and by_code["ACP104"]["fixable_count"] == 2
    assert by_code["ACP201"]["name"] == "route-collision"


def test_invalid_output_format_from_the_environment_is_exit_2(demo: Path) -> None:
    completed = run_cli(cwd=demo, env={"ACP_LINT_OUTPUT_FORMAT": "xml"})
    assert completed.returncode == 2
    assert "ACP_LINT_OUTPUT_FORMAT" in completed.stderr and "'xml'" in completed.stderr
    valid = run_cli("--no-cache", cwd=demo, env={"ACP_LINT_OUTPUT_FORMAT": "json"})
    assert len(json.loads(valid.stdout)) == 10


def test_every_environment_variable_read_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    pattern = re.compile(r"\"(ACP_LINT_[A-Z_]+|NO_COLOR|FORCE_COLOR)\"")
    read = set()
    for path in (REPO / "acp_lint").rglob("*.py"):
        read |= set(pattern.findall(path.read_text()))
    assert {"ACP_LINT_OUTPUT_FORMAT", "ACP_LINT_NO_CACHE", "NO_COLOR"} <= read
    missing = sorted(name for name in read if f"`{name}" not in readme)
    assert not missing


def test_empty_directory_says_there_is_nothing_to_check(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_tree(tmp_path, {"notes/readme.txt": "hello\n"})
    for target in ("empty", "notes"):
        completed = run_cli(target, cwd=tmp_path)
        assert completed.returncode == 0
        assert "No Python, SQL or bindings files found" in completed.stderr
        assert "All checks passed" not in completed.stdout
    as_json = run_cli("empty", "--output-format", "json", cwd=tmp_path)
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == []


# -- 4. output flags ---------------------------------------------------------------------


def test_quiet_prints_only_the_findings(demo: Path) -> None:
    args = ("--output-format", "concise", "--no-cache", "acp/views.py")
    loud = run_cli(*args, cwd=demo)
    quiet = run_cli("--quiet", *args, cwd=demo)
    assert quiet.returncode == loud.returncode == 1
    assert "Found" in loud.stdout and "Found" not in quiet.stdout
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]
    assert len(quiet.stdout.splitlines()) == 6
    (demo / "empty").mkdir()
    silent = run_cli("-q", "empty", cwd=demo)
    assert silent.returncode == 0 and silent.stdout == silent.stderr == ""


def test_verbose_says_what_is_checked_on_stderr(demo: Path) -> None:
    plain = run_cli("--no-cache", "acp", cwd=demo)
    verbose = run_cli("--verbose", "--no-cache", "acp", cwd=demo)
    assert verbose.stdout == plain.stdout  # the report is unchanged
    assert "acp-lint: root: " + str(demo) in verbose.stderr
    assert "checking acp/views.py (handler)" in verbose.stderr
    assert "checking acp/sql/0002_cleanup.sql (migration)" in verbose.stderr
    assert "catalog/views.py" not in verbose.stderr  # not under the given path
    assert run_cli("-q", "-v", cwd=demo).returncode == 2  # contradictory


def test_output_file_holds_the_report(demo: Path) -> None:
    target = demo / "reports" / "lint.json"
    completed = run_cli("--output-format", "json", "--no-cache", "-o", str(target), cwd=demo)
    assert completed.returncode == 1 and completed.stdout == ""
    assert len(json.loads(target.read_text())) == 10
    (demo / "blocker").write_text("a file, not a directory\n")
    failed = run_cli("--output-file", "blocker/x.txt", cwd=demo)
    assert failed.returncode == 2 and "--output-file blocker/x.txt" in failed.stderr


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        ((), {}, False),  # a pipe
        (("--color", "always"), {}, True),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
        ((), {"FORCE_COLOR": "1", "NO_COLOR": ""}, True),
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
    ],
)
def test_color_flag_and_force_color(
    demo: Path, args: tuple[str, ...], env: dict[str, str], colored: bool
) -> None:
    completed = run_cli(*args, "--output-format", "concise", "acp/views.py", cwd=demo, env=env)
    assert completed.returncode == 1
    assert ("\033[" in completed.stdout) is colored


def test_exit_non_zero_on_fix(demo: Path) -> None:
    (demo / "acp-lint.toml").write_text('select = ["ACP104"]\n')
    completed = run_cli("--fix", "--exit-non-zero-on-fix", "--no-cache", "acp/views.py", cwd=demo)
    assert "Found 2 errors (2 fixed, 0 remaining)." in completed.stdout
    assert completed.returncode == 1
    again = run_cli("--fix", "--exit-non-zero-on-fix", "--no-cache", "acp/views.py", cwd=demo)
    assert again.returncode == 0  # nothing left to fix, nothing changed
    both = run_cli("--exit-zero", "--exit-non-zero-on-fix", cwd=demo)
    assert both.returncode == 2


def test_show_fixes_lists_applied_and_available_fixes(demo: Path) -> None:
    available = run_cli("--show-fixes", "--no-cache", "acp/views.py", cwd=demo)
    assert "Fixes available:" in available.stdout
    assert available.stdout.count("ACP104 (safe, --fix)") == 2
    applied = run_cli("--fix", "--show-fixes", "--no-cache", "acp/views.py", cwd=demo)
    assert "Fixed 2 errors:\n- acp/views.py:\n    2 × ACP104 (missing-enabled-guard)" in (
        applied.stdout
    )


def test_rule_json(tmp_path: Path) -> None:
    one = run_cli("rule", "ACP104", "--output-format", "json", cwd=tmp_path)
    assert one.returncode == 0
    document = json.loads(one.stdout)
    assert document["code"] == "ACP104" and document["name"] == "missing-enabled-guard"
    text = run_cli("rule", "ACP104", cwd=tmp_path).stdout
    assert document["explanation"] == text
    every = json.loads(run_cli("rule", "--all", "--output-format", "json", cwd=tmp_path).stdout)
    listed = run_cli("rule", "--all", cwd=tmp_path).stdout
    assert [item["code"] for item in every] == re.findall(r"^# [\w-]+ \((ACP\d+)\)$", listed, re.M)
    assert run_cli("rule", "ACP999", "--output-format", "json", cwd=tmp_path).returncode == 2


# -- 5. files, settings, excludes, stdin -------------------------------------------------


def _show_files(project: Path, *args: str) -> dict[str, tuple[str, str]]:
    completed = run_cli("--show-files", *args, cwd=project)
    assert completed.returncode == 0, completed.stderr
    rows = [line.split("\t") for line in completed.stdout.splitlines()]
    return {path: (role, reason) for path, role, reason in rows}


def test_show_files_gives_the_role_and_the_reason(demo: Path) -> None:
    files = _show_files(demo)
    assert files["acp/views.py"][0] == "handler"
    assert files["acp/views.py"][1].startswith("heuristic: a module of the ACP app directory acp/")
    assert files["acp/sql/0002_cleanup.sql"] == (
        "migration",
        "heuristic: a migration of the ACP app",
    )
    assert files["catalog/views.py"][0] == "-"
    assert files["catalog/views.py"][1].startswith("heuristic: no ACP signal")
    # The roles are the ones the check uses: every file with a finding is in scope or a URLconf.
    findings = json.loads(run_cli("--output-format", "json", "--no-cache", cwd=demo).stdout)
    for item in findings:
        assert files[item["path"]][0] != "-" or item["code"].startswith("ACP2")
    (demo / "acp-lint.toml").write_text('handlers = ["acp/views.py"]\n')
    files = _show_files(demo)
    assert files["acp/views.py"] == ("handler", "config: matches handlers ['acp/views.py']")
    assert files["acp/apps.py"] == ("-", "config: matches neither handlers nor migrations")
    (demo / "acp-lint.toml").unlink()
    write_tree(demo, {".acp/manifest.json": json.dumps({"files": {"acp/views.py": "handler"}})})
    files = _show_files(demo, "acp/views.py")
    assert list(files) == ["acp/views.py"]
    assert files["acp/views.py"][1].startswith("manifest: ")


def test_show_settings(demo: Path) -> None:
    (demo / "acp-lint.toml").write_text('select = ["ACP1"]\nsql-dialect = "sqlite"\n')
    completed = run_cli("--show-settings", cwd=demo)
    assert completed.returncode == 0
    settings = dict(line.split(" = ", 1) for line in completed.stdout.splitlines())
    assert settings["config-file"] == repr(str(demo / "acp-lint.toml"))
    assert settings["root"] == repr(str(demo))
    assert settings["sql-dialect"] == "'sqlite'"
    assert settings["rules"] == repr(["ACP000", "ACP101", "ACP102", "ACP103", "ACP104"])
    assert settings["scope"].startswith("'heuristic")


def test_force_exclude_applies_excludes_to_named_files(demo: Path) -> None:
    (demo / "acp-lint.toml").write_text('extend-exclude = ["acp/sql"]\n')
    named = "acp/sql/0002_cleanup.sql"
    assert run_cli("--no-cache", named, cwd=demo).returncode == 1  # named: checked
    forced = run_cli("--force-exclude", "--no-cache", named, "acp/views.py", cwd=demo)
    assert forced.returncode == 1
    assert "0002_cleanup" not in forced.stdout and "acp/views.py" in forced.stdout
    alone = run_cli("--force-exclude", "--no-cache", named, cwd=demo)
    assert alone.returncode == 0 and "No Python, SQL or bindings files" in alone.stderr


def test_stdin_filename_reports_under_that_name(demo: Path) -> None:
    import subprocess
    import sys

    source = (demo / "acp" / "views.py").read_bytes()
    (demo / "acp" / "views.py").write_text("")  # what is on disk must not matter

    def lint(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "acp_lint", *args],
            cwd=demo,
            input=source,
            capture_output=True,
            env={**__import__("os").environ, "NO_COLOR": "1"},
            timeout=300,
        )

    completed = lint("--stdin-filename", "acp/views.py", "--output-format", "json", "-")
    assert completed.returncode == 1, completed.stderr
    payload = json.loads(completed.stdout)
    assert {item["path"] for item in payload} == {"acp/views.py"} and len(payload) == 6
    fixed = lint("--stdin-filename", "acp/views.py", "--fix", "-")
    guard = b'os.environ.get("ACP_ENABLED", "").strip().lower() != "true"'
    assert fixed.stdout.count(guard) == source.count(guard) + 2  # the fixed source
    assert b"2 fixed" in fixed.stderr  # the report goes to stderr
    assert (demo / "acp" / "views.py").read_text() == ""  # nothing written
    assert lint("-").returncode == 2
    assert lint("--stdin-filename", "acp/views.py", "acp/urls.py").returncode == 2


def test_a_bad_progress_delay_does_not_fail_the_run(demo: Path) -> None:
    completed = run_cli(cwd=demo, env={"ACP_LINT_PROGRESS_AFTER": "soon"})
    assert completed.returncode == 1 and "internal error" not in completed.stderr


def test_the_current_directory_deleted_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    gone = tmp_path / "gone"
    gone.mkdir()
    script = f'cd "{gone}" && rmdir "{gone}" && exec "{sys.executable}" -m acp_lint'
    completed = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert "current directory no longer exists" in completed.stderr


# -- 6. --add-noqa -----------------------------------------------------------------------


def test_add_noqa_suppresses_every_python_finding_it_can_annotate(demo: Path) -> None:
    before = json.loads(run_cli("--output-format", "json", "--no-cache", cwd=demo).stdout)
    completed = run_cli("--add-noqa", "--no-cache", cwd=demo)
    assert completed.returncode == 0
    added = int(re.search(r"Added (\d+) noqa directives?\.", completed.stderr).group(1))
    after = json.loads(run_cli("--output-format", "json", "--no-cache", cwd=demo).stdout)
    views = (demo / "acp" / "views.py").read_text()
    assert 'os.getenv("ACP_KERNEL_KEY"))  # noqa: ACP101, ACP102\n' in views
    assert {item["path"] for item in after} <= {item["path"] for item in before}
    assert not any(item["path"] == "acp/views.py" for item in after)
    lines = {(item["path"], item["line"]) for item in before if item["path"].endswith(".py")}
    assert added == len(lines) - sum(1 for item in after if item["path"].endswith(".py"))
    compile(views, "views.py", "exec")  # still Python
    again = run_cli("--add-noqa", "--no-cache", cwd=demo)
    assert "Added 0 noqa directives." in again.stderr


def test_add_noqa_joins_an_existing_directive(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "acp-lint.toml": 'handlers = ["acp/*.py"]\nselect = ["ACP1"]\n',
            "acp/views.py": "import os\nKEY = os.environ['ACP_KEY']  # noqa: E501\n",
        },
    )
    assert run_cli("--add-noqa", "--no-cache", cwd=tmp_path).returncode == 0
    text = (tmp_path / "acp" / "views.py").read_text()
    assert text == "import os\nKEY = os.environ['ACP_KEY']  # noqa: E501, ACP101\n"
    assert run_cli("--no-cache", cwd=tmp_path).returncode == 0
    assert run_cli("--add-noqa", "--fix", cwd=tmp_path).returncode == 2


def test_unused_suppressions_are_reported_as_warnings(demo: Path) -> None:
    views = demo / "acp" / "views.py"
    text = views.read_text()
    assert 'KERNEL_ID = "demo-shop"\n' in text
    views.write_text(
        text.replace('KERNEL_ID = "demo-shop"\n', 'KERNEL_ID = "demo-shop"  # noqa: ACP101, E501\n')
        .replace(
            'HUB_URL = os.environ["ACP_BASE_URL"]\n',
            'HUB_URL = os.environ["ACP_BASE_URL"]  # acp-lint: ignore[ACP101] legacy\n',
        )
        .replace("def manage(request):\n", "def manage(request):  # noqa\n")
    )
    completed = run_cli("--no-cache", "--output-format", "concise", "acp/views.py", cwd=demo)
    warnings = [line for line in completed.stderr.splitlines() if "unused suppression" in line]
    # Only the ACP code that suppresses nothing: not the used one, not E501, not a bare noqa.
    assert warnings == [
        "warning: acp/views.py:11:26: unused suppression of ACP101: "
        "nothing to suppress on this statement"
    ]
    assert "acp/views.py:12:" not in completed.stdout  # the used suppression still works
    assert completed.returncode == 1  # warnings do not change the exit code
    quiet = run_cli("-q", "--no-cache", "acp/views.py", cwd=demo)
    assert "unused suppression" not in quiet.stderr


def test_a_warm_run_with_suppressions_imports_neither_libcst_nor_sqlglot(demo: Path) -> None:
    import subprocess
    import sys

    views = demo / "acp" / "views.py"
    views.write_text(views.read_text().replace('"demo-shop"\n', '"demo-shop"  # noqa: ACP101\n'))
    assert "unused suppression" in run_cli("acp/views.py", cwd=demo).stderr  # warms the cache
    probe = (
        "import sys\nfrom acp_lint.cli import main\nrc = main(['acp/views.py'])\n"
        "print('libcst' in sys.modules, 'sqlglot' in sys.modules, rc, file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=demo, capture_output=True, text=True, timeout=120
    )
    assert "unused suppression of ACP101" in completed.stderr
    assert completed.stderr.strip().endswith("False False 1")
