"""Missing or invalid hub configuration is "hub unavailable": the fail mode decides, doctor fails.

Each case is a fresh server process (the hub configuration is read once per process), with a
live hub stub wherever a variable points at one, to show that nothing is sent to it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from acp_installer.doctor import base_url_problem, doctor, kernel_key_problem
from hostproject import KERNEL_KEY, REPO_ROOT, HostProject, Server
from hubstub import HubStub
from served import Keys
from test_runtime_governance import KINDS, expected
from test_runtime_requests import assert_error

StartServer = Callable[[dict[str, str]], Server]
FAIL_MODES = ["closed", "read-open", "open"]

# name -> (environment given the hub's URL, what the log must say about it)
CASES: dict[str, tuple[Callable[[str], dict[str, str]], str]] = {
    "nothing-set": (lambda url: {}, "ACP_BASE_URL is not set; ACP_KERNEL_KEY is not set"),
    "no-kernel-key": (lambda url: {"ACP_BASE_URL": url}, "ACP_KERNEL_KEY is not set"),
    "blank-kernel-key": (
        lambda url: {"ACP_BASE_URL": url, "ACP_KERNEL_KEY": "  "},
        "ACP_KERNEL_KEY is blank",
    ),
    "blank-base-url": (
        lambda url: {"ACP_BASE_URL": " ", "ACP_KERNEL_KEY": KERNEL_KEY},
        "ACP_BASE_URL is blank",
    ),
    "misspelt-base-url": (
        lambda url: {"ACP_BASE_UR": url, "ACP_KERNEL_KEY": KERNEL_KEY},
        "ACP_BASE_URL is not set; ACP_BASE_UR is set (misspelt ACP_BASE_URL?)",
    ),
    "non-http-url": (
        lambda url: {
            "ACP_BASE_URL": url.replace("http://", "ftp://"),
            "ACP_KERNEL_KEY": KERNEL_KEY,
        },
        "ACP_BASE_URL must start with http:// or https://",
    ),
}


@pytest.fixture
def own_hub() -> Iterator[HubStub]:
    stub = HubStub()
    stub.start()
    yield stub
    stub.stop()


@pytest.mark.parametrize("case", list(CASES))
def test_unconfigured_hub_is_unavailable_in_every_fail_mode(
    fresh_server: StartServer, own_hub: HubStub, keys: Keys, case: str
) -> None:
    make_env, problem = CASES[case]
    srv = fresh_server({"ACP_ENABLED": "true", **make_env(own_hub.url)})
    for mode in FAIL_MODES:
        srv.set_env(ACP_FAIL_MODE=mode)
        for kind, action in KINDS.items():
            reply = srv.call(action, key=keys.rw)
            status, code = expected(mode, "down", kind)
            if code is None:
                assert reply.status == 200, (mode, kind, reply.text)
            else:
                assert_error(reply, status, code)
    assert own_hub.calls() == [], "nothing (no authorisation, no heartbeat) goes to the hub"
    log = srv.log()
    assert f"governance hub NOT configured ({problem})" in log
    assert log.count("ACP initialised") == 1
    assert KERNEL_KEY not in log


URLS = [
    None,
    "",
    "  ",
    "https://hub.example.com",
    "http://127.0.0.1:8080/base/",
    "ftp://hub.example.com",
    "hub.example.com",
    "http://",
    "http://:80",
    "http://hub:99999",
    "http://user:pw@hub.example.com",
    "https://hub.example.com/?x=1",
    "https://hub.example.com/#f",
    "https://hub example.com",
    "https://hüb.example.com",
    "javascript:alert(1)",
]
KERNEL_KEYS = [None, "", " ", "kk-1", "kk 1", "kk\n1", "kk-é"]


def test_doctor_and_the_app_agree_on_what_is_valid(host: HostProject) -> None:
    probe = (
        "import json, sys; from acp import conf; cases = json.loads(sys.argv[1]);"
        "print(json.dumps([[conf.base_url_problem(u) for u in cases[0]],"
        " [conf.kernel_key_problem(k) for k in cases[1]]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, json.dumps([URLS, KERNEL_KEYS])],
        cwd=host.root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(host.root)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    urls, kernel_keys = json.loads(result.stdout)
    assert urls == [base_url_problem(u) for u in URLS]
    assert kernel_keys == [kernel_key_problem(k) for k in KERNEL_KEYS]
    valid = [u for u, problem in zip(URLS, urls, strict=True) if problem is None]
    assert valid == ["https://hub.example.com", "http://127.0.0.1:8080/base/"]
    assert [k for k, problem in zip(KERNEL_KEYS, kernel_keys, strict=True) if not problem] == [
        "kk-1"
    ]


def hub_checks(host: HostProject, environ: dict[str, str]) -> tuple[bool, list[tuple[bool, str]]]:
    report = doctor(host.root, environ)
    return report.healthy, [(c.ok, c.message) for c in report.checks if c.name in ("hub", "env")]


def test_doctor_fails_when_enabled_without_hub_configuration(host: HostProject) -> None:
    full = {
        "ACP_ENABLED": "true",
        "ACP_BASE_URL": "https://hub.example.com",
        "ACP_KERNEL_KEY": KERNEL_KEY,
        "ACP_FAIL_MODE": "closed",
    }
    _, checks = hub_checks(host, full)
    assert (True, "the governance hub is configured") in checks
    assert all(ok for ok, _ in checks), checks

    healthy, checks = hub_checks(host, {**full, "ACP_KERNEL_KEY": ""})
    assert not healthy
    assert (
        False,
        "ACP is enabled but the governance hub is not configured (ACP_KERNEL_KEY is blank): "
        "every action counts as 'hub unavailable', so with ACP_FAIL_MODE=closed every action "
        "is refused",
    ) in checks

    misspelt = {k: v for k, v in full.items() if k != "ACP_BASE_URL"}
    healthy, checks = hub_checks(host, {**misspelt, "ACP_BASE_UR": "https://hub.example.com"})
    assert not healthy
    failures = [message for ok, message in checks if not ok]
    assert "ACP_BASE_UR is set, but ACP reads no such variable (misspelt ACP_BASE_URL?)" in (
        failures
    )
    assert any(m.startswith("ACP is enabled but the governance hub") for m in failures)

    # Disabled: the missing hub is reported per variable, with no "enabled" failure.
    _, checks = hub_checks(host, {**full, "ACP_ENABLED": "false", "ACP_BASE_URL": "ftp://x"})
    assert [m for ok, m in checks if not ok] == [
        "ACP_BASE_URL = 'ftp://x' (ACP_BASE_URL must start with http:// or https://)"
    ]
    assert KERNEL_KEY not in json.dumps(checks)


def test_doctor_cli_reports_the_half_configured_hub(host: HostProject) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO_ROOT),
        "ACP_ENABLED": "true",
        "ACP_FAIL_MODE": "read-open",
        "ACP_BASE_URL": "https://hub.example.com",
    }
    result = subprocess.run(
        [sys.executable, "-m", "acp_installer.cli", "doctor", "--json", str(host.root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    hub = [c for c in report["checks"] if c["check"] == "hub"]
    assert hub == [
        {
            "check": "hub",
            "ok": False,
            "message": "ACP is enabled but the governance hub is not configured "
            "(ACP_KERNEL_KEY is not set): every action counts as 'hub unavailable', so with "
            "ACP_FAIL_MODE=read-open only reads are allowed",
        }
    ]
