"""Per-process lifecycle: lazy init once, retried after failure, heartbeat once, in background."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hostproject import KERNEL_ID, KERNEL_KEY, Server, hub_env, write_bindings
from hubstub import HubStub
from served import Keys
from test_runtime_requests import assert_error

StartServer = Callable[[dict[str, str]], Server]


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_heartbeat_exactly_once_after_200_concurrent_first_requests(
    fresh_server: StartServer, keys: Keys
) -> None:
    hub = HubStub()
    hub.start()
    try:
        srv = fresh_server({"ACP_ENABLED": "true", **hub_env(hub)})
        time.sleep(0.5)
        assert hub.calls() == [], "nothing is sent before the first request"

        threads, per_thread = 20, 10
        barrier = threading.Barrier(threads)
        statuses: list[int] = []
        lock = threading.Lock()

        def client() -> None:
            barrier.wait()
            for _ in range(per_thread):
                reply = srv.call("meta.version", key=keys.rw)
                with lock:
                    statuses.append(reply.status)

        pool = [threading.Thread(target=client) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=60)
        assert statuses == [200] * (threads * per_thread)

        assert wait_for(lambda: len(hub.heartbeats()) >= 1)
        time.sleep(0.5)
        (beat,) = hub.heartbeats()
        assert beat.authorization == f"Bearer {KERNEL_KEY}"
        assert beat.body["kernel_id"] == KERNEL_ID
        assert beat.body["env"] == "test"
        assert isinstance(beat.body["version"], str) and beat.body["version"]
        names = {a["name"] for a in beat.body["actions"]}
        assert {"meta.actions", "meta.version", "iam.keys.list", "iam.keys.revoke"} <= names
        assert {"test.write", "test.echo"} <= names
        assert {a["kind"] for a in beat.body["actions"] if a["name"] == "test.write"} == {"write"}
        assert len(hub.authorize_calls()) == threads * per_thread
        assert srv.log().count("ACP initialised") == 1
    finally:
        hub.stop()


def test_failed_init_is_retried_and_heartbeat_never_blocks(
    fresh_server: StartServer, keys: Keys, tmp_path
) -> None:
    hub = HubStub()
    hub.heartbeat_delay = 5.0  # a hub that takes ages to acknowledge the heartbeat
    hub.start()
    bindings = tmp_path / "later" / "controlplane.bindings.json"
    try:
        env = {
            "ACP_ENABLED": "true",
            "ACP_BINDINGS_FILE": str(bindings),
            **hub_env(hub, timeout="3"),
        }
        srv = fresh_server(env)
        for _ in range(2):
            reply = srv.call("meta.version", key=keys.rw)
            assert_error(reply, 503, "INIT_FAILED")
            assert "controlplane.bindings.json" not in reply.text
        assert srv.log().count("ACP initialisation failed") == 2, "retried, not cached"
        assert hub.calls() == [], "no heartbeat (and no authorisation) without an init"

        bindings.parent.mkdir()
        write_bindings(bindings, kernel_id="kern-late")
        started = time.monotonic()
        reply = srv.call("meta.version", key=keys.rw)
        elapsed = time.monotonic() - started
        assert reply.status == 200, reply.text
        assert reply.json["data"]["kernel_id"] == "kern-late"
        assert elapsed < 2.5, f"the request waited for the heartbeat ({elapsed:.2f}s)"
        assert wait_for(lambda: len(hub.heartbeats()) == 1)
        assert hub.heartbeats()[0].body["kernel_id"] == "kern-late"
        for _ in range(3):
            assert srv.call("meta.version", key=keys.rw).status == 200
        assert len(hub.heartbeats()) == 1
    finally:
        hub.stop()


def test_invalid_bindings_fail_init_cleanly(
    fresh_server: StartServer, keys: Keys, tmp_path
) -> None:
    bindings = tmp_path / "controlplane.bindings.json"
    bindings.write_text('{"kernel_id": "k", "base_path": "/api", "endpoint_path": "/x/manage"}')
    srv = fresh_server({"ACP_ENABLED": "true", "ACP_BINDINGS_FILE": str(bindings)})
    assert_error(srv.call("meta.version", key=keys.rw), 503, "INIT_FAILED")
    bindings.write_text("{broken")
    assert_error(srv.call("meta.version", key=keys.rw), 503, "INIT_FAILED")
    write_bindings(bindings, kernel_id="kern-fixed")
    assert srv.call("meta.version", key=keys.rw).json["data"]["kernel_id"] == "kern-fixed"


def test_host_actions_are_listed_with_their_declarations(acp: Server, keys: Keys) -> None:
    reply = acp.call("meta.actions", key=keys.ro)
    assert reply.status == 200
    actions = {a["name"]: a for a in reply.json["data"]["actions"]}
    assert actions["meta.version"] == {
        "name": "meta.version",
        "kind": "read",
        "scope": "manage.read",
        "description": "ACP version and kernel id",
    }
    assert actions["iam.keys.revoke"]["kind"] == "write"
    assert actions["iam.keys.revoke"]["scope"] == "manage.write"
    assert actions["iam.keys.list"]["kind"] == "read"
    assert actions["test.write"]["kind"] == "write"  # from register(registry)
    assert actions["test.echo"]["description"] == 'Return params["value"].'  # from @action
    version = acp.call("meta.version", key=keys.ro).json["data"]
    assert version["kernel_id"] == KERNEL_ID and version["version"]


def test_unknown_action_and_bad_host_params(acp: Server, keys: Keys) -> None:
    assert_error(acp.call("no.such.action", key=keys.rw), 404, "UNKNOWN_ACTION")
    assert_error(acp.call("test.echo", {}, key=keys.rw), 400, "INVALID_PARAMS")
