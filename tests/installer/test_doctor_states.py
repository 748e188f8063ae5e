"""``echelon doctor`` reports the install's state and fails only on misconfiguration.

Every case runs the real CLI on a real ``startproject`` host installed by the real installer;
the text's last line and the JSON's ``state`` say the same thing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from installer_helpers import echelon

HUB = {"ACP_BASE_URL": "https://hub.example.com", "ACP_KERNEL_KEY": "not-printed-secret"}


def doctor(project: Path, env: dict[str, str]) -> tuple[int, list[str], dict[str, object]]:
    """Exit code, text lines and JSON of ``echelon doctor`` under exactly ``env``'s ACP_*."""
    text = echelon("doctor", ".", cwd=project, env=env)
    data = echelon("doctor", "--json", ".", cwd=project, env=env)
    assert text.returncode == data.returncode, (text.stdout, data.stdout)
    assert "Traceback" not in text.stderr + data.stderr
    assert "not-printed-secret" not in text.stdout + data.stdout
    report = json.loads(data.stdout)
    assert report["healthy"] is (text.returncode == 0)
    return text.returncode, text.stdout.splitlines(), report


def failures(report: dict[str, object]) -> list[str]:
    return [c["message"] for c in report["checks"] if not c["ok"]]  # type: ignore[index,union-attr]


