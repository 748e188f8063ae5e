"""Per-process lifecycle on uvicorn: lazy init once, retried after failure, one heartbeat."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from fahost import KERNEL_ID, KERNEL_KEY, FastApiHost, UvicornServer, hub_env, write_bindings
from hubstub import HubStub
from served import Keys
from test_fastapi_requests import assert_error

StartServer = Callable[[dict[str, str]], UvicornServer]


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_heartbeat_exactly_once_after_200_concurrent_first_requests(
    fa_fresh: StartServer, fa_keys: Keys
) -> None:
    hub = HubStub()
    hub.start()
    try:
        srv = fa_fresh({"ACP_ENABLED": "true", **hub_env(hub)})
        time.sleep(0.3)
        assert hub.calls() == [], "nothing is sent at start-up"

        clients = 200
        barrier = threading.Barrier(clients)
        statuses: list[int] = []
        lock = threading.Lock()

        def client() -> None:
            barrier.wait()
            reply = srv.call("meta.version", key=fa_keys.rw)
            with lock:
                statuses.append(reply.status)

        pool = [threading.Thread(target=client) for _ in range(clients)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=60)
        assert statuses == [200] * clients

        assert wait_for(lambda: len(hub.heartbeats()) >= 1)
        time.sleep(0.3)
        (beat,) = hub.heartbeats()
        assert beat.authorization == f"Bearer {KERNEL_KEY}"
        assert beat.body["kernel_id"] == KERNEL_ID
        assert beat.body["env"] == "test"
        assert isinstance(beat.body["version"], str) and beat.body["version"]
        names = {a["name"] for a in beat.body["actions"]}
        assert {"meta.actions", "meta.version", "iam.keys.list", "iam.keys.revoke"} <= names
        assert {"test.write", "test.echo"} <= names
        assert len(hub.authorize_calls()) == clients
        assert srv.log().count("ACP initialised") == 1
    finally:
        hub.stop()


def test_one_heartbeat_per_worker_process(
    fa_host: FastApiHost, fa_keys: Keys, tmp_path: Path
) -> None:
    """``uvicorn --workers 2``: each process initialises once and announces itself once."""
    hub = HubStub()
    hub.start()
    srv = UvicornServer(
        fa_host, {"ACP_ENABLED": "true", **hub_env(hub)}, tmp_path / "workers.log", workers=2
    )
    try:
        srv.start()
        statuses: list[int] = []

        def client() -> None:
            for _ in range(10):
                statuses.append(srv.call("meta.version", key=fa_keys.rw).status)

        pool = [threading.Thread(target=client) for _ in range(10)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=60)
        assert statuses == [200] * 100
        time.sleep(0.5)
        initialised = srv.log().count("ACP initialised")
        assert 1 <= initialised <= 2
        assert wait_for(lambda: len(hub.heartbeats()) == initialised)
        time.sleep(0.3)
        assert len(hub.heartbeats()) == initialised
    finally:
        srv.stop()
        hub.stop()


def test_failed_init_is_retried_and_heartbeat_never_blocks(
    fa_fresh: StartServer, fa_keys: Keys, tmp_path
) -> None:
    hub = HubStub()
    hub.heartbeat_delay = 5.0  # a hub that takes ages to acknowledge the heartbeat
    hub.start()
    bindings = tmp_path / "later" / "controlplane.bindings.json"
    try:
        env = {"ACP_ENABLED": "true", "ACP_BINDINGS_FILE": str(bindings), **hub_env(hub, "3")}
        srv = fa_fresh(env)
        for _ in range(2):
            reply = srv.call("meta.version", key=fa_keys.rw)
            assert_error(reply, 503, "INIT_FAILED")
            assert "controlplane.bindings.json" not in reply.text
        assert srv.log().count("ACP initialisation failed") == 2, "retried, not cached"
        assert hub.calls() == [], "no heartbeat (and no authorisation) without an init"

        bindings.parent.mkdir()
        write_bindings(bindings, kernel_id="kern-late")
        started = time.monotonic()
        reply = srv.call("meta.version", key=fa_keys.rw)
        elapsed = time.monotonic() - started
        assert reply.status == 200, reply.text
        assert reply.json["data"]["kernel_id"] == "kern-late"
        assert elapsed < 2.5, f"the request waited for the heartbeat ({elapsed:.2f}s)"
        assert wait_for(lambda: len(hub.heartbeats()) == 1)
        assert hub.heartbeats()[0].body["kernel_id"] == "kern-late"
        for _ in range(3):
            assert srv.call("meta.version", key=fa_keys.rw).status == 200
        assert len(hub.heartbeats()) == 1
    finally:
        hub.stop()


def test_no_database_is_init_failed_until_configured(
    fa_fresh: StartServer, fa_host: FastApiHost, fa_keys: Keys
) -> None:
    srv = fa_fresh({"ACP_ENABLED": "true", "DATABASE_URL": ""})
    for _ in range(2):
        assert_error(srv.call("meta.version", key=fa_keys.rw), 503, "INIT_FAILED")
    assert srv.log().count("ACP database engine could not be created") >= 2, "not cached"
    srv.set_env(ACP_DATABASE_URL=fa_host.database_url)  # retried: a later request builds it
    reply = srv.call("meta.version", key=fa_keys.rw)
    assert reply.status == 200, reply.text
    assert fa_host.audit_rows([reply.request_id])[reply.request_id][0]["status"] == 200


def test_acp_database_url_wins_over_database_url(
    fa_fresh: StartServer, fa_host: FastApiHost, fa_keys: Keys
) -> None:
    srv = fa_fresh(
        {
            "ACP_ENABLED": "true",
            "DATABASE_URL": "sqlite:////nonexistent-dir-3d1f/host.db",
            "ACP_DATABASE_URL": fa_host.database_url,
        }
    )
    reply = srv.call("meta.version", key=fa_keys.rw)
    assert reply.status == 200, reply.text
    assert fa_host.audit_rows([reply.request_id])[reply.request_id][0]["status"] == 200


def test_anonymous_audit_rows_are_rate_limited(fa_fresh: StartServer, fa_host: FastApiHost) -> None:
    """A fresh process: a burst of 100 rows for requests without a valid key, then 1 a second."""
    srv = fa_fresh({"ACP_ENABLED": "true"})
    started = time.monotonic()
    replies = [srv.call("meta.version", key="acp_000000000000_" + "z" * 43) for _ in range(130)]
    elapsed = time.monotonic() - started
    assert {(r.status, r.code) for r in replies} == {(401, "UNAUTHENTICATED")}
    assert all(r.request_id for r in replies)
    rows = fa_host.audit_rows(r.request_id for r in replies)
    assert 100 <= len(rows) <= 100 + int(elapsed) + 1
    assert "are over the limit" in srv.log()


def test_unconfigured_hub_leaves_the_fail_mode_to_decide(
    fa_fresh: StartServer, fa_keys: Keys
) -> None:
    srv = fa_fresh({"ACP_ENABLED": "true", "ACP_FAIL_MODE": "read-open"})
    assert srv.call("meta.version", key=fa_keys.rw).status == 200
    assert_error(srv.call("test.write", key=fa_keys.rw), 503, "GOVERNANCE_UNAVAILABLE")
    assert "governance hub NOT configured" in srv.log()
