"""Anonymous floods cannot grow the audit table without bound; client text cannot forge logs;
the heartbeat names the installed environment."""

from __future__ import annotations

import importlib.util
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from apptemplate import template_files
from hostproject import HostProject, Server, hub_env, write_bindings
from hubstub import HubStub
from served import Keys
from test_runtime_lifecycle import wait_for
from test_runtime_requests import assert_error

StartServer = Callable[[dict[str, str]], Server]
BURST, PER_SECOND = 100, 1.0  # acp.throttle


def test_unauthenticated_audit_rows_are_rate_limited(
    fresh_server: StartServer, host: HostProject, keys: Keys
) -> None:
    srv = fresh_server({"ACP_ENABLED": "true"})
    before = host.audit_count()
    started = time.monotonic()
    variants = [
        {},
        {"headers": {"Authorization": "Bearer acp_0123456789ab_" + "x" * 43}},
        {"method": "GET"},
    ]
    sent = BURST + 50
    for index in range(sent):
        reply = srv.call("meta.version", **variants[index % 3])
        assert reply.status in (401, 405) and reply.request_id, reply.text
    elapsed = time.monotonic() - started
    added = host.audit_count() - before
    print(f"\nthrottle: {sent} anonymous requests in {elapsed:.2f}s wrote {added} rows")
    assert BURST <= added <= BURST + PER_SECOND * elapsed + 1
    assert added < sent
    assert "over the limit" in srv.log()

    # A request with a valid key is never limited.
    ok = srv.call("meta.version", key=keys.rw)
    assert ok.status == 200
    assert len(host.audit_rows([ok.request_id])[ok.request_id]) == 1


def load_template_module(name: str) -> ModuleType:
    """A dependency-free module of the app, loaded from the template on its own."""
    spec = importlib.util.spec_from_file_location(
        f"acp_template_{name}", template_files("django")[f"{name}.py"]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_limiter_refills_and_reports_what_it_dropped(caplog: pytest.LogCaptureFixture) -> None:
    throttle = load_template_module("throttle")
    now = [1000.0]
    limiter = throttle.AuditLimiter(burst=3, per_second=0.5, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="acp")
    assert [limiter.admit() for _ in range(5)] == [True, True, True, False, False]
    assert len(caplog.records) == 1 and "over the limit" in caplog.records[0].getMessage()
    now[0] += 2.0  # one token back
    assert [limiter.admit(), limiter.admit()] == [True, False]
    now[0] += throttle.REPORT_SECONDS  # bucket full again; the count of 3 drops is reported
    assert limiter.admit() is True
    assert (
        caplog.records[-1]
        .getMessage()
        .startswith("3 requests without a valid API key were answered but not audited")
    )
    assert [limiter.admit() for _ in range(3)] == [True, True, False]


def test_action_names_cannot_forge_log_lines(acp: Server, host: HostProject, keys: Keys) -> None:
    forged = "x.y\nERROR forged entry 7731\r\nINFO request 0 ok\u2028tail\x1b[31m"
    reply = acp.call(forged, key=keys.rw)
    assert_error(reply, 404, "UNKNOWN_ACTION")
    wait_for(lambda: reply.request_id in acp.log())
    lines = acp.log().splitlines()
    (refused,) = [line for line in lines if reply.request_id in line]
    assert "x.y\\nERROR forged entry 7731\\r\\nINFO request 0 ok\\u2028tail\\x1b[31m" in refused
    assert not any(line.startswith(("ERROR forged", "INFO request 0")) for line in lines)
    assert "\x1b" not in acp.log() and "\u2028" not in acp.log()
    # The audit row keeps what the client sent (a column, not a line-oriented log).
    (row,) = host.audit_rows([reply.request_id])[reply.request_id]
    assert row["action"] == forged


def test_long_action_names_are_cut_in_the_log(acp: Server, keys: Keys) -> None:
    reply = acp.call("a." + "b" * 5000, key=keys.rw)
    assert_error(reply, 404, "UNKNOWN_ACTION")
    wait_for(lambda: reply.request_id in acp.log())
    (refused,) = [line for line in acp.log().splitlines() if reply.request_id in line]
    assert "...[cut]" in refused and len(refused) < 600


def test_heartbeat_names_the_installed_environment(
    fresh_server: StartServer, host: HostProject, keys: Keys, tmp_path: Path
) -> None:
    installed = json.loads(host.bindings_path.read_text())
    assert installed["env"] == "development"  # written by `echelon install --env development`
    hub = HubStub()
    hub.start()
    try:
        env = {k: v for k, v in hub_env(hub).items() if k != "ACP_ENV"}
        srv = fresh_server({"ACP_ENABLED": "true", **env})
        assert srv.call("meta.version", key=keys.rw).status == 200
        assert wait_for(lambda: len(hub.heartbeats()) == 1)
        assert hub.heartbeats()[0].body["env"] == "development"

        # Bindings without "env" (written by hand or by an older installer): "unknown".
        hub.clear()
        bare = tmp_path / "controlplane.bindings.json"
        write_bindings(bare)
        assert "env" not in json.loads(bare.read_text())
        srv = fresh_server({"ACP_ENABLED": "true", "ACP_BINDINGS_FILE": str(bare), **env})
        assert srv.call("meta.version", key=keys.rw).status == 200
        assert wait_for(lambda: len(hub.heartbeats()) == 1)
        assert hub.heartbeats()[0].body["env"] == "unknown"
    finally:
        hub.stop()