@pytest.fixture(scope="module")
def installed(templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One installed host for the module: doctor only reads it, and the states are the env's."""
    project = tmp_path_factory.mktemp("doctor-states") / "default"
    shutil.copytree(templates["default"], project, symlinks=True)
    done = echelon("install", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    return project


def test_nothing_set_is_installed_and_disabled(installed: Path) -> None:
    code, lines, report = doctor(installed, {})
    assert code == 0, lines
    assert lines[-1] == "echelon doctor: healthy (installed, disabled)"
    assert report["state"] == "installed, disabled"
    assert failures(report) == []
    assert "ok   env       ACP_FAIL_MODE is not set (default open)" in lines
    assert "ok   env       ACP_ENABLED is not set (disabled: only 'true' enables the endpoint)" in (
        lines
    )
    assert "ok   env       ACP_BASE_URL is not set (needed only when ACP_ENABLED=true)" in lines
    # The JSON keeps its shape: command, project, healthy, checks; state is added.
    assert set(report) == {"command", "project", "healthy", "state", "checks"}
    assert report["command"] == "doctor" and Path(str(report["project"])) == installed.resolve()


@pytest.mark.parametrize("value", ["false", "yes"])
def test_anything_but_true_is_disabled_not_a_failure(installed: Path, value: str) -> None:
    code, lines, report = doctor(installed, {"ACP_ENABLED": value})
    assert code == 0, lines
    assert report["state"] == "installed, disabled"
    assert lines[-1] == "echelon doctor: healthy (installed, disabled)"
    assert any(
        line.startswith(f"ok   env       ACP_ENABLED = {value!r} (disabled") for line in lines
    )


def test_enabled_states_name_the_fail_mode(installed: Path) -> None:
    code, lines, report = doctor(installed, {"ACP_ENABLED": " True ", **HUB})
    assert code == 0, failures(report)
    assert report["state"] == "installed, enabled, fail mode open (default)"
    assert lines[-1] == "echelon doctor: healthy (installed, enabled, fail mode open (default))"

    env = {"ACP_ENABLED": "true", "ACP_FAIL_MODE": "closed", **HUB}
    code, lines, report = doctor(installed, env)
    assert code == 0, failures(report)
    # docs/production-install-guide.md shows this run ending "echelon doctor: healthy".
    assert lines[-1] == "echelon doctor: healthy (installed, enabled, fail mode closed)"
    assert "ok   hub       the governance hub is configured" in lines


def test_enabled_without_hub_configuration_fails(installed: Path) -> None:
    code, lines, report = doctor(installed, {"ACP_ENABLED": "true", "ACP_FAIL_MODE": "read-open"})
    assert code == 1
    assert lines[-1] == "echelon doctor: NOT healthy (installed, enabled, fail mode read-open)"
    assert report["state"] == "installed, enabled, fail mode read-open"
    assert failures(report) == [
        "ACP_BASE_URL is not set",
        "ACP_KERNEL_KEY is not set",
        "ACP is enabled but the governance hub is not configured (ACP_BASE_URL is not set; "
        "ACP_KERNEL_KEY is not set): every action counts as 'hub unavailable', so with "
        "ACP_FAIL_MODE=read-open only reads are allowed",
    ]


@pytest.mark.parametrize("enabled", ["false", "true"])
def test_an_invalid_fail_mode_fails_naming_the_valid_values(installed: Path, enabled: str) -> None:
    code, lines, report = doctor(
        installed, {"ACP_ENABLED": enabled, "ACP_FAIL_MODE": "clsoed", **HUB}
    )
    assert code == 1
    assert failures(report) == [
        "ACP_FAIL_MODE = 'clsoed' is not a valid fail mode: expected one of open, closed, "
        "read-open (an unknown value acts as closed)"
    ]
    state = "installed, disabled"
    if enabled == "true":
        state = "installed, enabled, fail mode invalid (acts as closed)"
    assert report["state"] == state
    assert lines[-1] == f"echelon doctor: NOT healthy ({state})"


def test_not_installed_and_migrations_only(project: Path) -> None:
    code, lines, report = doctor(project, {})
    assert code == 1
    assert lines[-1] == "echelon doctor: NOT healthy (not installed)"
    assert report["state"] == "not installed"
    assert ".acp/manifest.json not found: ACP is not installed here" in failures(report)

    done = echelon("install", "--migrations-only", ".", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    code, lines, report = doctor(project, {})
    assert code == 0, failures(report)
    assert lines[-1] == "echelon doctor: healthy (installed (migrations only, no route), disabled)"


def test_a_set_but_unusable_hub_value_fails_even_while_disabled(installed: Path) -> None:
    env = {"ACP_BASE_URL": "ftp://hub", "ACP_KERNEL_KEY": "not-printed-secret with space"}
    code, lines, report = doctor(installed, env)
    assert code == 1
    assert failures(report) == [
        "ACP_BASE_URL = 'ftp://hub' (ACP_BASE_URL must start with http:// or https://)",
        "ACP_KERNEL_KEY set (ACP_KERNEL_KEY contains spaces, control or non-ASCII characters)",
    ]
    assert lines[-1] == "echelon doctor: NOT healthy (installed, disabled)"


def test_an_unreadable_manifest_is_not_called_not_installed(
    installed: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(installed, broken, symlinks=True)
    (broken / ".acp" / "manifest.json").write_text("{not json")
    code, lines, report = doctor(broken, {})
    assert code == 1
    assert report["state"] == "manifest unreadable"
    assert lines[-1] == "echelon doctor: NOT healthy (manifest unreadable)"
    assert any("manifest" in message for message in failures(report))


def test_acp_in_another_settings_list_is_not_an_installed_app(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    """doctor looks for the app where Django does: "acp" taken out of INSTALLED_APPS but left in
    ALLOWED_HOSTS (a list of the same file) is reported, not counted as registered."""
    project = tmp_path / "host"
    shutil.copytree(templates["default"], project, symlinks=True)
    assert echelon("install", ".", cwd=project).returncode == 0
    settings = next(project.glob("*/settings.py"))
    text = settings.read_text()
    assert "    'acp',\n" in text
    text = text.replace("    'acp',\n", "", 1).replace(
        "ALLOWED_HOSTS = []", 'ALLOWED_HOSTS = ["acp"]'
    )
    settings.write_text(text)
    code, _, report = doctor(project, {})
    rel = settings.relative_to(project).as_posix()
    assert code == 1
    assert f"{rel}: 'acp' is not in INSTALLED_APPS" in failures(report)
