"""Importing the generated app reads no ACP variable, connects nowhere, starts no thread."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from apptemplate import app_modules
from hostproject import KERNEL_KEY, HostProject, base_env
from hubstub import HubStub
from probe import spy

PROBE = (
    spy(("socket.connect", "socket.getaddrinfo", "urllib.Request"))
    + r"""
import django

django.setup()  # imports acp.apps and acp.models and runs AcpConfig.ready()

import importlib, pkgutil
import acp

imported = []
for info in pkgutil.walk_packages(acp.__path__, "acp."):
    importlib.import_module(info.name)
    imported.append(info.name)

print(json.dumps({
    "imported": imported,
    "acp_env_reads": sorted({k for k in env_reads if str(k).upper().startswith("ACP")}),
    "network": network,
    "threads": [t.name for t in threading.enumerate()],
}))
"""
)


@pytest.mark.parametrize("with_acp_env", [False, True], ids=["empty-env", "acp-env-set"])
def test_import_of_every_module_is_inert(
    host: HostProject, with_acp_env: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    hub = HubStub()
    hub.start()
    try:
        extra = {}
        if with_acp_env:
            extra = {
                "ACP_ENABLED": "true",
                "ACP_BASE_URL": hub.url,
                "ACP_KERNEL_KEY": KERNEL_KEY,
                "ACP_FAIL_MODE": "closed",
            }
        full = base_env(host.root, **extra)
        env = {k: full[k] for k in ("PATH", "PYTHONPATH", "DJANGO_SETTINGS_MODULE", *extra)}
        result = subprocess.run(
            [sys.executable, "-c", PROBE],
            cwd=tmp_path_factory.mktemp("elsewhere"),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert set(report["imported"]) >= app_modules("django")
        assert "acp.views" in report["imported"]
        assert "acp.migrations.0001_initial" in report["imported"]
        assert report["acp_env_reads"] == []
        assert report["network"] == []
        assert report["threads"] == ["MainThread"]
        assert hub.calls() == []
    finally:
        hub.stop()


def test_probe_would_notice_an_env_read_and_a_connection(host: HostProject) -> None:
    """The probe above is not vacuous: the same spy sees a read and a connect when they happen."""
    hub = HubStub()
    hub.start()
    try:
        probe = PROBE.replace(
            "import importlib, pkgutil",
            f"os.environ.get('ACP_ENABLED'); import urllib.request; "
            f"urllib.request.urlopen('{hub.url}/functions/v1/heartbeat', data=b'{{}}')\n"
            "import importlib, pkgutil",
        )
        env = {k: v for k, v in base_env(host.root).items() if k != "PYTHONDONTWRITEBYTECODE"}
        result = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["acp_env_reads"] == ["ACP_ENABLED"]
        assert any(event == "socket.connect" for event, _ in report["network"])
        assert len(hub.heartbeats()) == 1
    finally:
        hub.stop()
