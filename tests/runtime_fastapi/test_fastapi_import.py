"""Importing the host app and every ACP module reads no variable, connects nowhere, starts no
thread and creates no table; and the synchronous work runs off the event loop."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from apptemplate import app_modules
from fahost import KERNEL_KEY, FastApiHost, UvicornServer, write_host
from hubstub import HubStub
from probe import spy
from served import Keys, http_call

PROBE = (
    spy(("socket.connect", "socket.getaddrinfo", "sqlite3.connect"))
    + r"""
import importlib, pkgutil
import main  # the host app: FastAPI() and include_router(acp_router, ...)
import acp

imported = []
for info in pkgutil.walk_packages(acp.__path__, "acp."):
    importlib.import_module(info.name)
    imported.append(info.name)

print(json.dumps({
    "imported": imported,
    "env_reads": sorted({str(k) for k in env_reads}),
    "network": network,
    "threads": [t.name for t in threading.enumerate()],
    "app": type(main.app).__name__,
}))
"""
)


def test_import_of_the_app_and_every_module_is_inert(tmp_path: Path) -> None:
    root = tmp_path / "host"
    write_host(root)
    database = tmp_path / "never-created.db"
    hub = HubStub()
    hub.start()
    try:
        env = FastApiHost(root, f"sqlite:///{database}").env(
            ACP_ENABLED="true",
            ACP_BASE_URL=hub.url,
            ACP_KERNEL_KEY=KERNEL_KEY,
            ACP_FAIL_MODE="closed",
        )
        result = subprocess.run(
            [sys.executable, "-c", PROBE],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert set(report["imported"]) == app_modules("fastapi")
        assert report["app"] == "FastAPI"
        read = [k for k in report["env_reads"] if k.startswith("ACP") or k.endswith("DATABASE_URL")]
        assert read == []
        assert report["network"] == []
        assert report["threads"] == ["MainThread"]
        assert hub.calls() == []
        assert not database.exists(), "no engine, no connection, no table at import"
    finally:
        hub.stop()


def test_sync_work_runs_off_the_event_loop(
    fa: UvicornServer, fa_hub: HubStub, fa_keys: Keys
) -> None:
    """While requests wait on a slow hub (1 s timeout), the loop answers at once."""
    fa.set_env(ACP_FAIL_MODE="closed")
    fa_hub.mode = "slow"
    waiting: list[int] = []

    def slow_request() -> None:
        waiting.append(fa.call("meta.version", key=fa_keys.rw).status)

    pool = [threading.Thread(target=slow_request) for _ in range(4)]
    for t in pool:
        t.start()
    time.sleep(0.3)  # the four are inside their hub calls now
    started = time.monotonic()
    ping = http_call(fa.port, "GET", "/_test/ping", timeout=10)
    fa.set_env(ACP_ENABLED="false")
    disabled = fa.call("meta.version", key=fa_keys.rw)
    elapsed = time.monotonic() - started
    fa.set_env(ACP_ENABLED="true")
    for t in pool:
        t.join(timeout=30)
    assert ping.status == 200 and disabled.code == "FEATURE_DISABLED"
    assert elapsed < 0.5, f"the event loop was blocked ({elapsed:.2f}s)"
    assert waiting == [503] * 4
